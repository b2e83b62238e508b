import { labelVariable, NS, prom, quantile, row, series, shopDashboard, single } from './common.js';

const S = `service="$service", ${NS}`;
const rate = (metric: string, selector = S) => `rate(${metric}{${selector}}[$__rate_interval])`;

/** One dashboard for every subgraph, chosen with the `service` variable. */
export function subgraphDashboard() {
  return shopDashboard(
    'shop-subgraph',
    'Shop / Subgraph',
    'One subgraph: requests, Kafka, outbox, live events, process.',
  )
    .withVariable(
      labelVariable(
        'service',
        'Subgraph',
        'label_values(graphql_operation_duration_seconds_count{service!="router"}, service)',
        { all: false },
      ),
    )
    .withRow(row('Service level'))
    .withPanel(
      single(
        'Availability, 1 h',
        'Share of operations answered without a server error.',
        'percentunit',
        `sum(1 - service:graphql_operations_failed:ratio_rate1h{${S}})`,
      ),
    )
    .withPanel(
      single(
        'Within 500 ms, 1 h',
        'Share of operations answered within 500 ms.',
        'percentunit',
        `sum(1 - service:graphql_operations_slow:ratio_rate1h{${S}})`,
      ),
    )
    .withPanel(
      single(
        'Outbox backlog',
        'Events waiting to be published.',
        'short',
        `sum(service:outbox_backlog:max{${S}})`,
      ),
    )
    .withPanel(
      single(
        'Consumers not in their group',
        'Consumer group members joining, rebalancing or retrying.',
        'short',
        `count(kafka_consumer_joined{${S}} == 0) or vector(0)`,
      ),
    )
    .withRow(row('Requests by operation (RED)'))
    .withPanel(
      series('Rate', 'Operations per second by name and type.', 'reqps', [
        prom(
          `sum by (operation, type) (${rate('graphql_operation_duration_seconds_count')})`,
          '{{type}} {{operation}}',
        ),
      ]),
    )
    .withPanel(
      series('Errors', 'Operations answered with a server error, and errors returned by code.', 'reqps', [
        prom(`sum by (operation) (${rate('graphql_operations_failed_total')})`, 'failed {{operation}}'),
        prom(`sum by (code) (${rate('graphql_errors_total')})`, 'error {{code}}'),
      ]),
    )
    .withPanel(
      series('Duration p99', '99th percentile of operation duration by name.', 's', [
        prom(quantile(0.99, 'graphql_operation_duration_seconds', S, 'operation'), '{{operation}}'),
      ]),
    )
    .withPanel(
      series('Duration p50', 'Median operation duration by name.', 's', [
        prom(quantile(0.5, 'graphql_operation_duration_seconds', S, 'operation'), '{{operation}}'),
      ]),
    )
    .withRow(row('Kafka and outbox'))
    .withPanel(
      series('Consumer lag', 'Messages not committed yet, by group and topic.', 'short', [
        prom(
          `sum by (group, topic) (service_group_topic:kafka_consumer_lag:sum{${S}})`,
          '{{group}} {{topic}}',
        ),
      ]),
    )
    .withPanel(
      series('Consumer joined', 'Per member: 1 when in its group and consuming.', 'short', [
        prom(`kafka_consumer_joined{${S}}`, '{{group}} {{instance}}'),
      ]),
    )
    .withPanel(
      series('Published', 'Messages the broker acknowledged, by topic.', 'ops', [
        prom(`sum by (topic) (${rate('kafka_messages_published_total')})`, '{{topic}}'),
      ]),
    )
    .withPanel(
      series('Dead-lettered', 'Messages sent to the dead-letter topic, by group and source topic.', 'short', [
        prom(
          `sum by (group, topic) (increase(kafka_messages_dead_lettered_total{${S}}[$__rate_interval]))`,
          '{{group}} {{topic}}',
        ),
      ]),
    )
    .withPanel(
      series('Outbox backlog', 'Rows waiting in outbox_message.', 'short', [
        prom(`max(outbox_backlog{${S}})`, 'backlog'),
      ]),
    )
    .withRow(row('Subscriptions'))
    .withPanel(
      series('WebSocket', 'Open GraphQL WebSocket connections and subscriptions served.', 'short', [
        prom(`sum(graphql_ws_connections{${S}})`, 'connections'),
        prom(`sum(graphql_subscriptions_active{${S}})`, 'subscriptions'),
        prom(`sum(live_subscribers{${S}})`, 'live subscribers'),
      ]),
    )
    .withPanel(
      series('Live events', 'Live events queued for subscribers, and dropped (overflow, invalid).', 'ops', [
        prom(`sum by (topic) (${rate('live_events_delivered_total')})`, 'delivered {{topic}}'),
        prom(`sum by (reason) (${rate('live_events_dropped_total')})`, 'dropped {{reason}}'),
      ]),
    )
    .withRow(row('Process'))
    .withPanel(
      series(
        'CPU',
        'CPU seconds per second, per instance.',
        'percentunit',
        [prom(`sum by (instance) (${rate('process_cpu_seconds_total')})`, '{{instance}}')],
        8,
      ),
    )
    .withPanel(
      series(
        'Memory',
        'Resident memory and V8 heap used, per instance.',
        'bytes',
        [
          prom(`sum by (instance) (process_resident_memory_bytes{${S}})`, 'rss {{instance}}'),
          prom(`sum by (instance) (nodejs_heap_size_used_bytes{${S}})`, 'heap {{instance}}'),
        ],
        8,
      ),
    )
    .withPanel(
      series(
        'Event loop lag p99',
        'Event loop delay, 99th percentile, per instance.',
        's',
        [prom(`max by (instance) (nodejs_eventloop_lag_p99_seconds{${S}})`, '{{instance}}')],
        8,
      ),
    );
}
