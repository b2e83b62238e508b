/**
 * Reading the services' Prometheus text, waiting for a memory reading to settle, and the P5 verdicts of
 * the subscription benchmark (printed, never asserted).
 */

export { metricSum } from '../../../platform/src/testing/metrics.js';

/**
 * Whether the last `window` readings are within `tolerance` (a fraction of the largest) of each other:
 * a memory figure that stopped moving.
 */
export function isStable(readings: readonly number[], window = 3, tolerance = 0.01): boolean {
  if (readings.length < window) return false;
  const last = readings.slice(-window);
  const max = Math.max(...last);
  return max - Math.min(...last) <= tolerance * max;
}

/** What a P5 verdict is made of. */
export interface P5Figures {
  subscribers: number;
  /** Client subscriptions the router served once every client had subscribed. */
  subscriptionsActive: number;
  mode: 'burst' | 'steady';
  /** Order events per second created at the source (measured). */
  sourceEventsPerSecond: number;
  p99Ms: number;
  lost: number;
  duplicates: number;
  idleRssPerConnectionBytes: number;
  /** Distinct customers (users) among the subscribers. */
  customers: number;
  /** Upstream subscriptions the notifications subgraph served for them. */
  upstreamSubscriptions: number;
}

export interface Verdict {
  target: string;
  met: boolean;
  measured: string;
}

/** One line per P5 target: met or not, with what was measured. */
export function p5Verdicts(f: P5Figures): Verdict[] {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const steadyAt100 = f.mode === 'steady' && f.sourceEventsPerSecond >= 95;
  return [
    {
      target: '10,000 subscribers on one router process',
      met: f.subscribers >= 10_000 && f.subscriptionsActive >= f.subscribers,
      measured: `${f.subscriptionsActive} of ${f.subscribers} subscribed`,
    },
    {
      target: 'event-to-client p99 <= 100 ms at 100 events/s, nothing lost or doubled',
      met: steadyAt100 && f.p99Ms <= 100 && f.lost === 0 && f.duplicates === 0,
      measured:
        `p99 ${Math.round(f.p99Ms)} ms at ${f.sourceEventsPerSecond.toFixed(1)} events/s (${f.mode}), ` +
        `${f.lost} lost, ${f.duplicates} doubled`,
    },
    {
      target: '<= 20 KiB router RSS per idle connection',
      met: f.idleRssPerConnectionBytes <= 20 * 1024,
      measured: kib(f.idleRssPerConnectionBytes),
    },
    {
      target: "one upstream subscription per customer's subscribers",
      met: f.upstreamSubscriptions <= f.customers,
      measured: `${f.upstreamSubscriptions} upstream for ${f.subscriptionsActive} client subscriptions of ${f.customers} customers`,
    },
  ];
}
