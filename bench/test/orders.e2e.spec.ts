/**
 * The orders benchmark's smoke run (`npm run bench:orders` is the real one): one step of 2 orders/s for
 * 3 s over a few customers and two products, so the benchmark never rots. Every offered order must have
 * been accepted, reached CONFIRMED (the local stack's payments sandbox accepts `tok_visa`), been seen
 * CONFIRMED by its `orderStatusChanged` subscriber and listed CONFIRMED by the API, with each product's
 * stock down by exactly its orders; the latencies must be there and ordered.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Latency, StepResult, TargetVerdict } from '../src/orders/report.js';
import { ROOT } from '../../scripts/stack.js';

const ordered = (latency: Latency) => {
  expect(latency.p50).toBeGreaterThan(0);
  expect(latency.p50).toBeLessThanOrEqual(latency.p95);
  expect(latency.p95).toBeLessThanOrEqual(latency.p99);
  expect(latency.p99).toBeLessThanOrEqual(latency.max);
};

describe('orders benchmark, smoke run', () => {
  it('places orders at a fixed rate and follows each to CONFIRMED, with nothing lost and the stock exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-orders-smoke-'));
    const out = join(dir, 'orders.json');
    try {
      const args = ['--import', 'tsx', 'bench/orders.ts', '--rates', '2', '--duration', '3'];
      args.push('--customers', '3', '--products', '2', '--settle', '60', '--warmup', '1', '--out', out);
      const printed = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      console.log(printed);
      const { steps, targets } = JSON.parse(readFileSync(out, 'utf8')) as {
        steps: StepResult[];
        targets: TargetVerdict[];
      };
      expect(steps).toHaveLength(1);
      const [step] = steps as [StepResult];
      // 2 per second for 3 s, open loop: the orders due at 0, 0.5, ... 2.5 s.
      expect(step.offered).toBeGreaterThanOrEqual(5);
      expect(step.loadS).toBeGreaterThanOrEqual(3);
      expect(step.accepted).toBe(step.offered);
      expect(step.notAccepted).toBe(0);
      expect(step.statuses).toEqual({ CONFIRMED: step.offered });
      expect(step.seenBySubscriber).toBe(step.accepted);
      expect(step.subscriberMismatches).toBe(0);
      expect(step.subscriptionErrors).toEqual({});
      expect(step.notSettled).toBe(0);
      expect(step.unanswered).toEqual({ count: 0, statuses: {} });
      expect(step.doubled).toBe(0);
      expect(step.stock).toEqual({
        products: 2,
        expectedDecrease: step.offered,
        actualDecrease: step.offered,
        consistent: true,
        unsettledUnits: 0,
        withinUnsettled: true,
      });
      expect(step.nothingLost).toBe(true);

      expect(step.placeOrderMs.count).toBe(step.accepted);
      expect(step.confirmedMs.count).toBe(step.accepted);
      expect(step.confirmedCommitMs.count).toBe(step.accepted);
      expect(step.confirmedLiveMs.count + step.confirmedInSnapshot).toBe(step.accepted);
      ordered(step.placeOrderMs);
      ordered(step.confirmedMs);
      // Each order is CONFIRMED after placeOrder answered, so every rank of one is above the other's.
      expect(step.confirmedMs.p50).toBeGreaterThanOrEqual(step.placeOrderMs.p50);
      expect(step.confirmedMs.max).toBeGreaterThanOrEqual(step.placeOrderMs.max);
      expect(step.acceptedPerS).toBeGreaterThan(0);
      expect(step.settledPerS).toBeGreaterThan(0);

      // Neither target is measured by a 2/s step; both are printed with why.
      expect(targets.map((t) => t.met)).toEqual([undefined, undefined]);
      expect(printed).toMatch(/placed-to-CONFIRMED p50\/p95\/p99\/max ms\s+\d+ \/ \d+ \/ \d+ \/ \d+/);
      expect(printed).toMatch(/p99 placed-to-CONFIRMED <= 500 ms at 10 orders\/s: not measured/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
