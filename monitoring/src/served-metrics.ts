/**
 * The metric families monitoring/ may name, with who serves them. `npm run check:monitoring` fails
 * when a rule or dashboard names anything else; `monitoring/test/metric-names.e2e.spec.ts` proves, on
 * a running stack, that every family listed here is served by every service it names (and that the
 * rules and dashboards name only what the stack serves). Histograms stand for their `_bucket`,
 * `_sum` and `_count` series.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** `router`, every `subgraph`, `all` of them, or named subgraphs. */
export type ServedBy = 'all' | 'router' | 'subgraphs' | readonly string[];

export interface ServedMetric {
  name: string;
  type: MetricType;
  servedBy: ServedBy;
  /** Where it comes from (the file that registers it). */
  source: string;
}

const kit = 'platform/src/metrics.ts';
const node = 'prom-client collectDefaultMetrics (platform/src/metrics.ts)';
const router = 'router/src/router-metrics.ts';
const kafka = 'platform/src/kafka.ts';

export const SERVED_METRICS: readonly ServedMetric[] = [
  { name: 'graphql_operation_duration_seconds', type: 'histogram', servedBy: 'all', source: kit },
  { name: 'graphql_errors_total', type: 'counter', servedBy: 'all', source: kit },
  { name: 'graphql_operations_failed_total', type: 'counter', servedBy: 'all', source: kit },
  { name: 'process_cpu_seconds_total', type: 'counter', servedBy: 'all', source: node },
  { name: 'process_resident_memory_bytes', type: 'gauge', servedBy: 'all', source: node },
  { name: 'process_start_time_seconds', type: 'gauge', servedBy: 'all', source: node },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge', servedBy: 'all', source: node },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge', servedBy: 'all', source: node },
  { name: 'subgraph_fetch_duration_seconds', type: 'histogram', servedBy: 'router', source: router },
  { name: 'subgraph_fetches_shared_total', type: 'counter', servedBy: 'router', source: router },
  { name: 'router_supergraph_reloads_total', type: 'counter', servedBy: 'router', source: router },
  { name: 'router_websocket_connections', type: 'gauge', servedBy: 'router', source: router },
  { name: 'router_subscriptions_active', type: 'gauge', servedBy: 'router', source: router },
  { name: 'router_subscription_events_total', type: 'counter', servedBy: 'router', source: router },
  {
    name: 'router_subscription_event_duration_seconds',
    type: 'histogram',
    servedBy: 'router',
    source: router,
  },
  { name: 'router_upstream_subscription_connections', type: 'gauge', servedBy: 'router', source: router },
  { name: 'router_upstream_subscriptions', type: 'gauge', servedBy: 'router', source: router },
  { name: 'router_mutations_shed_total', type: 'counter', servedBy: 'router', source: router },
  { name: 'kafka_consumer_lag', type: 'gauge', servedBy: 'subgraphs', source: kafka },
  { name: 'kafka_consumer_joined', type: 'gauge', servedBy: 'subgraphs', source: kafka },
  { name: 'kafka_messages_published_total', type: 'counter', servedBy: 'subgraphs', source: kafka },
  { name: 'kafka_messages_dead_lettered_total', type: 'counter', servedBy: 'subgraphs', source: kafka },
  { name: 'outbox_backlog', type: 'gauge', servedBy: 'subgraphs', source: 'platform/src/outbox.ts' },
  {
    name: 'graphql_ws_connections',
    type: 'gauge',
    servedBy: 'subgraphs',
    source: 'platform/src/subscriptions.ts',
  },
  {
    name: 'graphql_subscriptions_active',
    type: 'gauge',
    servedBy: 'subgraphs',
    source: 'platform/src/subscriptions.ts',
  },
  {
    name: 'live_events_delivered_total',
    type: 'counter',
    servedBy: ['orders', 'notifications'],
    source: 'platform/src/live-events.ts',
  },
  {
    name: 'live_events_dropped_total',
    type: 'counter',
    servedBy: ['orders', 'notifications'],
    source: 'platform/src/live-events.ts',
  },
  {
    name: 'live_events_duplicates_total',
    type: 'counter',
    servedBy: ['orders', 'notifications'],
    source: 'platform/src/live-events.ts',
  },
  {
    name: 'live_subscribers',
    type: 'gauge',
    servedBy: ['orders', 'notifications'],
    source: 'platform/src/live-events.ts',
  },
];

/**
 * Series that come from elsewhere in a Kubernetes cluster (kube-state-metrics), which the alerts may
 * name although no service of ours serves them.
 */
export const CLUSTER_METRICS: readonly string[] = [
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_ready',
];

/** The series names a family is scraped as. */
export function seriesNames(metric: Pick<ServedMetric, 'name' | 'type'>): string[] {
  return metric.type === 'histogram'
    ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
    : [metric.name];
}

/** Every series name a service of ours may serve (the families above, histograms expanded). */
export const SERVED_SERIES: ReadonlySet<string> = new Set(SERVED_METRICS.flatMap(seriesNames));

/** Whether `service` (router or a subgraph's name) serves `metric`. */
export function serves(metric: ServedMetric, service: string): boolean {
  const { servedBy } = metric;
  if (servedBy === 'all') return true;
  if (servedBy === 'router') return service === 'router';
  if (servedBy === 'subgraphs') return service !== 'router';
  return servedBy.includes(service);
}
