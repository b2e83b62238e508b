/**
 * Chaos soak (not a test; its 60-second smoke run is, test/soak.e2e.spec.ts):
 *
 *   npm run soak                      # SOAK_SECONDS=600 by default
 *   SOAK_SECONDS=120 SOAK_FAULTS_PER_KIND=6 npm run soak
 *
 * Starts its own infrastructure with scripts/infra.sh (Postgres, Redis and three replicating Kafka
 * nodes under .local/soak, ports 5632, 6579 and 9292/9293 (+10, +20): SOAK_INFRA_DIR, SOAK_PGPORT,
 * SOAK_REDIS_PORT, SOAK_KAFKA_PORT, SOAK_KAFKA_CONTROLLER_PORT), an isolated stack on it, and sends
 * the storefront mix and orders (SOAK_ORDER_RATE per second, default 2) through the router with live
 * orderStatusChanged and notificationAdded subscribers, while the fault schedule runs every kind
 * SOAK_FAULTS_PER_KIND times (default one per 20 s, so 30 of each in ten minutes), the kinds at once
 * on tracks of their own: SIGKILL of a subgraph and its restart, SIGKILL of a Kafka node and its
 * restart, Postgres fast restart, Redis restart, router SIGTERM and restart, latency and connection
 * resets on the proxy in front of products. Then the
 * stack settles and the history checker prints one line per invariant and the totals; exit code 1
 * when an invariant broke. Client log: .local/soak/client-log.jsonl; the services' logs: .local/soak/logs; figures:
 * .local/bench/soak.json.
 * Everything it started is stopped at the end (data kept under .local/soak).
 */
import { rm } from 'node:fs/promises';
import { ROOT } from '../scripts/stack.js';
import { writeResults } from './support/shop.js';
import { formatReport } from './src/soak/history.js';
import { defaultSoakOptions, startSoak } from './src/soak/run.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const faultsPerKind = Number(process.env.SOAK_FAULTS_PER_KIND ?? Math.max(2, Math.round(seconds / 20)));
const orderRate = Number(process.env.SOAK_ORDER_RATE ?? 2);
const options = defaultSoakOptions(ROOT);
// About 3 units an order: the stock runs out at about four fifths of the run, so late orders are
// cancelled OUT_OF_STOCK and the overselling check has something to bite on.
options.stockPerProduct = Math.ceil((0.8 * seconds * orderRate * 3) / options.products);
await rm(options.logFile, { force: true });

console.log(
  `soak: ${seconds} s, ${faultsPerKind} faults of each kind, ${orderRate} orders/s, seed ${options.seed}; infrastructure under ${options.dir}`,
);
const soak = await startSoak(options);
try {
  console.log(`stack up (router ${soak.stack.routerUrl}); load and faults running ...`);
  const result = await soak.phase({ seconds, faultsPerKind, load: { orderRate } });
  console.log(
    `ran ${result.seconds.toFixed(0)} s; settled in ${(result.settleMs / 1_000).toFixed(1)} s; ` +
      `orders placed ${result.load.placed}, accepted ${result.load.accepted}, given up ${result.load.givenUp}, ` +
      `sent again ${result.load.resent}, cancelled by customers ${result.load.cancelled}`,
  );
  for (const fault of soak.log.faults)
    console.log(
      `  fault at ${(fault.t / 1_000).toFixed(1)} s: ${fault.kind} ${fault.target} (${fault.ms} ms)`,
    );
  for (const line of result.waiting) console.log(`  not settled: ${line}`);
  for (const line of formatReport(result.report)) console.log(line);
  const file = await writeResults('soak', {
    seconds,
    faultsPerKind,
    orderRate,
    seed: options.seed,
    load: result.load,
    faults: soak.log.faults,
    report: result.report,
  });
  console.log(`figures: ${file}; client log: ${options.logFile}`);
  process.exitCode = result.report.ok ? 0 : 1;
} finally {
  await soak.stop();
}
// Kafka and WebSocket clients may hold the event loop a while longer.
process.exit();
