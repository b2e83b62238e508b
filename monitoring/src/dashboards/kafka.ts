import { NS, prom, row, series, shopDashboard } from './common.js';

/** Every consumer group, outbox and dead-letter topic of the platform. */
export function kafkaDashboard() {
  return shopDashboard(
    'shop-kafka',
    'Shop / Kafka',
    'Consumer lag per group, outbox backlogs, dead letters, group membership.',
  )
    .withRow(row('Consumers'))
    .withPanel(
      series(
        'Lag per group',
        'Messages each consumer group has not committed yet, summed over its topics.',
        'short',
        [prom(`sum by (service, group) (service_group_topic:kafka_consumer_lag:sum{${NS}})`, '{{group}}')],
      ),
    )
    .withPanel(
      series('Lag per group and topic', 'The same, per topic.', 'short', [
        prom(
          `sum by (group, topic) (service_group_topic:kafka_consumer_lag:sum{${NS}})`,
          '{{group}} {{topic}}',
        ),
      ]),
    )
    .withPanel(
      series(
        'Members not joined',
        'Consumer group members joining, rebalancing or retrying (kafka_consumer_joined == 0), by group.',
        'short',
        [prom(`count by (service, group) (kafka_consumer_joined{${NS}} == 0)`, '{{group}}')],
      ),
    )
    .withPanel(
      series('Members joined', 'Members in their group and consuming, by group.', 'short', [
        prom(`sum by (service, group) (kafka_consumer_joined{${NS}})`, '{{group}}'),
      ]),
    )
    .withRow(row('Outbox and dead letters'))
    .withPanel(
      series('Outbox backlog', "Events waiting in each subgraph's outbox_message.", 'short', [
        prom(`sum by (service) (service:outbox_backlog:max{${NS}})`, '{{service}}'),
      ]),
    )
    .withPanel(
      series('Published', 'Messages the broker acknowledged, by producing service and topic.', 'ops', [
        prom(
          `sum by (service, topic) (rate(kafka_messages_published_total{${NS}}[$__rate_interval]))`,
          '{{service}} {{topic}}',
        ),
      ]),
    )
    .withPanel(
      series(
        'Dead-lettered',
        'Messages written to a dead-letter topic (<group>.dlq), by group and the topic they came from.',
        'short',
        [
          prom(
            `sum by (group, topic) (increase(kafka_messages_dead_lettered_total{${NS}}[$__rate_interval]))`,
            '{{group}} {{topic}}',
          ),
        ],
        24,
      ),
    );
}
