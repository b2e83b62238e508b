/**
 * The chaos soak's smoke run (`npm run soak` is the ten-minute one, bench/soak.ts): its own Postgres,
 * Redis and three replicating Kafka nodes, an isolated stack on them, a minute of the storefront mix
 * and orders through the router with live subscribers while one fault of every kind is injected, then
 * the history checker over every database and the client log: every invariant holds.
 *
 * Then the deliberately broken build: orders restarted with UNSAFE_SKIP_IDEMPOTENCY=true takes half a
 * minute more of the same load (no faults), and the checker must catch the second orders it made for
 * idempotency keys the clients sent again, and only that.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, type Report } from '../bench/src/soak/history.js';
import { FAULT_KINDS } from '../bench/src/soak/faults.js';
import { startSoak, type Soak, type SoakOptions } from '../bench/src/soak/run.js';
import { releasePort, releasePorts, reservePort, reservePorts } from '../platform/src/testing/ports.js';
import { ROOT } from '../scripts/stack.js';

const SEED = Number(process.env.SOAK_SEED ?? 20261203);
const ORDER_RATE = 2;
const SMOKE_SECONDS = 60;
const BROKEN_SECONDS = 30;
/** Three Kafka nodes, each a broker and a controller port, ten apart. */
const KAFKA_OFFSETS = [0, 1, 10, 11, 20, 21];
const IDEMPOTENT = 'a retry with the same idempotency key never made a second order';

const broken = (report: Report) =>
  report.invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.problems.join('; ')}`);

describe('chaos soak, smoke run', () => {
  let soak: Soak | undefined;
  let dir: string;
  const ports: number[] = [];
  let kafkaBase: number | undefined;

  beforeAll(async () => {
    dir = join(ROOT, '.local', `soak-smoke-${process.pid}`);
    const [pgPort, redisPort] = [await reservePort(), await reservePort()];
    ports.push(pgPort, redisPort);
    kafkaBase = await reservePorts(KAFKA_OFFSETS);
    const options: SoakOptions = {
      dir,
      pgPort,
      redisPort,
      kafkaPort: kafkaBase,
      kafkaControllerPort: kafkaBase + 1,
      seed: SEED,
      customers: 6,
      products: 4,
      // About 3 units an order: enough for every order of both runs.
      stockPerProduct: Math.ceil(((SMOKE_SECONDS + BROKEN_SECONDS) * ORDER_RATE * 3 * 1.5) / 4),
      logFile: join(dir, 'client-log.jsonl'),
    };
    soak = await startSoak(options);
  }, 420_000);

  afterAll(async () => {
    await soak?.stop();
    for (const port of ports) releasePort(port);
    if (kafkaBase !== undefined) releasePorts(kafkaBase, KAFKA_OFFSETS);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('holds every invariant through a minute of load with one fault of every kind', async () => {
    const result = await soak!.phase({
      seconds: SMOKE_SECONDS,
      faultsPerKind: 1,
      settleMs: 150_000,
      load: { orderRate: ORDER_RATE },
    });
    const faults = soak!.log.faults.map(
      (f) => `  fault at ${(f.t / 1_000).toFixed(1)} s: ${f.kind} ${f.target} (${f.ms} ms)`,
    );
    process.stdout.write(
      `soak smoke run (seed ${SEED}, ${SMOKE_SECONDS} s):\n${[...faults, ...formatReport(result.report)].join('\n')}\n`,
    );
    expect(result.waiting).toEqual([]);
    expect([...result.faults].sort()).toEqual([...FAULT_KINDS].sort());
    expect(result.report.totals.faultsByKind).toEqual(Object.fromEntries(FAULT_KINDS.map((k) => [k, 1])));
    // 2 orders a second for a minute; the faults refuse some of them (a client gives up after its retries).
    expect(result.report.totals.orders).toBeGreaterThanOrEqual(60);
    expect(result.load.resent).toBeGreaterThan(0);
    expect(broken(result.report)).toEqual([]);
    expect(result.report.totals).toMatchObject({ lost: 0, doubleCharges: 0, oversold: 0 });
    expect(result.report.ok).toBe(true);
  }, 480_000);

  it('fails the checker on a build that skips the idempotency check, naming the keys', async () => {
    await soak!.stack.processes.get('orders')!.restart({
      env: { NODE_ENV: 'test', UNSAFE_SKIP_IDEMPOTENCY: 'true' },
    });
    const result = await soak!.phase({
      seconds: BROKEN_SECONDS,
      faultsPerKind: 0,
      settleMs: 120_000,
      load: { orderRate: ORDER_RATE, resendRate: 0.5 },
    });
    process.stdout.write(
      `soak against UNSAFE_SKIP_IDEMPOTENCY=true (${BROKEN_SECONDS} s):\n${formatReport(result.report).join('\n')}\n`,
    );
    expect(result.report.ok).toBe(false);
    const failed = result.report.invariants.filter((i) => !i.ok);
    expect(failed.map((i) => i.name)).toEqual([IDEMPOTENT]);
    expect(failed[0]!.counts.violations).toBeGreaterThan(0);
    expect(failed[0]!.problems[0]).toMatch(/^key \S+ was answered with \d+ orders: |orders stored under /);
  }, 360_000);
});
