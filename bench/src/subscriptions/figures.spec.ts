import { describe, expect, it } from '@jest/globals';
import { isStable, metricSum, p5Verdicts, type P5Figures } from './figures.js';

const TEXT = [
  '# HELP router_upstream_subscription_connections Open WebSocket connections.',
  '# TYPE router_upstream_subscription_connections gauge',
  'router_upstream_subscription_connections{subgraph="notifications"} 1',
  'router_upstream_subscription_connections{subgraph="orders"} 2',
  'router_subscriptions_active 20',
  'process_resident_memory_bytes 1.5e+08',
].join('\n');

describe('subscription benchmark figures', () => {
  it('sums a metric over its label sets, or the ones asked for', () => {
    expect(metricSum(TEXT, 'router_upstream_subscription_connections')).toBe(3);
    expect(metricSum(TEXT, 'router_upstream_subscription_connections', { subgraph: 'orders' })).toBe(2);
    expect(metricSum(TEXT, 'router_subscriptions_active')).toBe(20);
    expect(metricSum(TEXT, 'process_resident_memory_bytes')).toBe(150_000_000);
    expect(metricSum(TEXT, 'router_subscriptions')).toBeNaN();
  });

  it('calls a reading stable once its last few values stopped moving', () => {
    expect(isStable([100, 200])).toBe(false);
    expect(isStable([100, 200, 300])).toBe(false);
    expect(isStable([50, 1000, 1005, 1002])).toBe(true);
  });

  const met: P5Figures = {
    subscribers: 10_000,
    subscriptionsActive: 10_000,
    mode: 'steady',
    sourceEventsPerSecond: 100,
    p99Ms: 90,
    lost: 0,
    duplicates: 0,
    idleRssPerConnectionBytes: 15 * 1024,
    customers: 100,
    upstreamSubscriptions: 100,
  };

  it('meets every P5 target with figures inside them', () => {
    expect(p5Verdicts(met).map((v) => v.met)).toEqual([true, true, true, true]);
  });

  it('misses each P5 target on its own figure', () => {
    const missed = (change: Partial<P5Figures>) =>
      p5Verdicts({ ...met, ...change })
        .filter((v) => !v.met)
        .map((v) => v.target);
    expect(missed({ subscribers: 1_000, subscriptionsActive: 1_000 })).toHaveLength(1);
    expect(missed({ subscriptionsActive: 9_999 })).toHaveLength(1);
    expect(missed({ mode: 'burst' })).toHaveLength(1);
    expect(missed({ sourceEventsPerSecond: 20 })).toHaveLength(1);
    expect(missed({ p99Ms: 101 })).toHaveLength(1);
    expect(missed({ lost: 1 })).toHaveLength(1);
    expect(missed({ duplicates: 1 })).toHaveLength(1);
    expect(missed({ idleRssPerConnectionBytes: 60 * 1024 })).toHaveLength(1);
    expect(missed({ upstreamSubscriptions: 10_000 })).toHaveLength(1);
  });
});
