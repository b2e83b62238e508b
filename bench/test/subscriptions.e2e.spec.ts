/**
 * The subscription benchmark's smoke run (`npm run bench:subscriptions` is the real one): 20 subscribers
 * over 4 customers on two client threads, a few seconds of steady orders, so the benchmark never rots.
 * Every subscriber must have received both events of every accepted order of its customer exactly once,
 * and the figures must be there: latencies, the router's memory before and idle, the client and upstream
 * subscription counts, a verdict per P5 target.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/stack.js';

const SUBSCRIBERS = 20;
const CUSTOMERS = 4;

describe('subscription benchmark, smoke run', () => {
  it('delivers every order event to every subscriber of its customer once, and reports latency and memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-subscriptions-smoke-'));
    const out = join(dir, 'subscriptions.json');
    try {
      const args = ['--import', 'tsx', 'bench/subscriptions.ts', '--subscribers', String(SUBSCRIBERS)];
      args.push('--customers', String(CUSTOMERS), '--workers', '2', '--mode', 'steady');
      args.push('--rate', '4', '--duration', '3', '--out', out);
      const printed = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      console.log(printed);
      const results = JSON.parse(readFileSync(out, 'utf8'));

      expect(results.connections).toMatchObject({
        opened: SUBSCRIBERS,
        refused: 0,
        closedLater: 0,
        subscriptionErrors: 0,
      });
      expect(results.upstream.clientSubscriptions).toBe(SUBSCRIBERS);
      expect(results.upstream.clientConnections).toBe(SUBSCRIBERS);
      expect(results.upstream.upstreamConnections).toBeGreaterThanOrEqual(1);
      // The subscribers of one customer share one upstream subscription at the notifications subgraph.
      expect(results.upstream.upstreamSubscriptions).toBe(CUSTOMERS);

      // Orders were accepted (none given up) and settled, and each brought two events to each of its
      // customer's five subscribers: nothing lost, nothing doubled, nothing from another customer.
      const { orders, events } = results;
      expect(orders.accepted).toBeGreaterThan(0);
      expect(orders).toMatchObject({ placed: orders.accepted, atServer: orders.accepted, unsettled: 0 });
      expect(events.sourceEvents).toBe(orders.accepted * 2);
      expect(events.expected).toBe(orders.accepted * 2 * (SUBSCRIBERS / CUSTOMERS));
      expect(events).toMatchObject({ delivered: events.expected, lost: 0, duplicates: 0, unexpected: 0 });
      expect(events.routerDropped).toBe(0);
      expect(events.routerDelivered).toBeGreaterThanOrEqual(events.delivered);
      expect(events.cpuCores.router).toBeGreaterThan(0);
      expect(events.routerLoopDelayMs.p99Ms).toBeGreaterThan(0);
      expect(events.routerLoopDelayMs.maxMs).toBeGreaterThanOrEqual(events.routerLoopDelayMs.p99Ms);
      expect(events.cpuCores.notifications).toBeGreaterThan(0);

      // One latency per delivery, ordered percentiles, all of them real durations.
      const { latencyMs } = results;
      expect(latencyMs.count).toBe(events.delivered);
      expect(latencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(latencyMs.p50).toBeLessThanOrEqual(latencyMs.p95);
      expect(latencyMs.p95).toBeLessThanOrEqual(latencyMs.p99);
      expect(latencyMs.p99).toBeLessThanOrEqual(latencyMs.max);

      const { memory } = results;
      expect(memory.before.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(memory.idle.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(memory.before.heapBytes).toBeGreaterThan(1024 * 1024);
      expect(Number.isFinite(memory.rssPerConnectionBytes)).toBe(true);
      expect(memory.rssPerConnectionBytes).toBe(
        (memory.idle.rssBytes - memory.before.rssBytes) / SUBSCRIBERS,
      );
      expect(Number.isFinite(memory.heapPerConnectionBytes)).toBe(true);

      expect(results.verdicts).toHaveLength(4);
      expect(printed).toMatch(/event-to-client ms\s+p50 \d+/);
      expect(printed.match(/^P5 (met |NOT met)/gm)).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
