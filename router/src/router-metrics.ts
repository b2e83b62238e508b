import { createMetrics, DURATION_BUCKETS } from '@shop/platform/edge';
import { Counter, Gauge, Histogram } from 'prom-client';

/**
 * The kit's metrics for the `router` service (default process metrics, `graphql_operation_duration_seconds`
 * by operation, `graphql_errors_total` by code) plus the router's own series in the same registry:
 * `subgraph_fetch_duration_seconds{subgraph,outcome}` (outcome `ok`, `errors` when the subgraph answered
 * with GraphQL errors, `failed` when it did not answer usably) and
 * `router_supergraph_reloads_total{outcome}` (`applied`, `rejected`), `subgraph_fetches_shared_total{subgraph}`
 * (identical reads sent once); and for the WebSocket transport:
 * `router_websocket_connections`, `router_subscriptions_active`,
 * `router_subscription_events_total{outcome}` (`delivered`; `dropped` when a slow client's buffer overflowed),
 * `router_subscription_event_duration_seconds` (running one event's plan),
 * `router_upstream_subscription_connections{subgraph}`, `router_upstream_subscriptions{subgraph}` (subscriptions
 * the router holds open at subgraphs) and `router_upstream_subscriptions_shared_total{subgraph}` (client
 * subscriptions that joined a run already open); and for the edge's rate limits:
 * `router_rate_limited_total{kind}` (`anonymous`, `user`: requests and subscribe messages refused) and
 * `router_rate_limit_unchecked_total{kind}` (let through unchecked because Redis did not answer).
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
  const subgraphFetchesShared = new Counter({
    name: 'subgraph_fetches_shared_total',
    help: 'Subgraph reads answered by an identical read already in flight (sent once, shared).',
    labelNames: ['subgraph'],
    registers: [metrics.registry],
  });
  const websocketConnections = new Gauge({
    name: 'router_websocket_connections',
    help: 'Open client WebSocket connections (graphql-transport-ws).',
    registers: [metrics.registry],
  });
  const subscriptionsActive = new Gauge({
    name: 'router_subscriptions_active',
    help: 'Client subscriptions being served.',
    registers: [metrics.registry],
  });
  const subscriptionEvents = new Counter({
    name: 'router_subscription_events_total',
    help: 'Subscription events, by outcome: delivered to the client, or dropped (slow client disconnected).',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const subscriptionEventDuration = new Histogram({
    name: 'router_subscription_event_duration_seconds',
    help: 'Time to resolve one subscription event (its plan over the other subgraphs).',
    buckets: DURATION_BUCKETS,
    registers: [metrics.registry],
  });
  const upstreamConnections = new Gauge({
    name: 'router_upstream_subscription_connections',
    help: 'Open WebSocket connections from the router to subgraphs, by subgraph.',
    labelNames: ['subgraph'],
    registers: [metrics.registry],
  });
  const upstreamSubscriptions = new Gauge({
    name: 'router_upstream_subscriptions',
    help: 'Subscriptions the router holds open at subgraphs (one per distinct document, variables and caller), by subgraph.',
    labelNames: ['subgraph'],
    registers: [metrics.registry],
  });
  const upstreamSubscriptionsShared = new Counter({
    name: 'router_upstream_subscriptions_shared_total',
    help: 'Client subscriptions that joined a run already open (its upstream subscription and results), by subgraph.',
    labelNames: ['subgraph'],
    registers: [metrics.registry],
  });
  const rateLimited = new Counter({
    name: 'router_rate_limited_total',
    help: 'Requests and WebSocket subscribe messages refused with RATE_LIMITED, by kind (anonymous, user).',
    labelNames: ['kind'],
    registers: [metrics.registry],
  });
  const rateLimitUnchecked = new Counter({
    name: 'router_rate_limit_unchecked_total',
    help: 'Requests let through without a rate-limit check because Redis did not answer, by kind.',
    labelNames: ['kind'],
    registers: [metrics.registry],
  });
  const mutationsShed = new Counter({
    name: 'router_mutations_shed_total',
    help: 'Mutations the router refused itself with SERVICE_UNAVAILABLE, without a fetch, while the subgraph owning the root field sheds load (its Retry-After), by field.',
    labelNames: ['field'],
    registers: [metrics.registry],
  });
  return {
    ...metrics,
    mutationsShed,
    rateLimited,
    rateLimitUnchecked,
    subgraphFetchDuration,
    supergraphReloads,
    subgraphFetchesShared,
    websocketConnections,
    subscriptionsActive,
    subscriptionEvents,
    subscriptionEventDuration,
    upstreamConnections,
    upstreamSubscriptions,
    upstreamSubscriptionsShared,
  };
}
export type RouterMetrics = ReturnType<typeof createRouterMetrics>;
