/**
 * Start-up benchmark (not a test): how long each service takes from process start to its first
 * successful GraphQL answer, on an idle stack and with orders arriving at a steady rate.
 *
 *   npm run bench:startup -- [--rounds 3] [--rate 10] [--services router,orders,...]
 *
 * Starts an isolated stack (every subgraph and the router as real processes running their compiled
 * bundles, on the local infrastructure: `npm run infra:up`). For each service and round: SIGKILL (a
 * crash: the killed consumer stays in its Kafka group until its session times out), then the same
 * command line again, timed from the spawn to the first `{ __typename }` answered by the service's own
 * /graphql (polled every 10 ms), and to its /health/ready. The load is the orders benchmark's: orders
 * placed through the router at `--rate` per second, each retried with its idempotency key while refused.
 * Targets: <= 2 s idle, <= 4 s under load. Figures go to .local/bench/startup.json.
 */
import { parseArgs } from 'node:util';
import { startStack } from '../scripts/stack.js';
import { ascending, orderLoad, percentile, routerClient, sleep, writeResults } from './support/shop.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '10' },
    services: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const TARGET_MS = { idle: 2_000, load: 4_000 } as const;

/** Resolves the ms from `startedAt` to the first `{ __typename }` the service at `port` answers. */
async function firstAnswer(port: number, startedAt: number, timeoutMs = 60_000): Promise<number> {
  while (Date.now() - startedAt < timeoutMs) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(1_000),
      });
      const body = (await response.json()) as { data?: { __typename?: string } };
      if (response.ok && body.data?.__typename) return Date.now() - startedAt;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`no answer on port ${port} within ${timeoutMs} ms`);
}

console.log('starting an isolated stack ...');
const stack = await startStack({ isolated: true, env: { LOG_LEVEL: 'warn' } });
const results: Record<
  string,
  { idle: { answerMs: number[]; readyMs: number[] }; load: { answerMs: number[]; readyMs: number[] } }
> = {};
let loadSummary: { placed: number; accepted: number; givenUp: number; retried: number } | undefined;
try {
  const names = values.services?.split(',') ?? ['router', ...Object.keys(stack.subgraphUrls)];
  const client = routerClient(stack.routerUrl);
  const admin = await client.adminToken();
  const productId = await client.stockedProduct(admin, 1_000_000);
  const customers = await client.customers(8);

  for (const phase of ['idle', 'load'] as const) {
    const load =
      phase === 'load' ? orderLoad({ routerUrl: stack.routerUrl, customers, productId, rate }) : undefined;
    if (load) await sleep(3_000); // the load settles in before the first restart
    for (const name of names) {
      const process = stack.processes.get(name);
      if (!process) throw new Error(`no service ${name}`);
      const entry = (results[name] ??= {
        idle: { answerMs: [], readyMs: [] },
        load: { answerMs: [], readyMs: [] },
      });
      for (let round = 0; round < rounds; round += 1) {
        await process.kill('SIGKILL');
        const startedAt = Date.now();
        const answered = firstAnswer(process.port, startedAt);
        await process.restart();
        entry[phase].readyMs.push(Date.now() - startedAt);
        entry[phase].answerMs.push(await answered);
        await sleep(1_000);
      }
      const last = entry[phase].answerMs.at(-1);
      console.log(
        `  ${phase.padEnd(4)} ${name.padEnd(16)} first answer ${entry[phase].answerMs.join(', ')} ms (last ${last})`,
      );
    }
    if (load) {
      const orders = await load.stop();
      loadSummary = {
        placed: orders.length,
        accepted: orders.filter((o) => o.orderId).length,
        givenUp: orders.filter((o) => !o.orderId).length,
        retried: orders.filter((o) => o.refusals.length > 0).length,
      };
    }
  }
} finally {
  await stack.stop();
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const figure = (ms: number[]) => {
  const sorted = ascending(ms);
  return `${(percentile(sorted, 50) / 1000).toFixed(2)} / ${(sorted.at(-1)! / 1000).toFixed(2)}`;
};
console.log(
  `\nstart-up, seconds from spawn to the first GraphQL answer (median / max of ${rounds}), load ${rate} orders/s`,
);
console.log(row(['service', 'idle', 'under load', 'ready (idle / load, median)', 'targets met']));
console.log(row(['---', '---', '---', '---', '---']));
let allMet = true;
for (const [name, { idle, load }] of Object.entries(results)) {
  const met = Math.max(...idle.answerMs) <= TARGET_MS.idle && Math.max(...load.answerMs) <= TARGET_MS.load;
  allMet &&= met;
  const ready = `${(percentile(ascending(idle.readyMs), 50) / 1000).toFixed(2)} / ${(percentile(ascending(load.readyMs), 50) / 1000).toFixed(2)}`;
  console.log(row([name, figure(idle.answerMs), figure(load.answerMs), ready, met ? 'yes' : 'NO']));
}
if (loadSummary)
  console.log(
    `\norders under load: ${loadSummary.placed} placed, ${loadSummary.accepted} accepted, ${loadSummary.retried} retried while a service restarted, ${loadSummary.givenUp} given up`,
  );
console.log(
  `targets (<= ${TARGET_MS.idle / 1000} s idle, <= ${TARGET_MS.load / 1000} s under load): ${allMet ? 'met by every service' : 'NOT met'}`,
);
const file = await writeResults('startup', {
  rounds,
  rate,
  targetsMs: TARGET_MS,
  results,
  load: loadSummary,
});
console.log(`figures: ${file}`);
