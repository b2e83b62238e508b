import { createMetrics, DURATION_BUCKETS } from '@shop/platform';
import { Counter, Histogram } from 'prom-client';

/**
 * The kit's metrics for the `router` service (default process metrics, `graphql_operation_duration_seconds`
 * by operation, `graphql_errors_total` by code) plus the router's own series in the same registry:
 * `subgraph_fetch_duration_seconds{subgraph,outcome}` (outcome `ok`, `errors` when the subgraph answered
 * with GraphQL errors, `failed` when it did not answer usably) and
 * `router_supergraph_reloads_total{outcome}` (`applied`, `rejected`).
 */
export function createRouterMetrics() {
  const metrics = createMetrics('router');
  const subgraphFetchDuration = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Time of one fetch from the router to a subgraph, by subgraph and outcome.',
    labelNames: ['subgraph', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [metrics.registry],
  });
  const supergraphReloads = new Counter({
    name: 'router_supergraph_reloads_total',
    help: 'Supergraph file changes seen by the router, by outcome (applied, rejected).',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  return { ...metrics, subgraphFetchDuration, supergraphReloads };
}
export type RouterMetrics = ReturnType<typeof createRouterMetrics>;
