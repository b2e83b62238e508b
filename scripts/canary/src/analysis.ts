/**
 * The canary analysis of `npm run canary` (scripts/canary.ts): the PromQL it asks Prometheus after
 * each weight step, and the verdict on the answers, as pure functions.
 *
 * Signals, per service running canary pods (the chart's `<service>-canary` Deployment):
 * - failed operations: the services' own `graphql_operations_failed_total` over
 *   `graphql_operation_duration_seconds_count` (queries and mutations), on the canary's pods
 *   (`pod=~"<service>-canary-.+"`, the label the Prometheus Operator puts on every target). GraphQL
 *   answers most failures with HTTP 200, so only the services' own counters see them;
 * - 5xx: Istio's `istio_requests_total` by `destination_version="canary"` as the callers' sidecars
 *   report it (`reporter="source"`), which also counts what never reached the application (a crashing
 *   or unready canary pod: Envoy's 503s);
 * - p99: `graphql_operation_duration_seconds` on the canary's pods (Istio's request duration would
 *   count a WebSocket's whole life as one request).
 */

export interface Thresholds {
  /** Highest share (0..1) of failed operations, and of 5xx answers, a canary may show. */
  maxErrorRate: number;
  /** Highest p99 operation duration (seconds). */
  maxP99Seconds: number;
  /** Fewest operations in the window for a verdict; fewer is no evidence either way. */
  minRequests: number;
}

export interface Reading {
  service: string;
  /** Operations the canary served in the window. */
  requests: number;
  /** Failed operations / operations; null when Prometheus had no series. */
  errorRate: number | null;
  /** 5xx / requests seen by the callers' sidecars; null when none. */
  httpErrorRate: number | null;
  /** p99 duration in seconds; null when none. */
  p99Seconds: number | null;
}

export type Verdict =
  | { action: 'advance'; reasons: string[] }
  | { action: 'promote'; reasons: string[] }
  | { action: 'rollback'; reasons: string[] }
  | { action: 'inconclusive'; reasons: string[] };

/**
 * The verdict after a step at `weight` (the last step is 100): rollback when any service's canary
 * fails a threshold (a threshold breached beats too little traffic); inconclusive when some service
 * served fewer than minRequests; otherwise advance, or promote after the last step.
 */
export function decide(weight: number, lastStep: boolean, readings: Reading[], t: Thresholds): Verdict {
  if (readings.length === 0) throw new Error('no readings: name at least one canary service');
  const breaches: string[] = [];
  const thin: string[] = [];
  for (const r of readings) {
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    if (r.errorRate !== null && r.errorRate > t.maxErrorRate)
      breaches.push(`${r.service}: ${pct(r.errorRate)} of operations failed (max ${pct(t.maxErrorRate)})`);
    if (r.httpErrorRate !== null && r.httpErrorRate > t.maxErrorRate)
      breaches.push(
        `${r.service}: ${pct(r.httpErrorRate)} of requests answered 5xx (max ${pct(t.maxErrorRate)})`,
      );
    if (r.p99Seconds !== null && r.p99Seconds > t.maxP99Seconds)
      breaches.push(`${r.service}: p99 ${r.p99Seconds.toFixed(3)} s (max ${t.maxP99Seconds} s)`);
    if (!(r.requests >= t.minRequests))
      thin.push(
        `${r.service}: ${Math.floor(r.requests || 0)} operations at ${weight}% (need ${t.minRequests})`,
      );
  }
  if (breaches.length) return { action: 'rollback', reasons: breaches };
  if (thin.length) return { action: 'inconclusive', reasons: thin };
  const ok = readings.map((r) => `${r.service}: healthy at ${weight}%`);
  return { action: lastStep ? 'promote' : 'advance', reasons: ok };
}

/** The weight steps: increasing, each 1..100, ending at 100. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim()));
  const valid =
    steps.length > 0 &&
    steps.every((s, i) => Number.isInteger(s) && s >= 1 && s <= 100 && (i === 0 || s > steps[i - 1]!)) &&
    steps.at(-1) === 100;
  if (!valid) throw new Error(`steps must be increasing integers from 1 to 100 ending at 100: ${text}`);
  return steps;
}

/** The PromQL of one service's canary, over `window` (e.g. 5m), in namespace `namespace`. */
export function queries(namespace: string, service: string, window: string) {
  const pods = `namespace="${namespace}",service="${service}",pod=~"${service}-canary-.+",type!="subscription"`;
  const istio = `reporter="source",destination_workload_namespace="${namespace}",destination_service_name="${service}",destination_version="canary"`;
  return {
    requests: `sum(increase(graphql_operation_duration_seconds_count{${pods}}[${window}]))`,
    errorRate:
      `sum(rate(graphql_operations_failed_total{${pods}}[${window}]))` +
      ` / sum(rate(graphql_operation_duration_seconds_count{${pods}}[${window}]))`,
    httpErrorRate:
      `sum(rate(istio_requests_total{${istio},response_code=~"5.."}[${window}]))` +
      ` / sum(rate(istio_requests_total{${istio}}[${window}]))`,
    p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(graphql_operation_duration_seconds_bucket{${pods}}[${window}])))`,
  };
}

/** The one value of an instant query's vector answer; null for an empty vector or NaN. */
export function scalarOf(body: unknown): number | null {
  const data = (
    body as { status?: string; data?: { resultType?: string; result?: { value?: [number, string] }[] } }
  )?.data;
  if ((body as { status?: string })?.status !== 'success' || data?.resultType !== 'vector')
    throw new Error(`unexpected Prometheus answer: ${JSON.stringify(body).slice(0, 200)}`);
  const value = data.result?.[0]?.value?.[1];
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** `helm upgrade --reuse-values` arguments that promote: the canary tag for each service, canary off. */
export function promoteSets(services: string[], subgraphs: string[], tag: string): string[] {
  for (const s of services)
    if (s !== 'router' && !subgraphs.includes(s)) throw new Error(`${s} is no subgraph`);
  return [
    ...services.map((s) => `${s === 'router' ? 'router' : `subgraphs.${s}`}.image.tag=${tag}`),
    'canary.enabled=false',
    'canary.weight=0',
  ];
}
