import { NS, prom, quantile, row, series, shopDashboard, single } from './common.js';

const R = `service="router", ${NS}`;
const rate = (metric: string, selector = R) => `rate(${metric}{${selector}}[$__rate_interval])`;

/** The edge: RED per operation, subgraph fetches, subscriptions, supergraph reloads, the process. */
export function routerDashboard() {
  return shopDashboard(
    'shop-router',
    'Shop / Router',
    'The router: requests, subgraph fetches and subscriptions.',
  )
    .withRow(row('Service level (SLOs: 99.9% without a server error, 99% within 500 ms)'))
    .withPanel(
      single(
        'Availability, 1 h',
        'Share of operations answered without a server error (service:graphql_operations_failed:ratio_rate1h).',
        'percentunit',
        'sum(1 - service:graphql_operations_failed:ratio_rate1h{service="router", ' + NS + '})',
      ),
    )
    .withPanel(
      single(
        'Within 500 ms, 1 h',
        'Share of operations answered within 500 ms (service:graphql_operations_slow:ratio_rate1h).',
        'percentunit',
        'sum(1 - service:graphql_operations_slow:ratio_rate1h{service="router", ' + NS + '})',
      ),
    )
    .withPanel(
      single(
        'Availability budget left, 30 d',
        'Share of the 30-day error budget (0.1% of operations) not yet burnt, from the 3-day burn rate.',
        'percentunit',
        'sum(1 - service:graphql_operations_failed:ratio_rate3d{service="router", ' + NS + '} / 0.001 / 10)',
      ),
    )
    .withPanel(
      single(
        'Operations per second',
        'All operations the router answered.',
        'reqps',
        `sum(${rate('graphql_operation_duration_seconds_count')})`,
      ),
    )
    .withRow(row('Requests by operation (RED)'))
    .withPanel(
      series('Rate', 'Operations per second by name.', 'reqps', [
        prom(`sum by (operation) (${rate('graphql_operation_duration_seconds_count')})`, '{{operation}}'),
      ]),
    )
    .withPanel(
      series(
        'Errors',
        'Operations answered with a server error, by name; errors returned, by code (caller errors included).',
        'reqps',
        [
          prom(`sum by (operation) (${rate('graphql_operations_failed_total')})`, 'failed {{operation}}'),
          prom(`sum by (code) (${rate('graphql_errors_total')})`, 'error {{code}}'),
        ],
      ),
    )
    .withPanel(
      series('Duration p99', '99th percentile of operation duration by name.', 's', [
        prom(quantile(0.99, 'graphql_operation_duration_seconds', R, 'operation'), '{{operation}}'),
      ]),
    )
    .withPanel(
      series('Duration p50', 'Median operation duration by name.', 's', [
        prom(quantile(0.5, 'graphql_operation_duration_seconds', R, 'operation'), '{{operation}}'),
      ]),
    )
    .withRow(row('Subgraph fetches'))
    .withPanel(
      series('Fetch latency p99', '99th percentile of one fetch from the router to a subgraph.', 's', [
        prom(quantile(0.99, 'subgraph_fetch_duration_seconds', R, 'subgraph'), '{{subgraph}}'),
      ]),
    )
    .withPanel(
      series(
        'Fetches by outcome',
        'Fetches per second by subgraph and outcome (ok, errors: GraphQL errors, failed: no usable answer).',
        'reqps',
        [
          prom(
            `sum by (subgraph, outcome) (${rate('subgraph_fetch_duration_seconds_count')})`,
            '{{subgraph}} {{outcome}}',
          ),
        ],
      ),
    )
    .withPanel(
      series(
        'Shared fetches',
        'Reads answered by an identical read already in flight (sent once).',
        'reqps',
        [prom(`sum by (subgraph) (${rate('subgraph_fetches_shared_total')})`, '{{subgraph}}')],
      ),
    )
    .withPanel(
      series(
        'Shed mutations',
        'Mutations the router refused itself (503, no fetch) while the subgraph owning the field sheds load.',
        'reqps',
        [prom(`sum by (field) (${rate('router_mutations_shed_total')})`, '{{field}}')],
      ),
    )
    .withPanel(
      series(
        'Supergraph reloads',
        'Supergraph file changes applied or rejected (the previous one keeps serving).',
        'short',
        [
          prom(
            `sum by (outcome) (increase(router_supergraph_reloads_total{${R}}[$__rate_interval]))`,
            '{{outcome}}',
          ),
        ],
      ),
    )
    .withRow(row('Subscriptions'))
    .withPanel(
      series(
        'Connections and subscriptions',
        'Client WebSocket connections and the subscriptions they run.',
        'short',
        [
          prom(`sum(router_websocket_connections{${R}})`, 'connections'),
          prom(`sum(router_subscriptions_active{${R}})`, 'subscriptions'),
        ],
      ),
    )
    .withPanel(
      series(
        'Events',
        'Subscription events delivered, and dropped for clients too slow to read them.',
        'ops',
        [prom(`sum by (outcome) (${rate('router_subscription_events_total')})`, '{{outcome}}')],
      ),
    )
    .withPanel(
      series('Event resolution p99', 'Time to resolve one event (its plan over the other subgraphs).', 's', [
        prom(
          `histogram_quantile(0.99, sum by (le) (${rate('router_subscription_event_duration_seconds_bucket')}))`,
          'p99',
        ),
      ]),
    )
    .withPanel(
      series('Upstream connections', 'WebSocket connections from the router to subgraphs.', 'short', [
        prom(`sum by (subgraph) (router_upstream_subscription_connections{${R}})`, '{{subgraph}}'),
      ]),
    )
    .withPanel(
      series(
        'Upstream subscriptions',
        'Subscriptions the router holds at subgraphs: client subscriptions of one operation, variables and caller share one.',
        'short',
        [
          prom(`sum by (subgraph) (router_upstream_subscriptions{${R}})`, '{{subgraph}}'),
          prom(`sum(router_subscriptions_active{${R}})`, 'client subscriptions'),
        ],
      ),
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
          prom(`sum by (instance) (process_resident_memory_bytes{${R}})`, 'rss {{instance}}'),
          prom(`sum by (instance) (nodejs_heap_size_used_bytes{${R}})`, 'heap {{instance}}'),
        ],
        8,
      ),
    )
    .withPanel(
      series(
        'Event loop lag p99',
        'Event loop delay, 99th percentile, per instance.',
        's',
        [prom(`max by (instance) (nodejs_eventloop_lag_p99_seconds{${R}})`, '{{instance}}')],
        8,
      ),
    );
}
