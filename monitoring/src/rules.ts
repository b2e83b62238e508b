/**
 * The Prometheus rules of the platform, as data: `generate.ts` writes each file twice, as a plain
 * rule file (`monitoring/rules/<file>.rules.yaml`, what promtool and the e2e Prometheus load) and as
 * a Prometheus Operator `PrometheusRule` (`monitoring/prometheusrules/<file>.yaml`). Recording rules
 * are named `level:metric:operations`; every alert has a severity, a summary, a description and a
 * runbook (a section of monitoring/README.md named after the alert).
 */

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning' } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string };
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export interface RuleFile {
  /** File stem and PrometheusRule name (`shop-<name>`). */
  name: string;
  groups: RuleGroup[];
}

export const isAlert = (rule: Rule): rule is AlertingRule => 'alert' in rule;

/** Where the runbooks live: monitoring/README.md on the default branch. */
export const RUNBOOK_BASE = 'https://github.com/shop/shop/blob/main/monitoring/README.md';
export const runbook = (alert: string) => `${RUNBOOK_BASE}#${alert.toLowerCase()}`;

/** Trims the indentation of a template literal holding PromQL (raw: backslashes reach PromQL as written). */
const q = (strings: TemplateStringsArray, ...values: unknown[]) => {
  const text = String.raw({ raw: strings.raw }, ...values);
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
};

/** The windows the SLO ratios are recorded over (the long and short windows of the alerts). */
export const SLO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
type Window = (typeof SLO_WINDOWS)[number];

/**
 * Multi-window, multi-burn-rate alerting (the Site Reliability Workbook, chapter 5): page when 2% of
 * a 30-day budget burns in an hour or 5% in six hours; open a ticket for 10% in a day or 10% in
 * three days. Each long window is paired with a short one (1/12 of it) so an alert stops soon
 * after the burn does.
 */
export const BURN_RATES: readonly {
  long: Window;
  short: Window;
  factor: number;
  for: string;
  severity: 'critical' | 'warning';
}[] = [
  { long: '1h', short: '5m', factor: 14.4, for: '2m', severity: 'critical' },
  { long: '6h', short: '30m', factor: 6, for: '15m', severity: 'critical' },
  { long: '1d', short: '2h', factor: 3, for: '1h', severity: 'warning' },
  { long: '3d', short: '6h', factor: 1, for: '3h', severity: 'warning' },
];

/** 99.9% of operations answered without a server error. */
export const AVAILABILITY_TARGET = 0.999;
/** 99% of operations answered within 500 ms (a bucket boundary of DURATION_BUCKETS). */
export const LATENCY_TARGET = 0.99;
export const LATENCY_THRESHOLD_SECONDS = '0.5';

/**
 * Operations that count for the SLOs: queries and mutations (over HTTP, and over WebSocket in the
 * subgraphs), also `unknown` ones (refused before they were parsed); never a subscription, whose
 * "duration" is how long a client stayed.
 */
const SLI_SELECTOR = 'type!="subscription"';
const BY = 'namespace, service';

const availabilityRatio = (w: Window): RecordingRule => ({
  record: `service:graphql_operations_failed:ratio_rate${w}`,
  // A service without a failure has no failed series: `or ... * 0` makes its ratio 0, not absent.
  expr: q`
    (
      sum by (${BY}) (rate(graphql_operations_failed_total{${SLI_SELECTOR}}[${w}]))
      or
      sum by (${BY}) (rate(graphql_operation_duration_seconds_count{${SLI_SELECTOR}}[${w}])) * 0
    )
    /
    sum by (${BY}) (rate(graphql_operation_duration_seconds_count{${SLI_SELECTOR}}[${w}]))
  `,
});

const latencyRatio = (w: Window): RecordingRule => ({
  record: `service:graphql_operations_slow:ratio_rate${w}`,
  expr: q`
    1 - (
      sum by (${BY}) (rate(graphql_operation_duration_seconds_bucket{${SLI_SELECTOR},le="${LATENCY_THRESHOLD_SECONDS}"}[${w}]))
      /
      sum by (${BY}) (rate(graphql_operation_duration_seconds_count{${SLI_SELECTOR}}[${w}]))
    )
  `,
});

function burnRateAlerts(options: {
  alert: string;
  ratio: string;
  target: number;
  selector: string;
  what: string;
  summary: string;
}): AlertingRule[] {
  const budget = Number((1 - options.target).toFixed(6));
  return BURN_RATES.map((b) => ({
    alert: options.alert,
    expr: q`
      ${options.ratio}${b.long}{${options.selector}} > (${b.factor} * ${budget})
      and
      ${options.ratio}${b.short}{${options.selector}} > (${b.factor} * ${budget})
    `,
    for: b.for,
    labels: { severity: b.severity, long: b.long, short: b.short },
    annotations: {
      summary: options.summary,
      description:
        `{{ $labels.service }} (namespace {{ $labels.namespace }}): ${options.what} over the last ${b.long} ` +
        `is {{ $value | humanizePercentage }}, ${b.factor}x the error budget of ${(budget * 100).toFixed(1)}%; ` +
        `at this rate the 30-day budget is gone in ${burnTime(b.factor)}.`,
      runbook_url: runbook(options.alert),
    },
  }));
}

const burnTime = (factor: number) => {
  const hours = (30 * 24) / factor;
  return hours >= 72 ? `${Math.round(hours / 24)} days` : `${Math.round(hours)} hours`;
};

function sloFile(): RuleFile {
  const availability = (service: 'router' | 'subgraph') =>
    burnRateAlerts({
      alert: service === 'router' ? 'RouterAvailabilityBudgetBurn' : 'SubgraphAvailabilityBudgetBurn',
      ratio: 'service:graphql_operations_failed:ratio_rate',
      target: AVAILABILITY_TARGET,
      selector: service === 'router' ? 'service="router"' : 'service!="router"',
      what: 'the share of operations answered with a server error',
      summary:
        service === 'router'
          ? 'The router is burning its availability error budget (99.9% of operations without a server error).'
          : 'A subgraph is burning its availability error budget (99.9% of operations without a server error).',
    });
  const latency = (service: 'router' | 'subgraph') =>
    burnRateAlerts({
      alert: service === 'router' ? 'RouterLatencyBudgetBurn' : 'SubgraphLatencyBudgetBurn',
      ratio: 'service:graphql_operations_slow:ratio_rate',
      target: LATENCY_TARGET,
      selector: service === 'router' ? 'service="router"' : 'service!="router"',
      what: 'the share of operations slower than 500 ms',
      summary:
        service === 'router'
          ? 'The router is burning its latency error budget (99% of operations within 500 ms).'
          : 'A subgraph is burning its latency error budget (99% of operations within 500 ms).',
    });
  return {
    name: 'slo',
    // Each SLO's recording rules and alerts share a group: a group runs its rules in order, so an
    // alert reads the ratios of the same evaluation (separate groups run independently).
    groups: [
      {
        name: 'shop-slo-availability',
        rules: [
          ...SLO_WINDOWS.map(availabilityRatio),
          ...availability('router'),
          ...availability('subgraph'),
        ],
      },
      {
        name: 'shop-slo-latency',
        rules: [...SLO_WINDOWS.map(latencyRatio), ...latency('router'), ...latency('subgraph')],
      },
    ],
  };
}

function kafkaFile(): RuleFile {
  return {
    name: 'kafka',
    groups: [
      {
        // Recording rules first: the alerts below read them in the same evaluation.
        name: 'shop-kafka',
        rules: [
          {
            // Every replica of a subgraph reports its group's lag on every partition (read from the
            // broker), so replicas are collapsed with max before partitions are summed.
            record: 'service_group_topic:kafka_consumer_lag:sum',
            expr: q`
              sum by (namespace, service, group, topic) (
                max by (namespace, service, group, topic, partition) (kafka_consumer_lag)
              )
            `,
          },
          {
            // Every replica counts the same outbox table: max, not sum.
            record: 'service:outbox_backlog:max',
            expr: 'max by (namespace, service) (outbox_backlog)',
          },
          {
            alert: 'KafkaConsumerLagGrowing',
            expr: q`
              service_group_topic:kafka_consumer_lag:sum > 100
              and
              deriv(service_group_topic:kafka_consumer_lag:sum[10m]) > 0
            `,
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A consumer group falls further behind its topic.',
              description:
                'Consumer group {{ $labels.group }} of {{ $labels.service }} (namespace {{ $labels.namespace }}) ' +
                'is {{ $value | humanize }} messages behind on {{ $labels.topic }}, and the lag has grown for 15 minutes.',
              runbook_url: runbook('KafkaConsumerLagGrowing'),
            },
          },
          {
            alert: 'OutboxBacklogGrowing',
            expr: q`
              service:outbox_backlog:max > 100
              and
              deriv(service:outbox_backlog:max[10m]) > 0
            `,
            for: '15m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Events wait longer and longer in an outbox.',
              description:
                '{{ $value | humanize }} events of {{ $labels.service }} (namespace {{ $labels.namespace }}) ' +
                'wait in outbox_message and the backlog has grown for 15 minutes: the relay publishes less than is recorded.',
              runbook_url: runbook('OutboxBacklogGrowing'),
            },
          },
          {
            alert: 'OutboxNotDraining',
            expr: 'min_over_time(service:outbox_backlog:max[15m]) > 0',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'An outbox has not been empty for 15 minutes.',
              description:
                'The outbox of {{ $labels.service }} (namespace {{ $labels.namespace }}) has held at least ' +
                '{{ $value | humanize }} events at every moment of the last 15 minutes: its relay is not publishing.',
              runbook_url: runbook('OutboxNotDraining'),
            },
          },
          {
            alert: 'KafkaMessagesDeadLettered',
            expr: q`
              sum by (namespace, service, group, topic) (
                increase(kafka_messages_dead_lettered_total[30m])
              ) > 0
            `,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'Messages went to a dead-letter topic.',
              description:
                'Consumer group {{ $labels.group }} of {{ $labels.service }} (namespace {{ $labels.namespace }}) ' +
                'dead-lettered about {{ $value | humanize }} message(s) of {{ $labels.topic }} in the last 30 minutes.',
              runbook_url: runbook('KafkaMessagesDeadLettered'),
            },
          },
          {
            alert: 'KafkaConsumerNotJoined',
            expr: 'kafka_consumer_joined == 0',
            for: '10m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A consumer has not been in its group for 10 minutes.',
              description:
                'A member of consumer group {{ $labels.group }} of {{ $labels.service }} ' +
                '(namespace {{ $labels.namespace }}, pod {{ $labels.pod }}) has been joining, rebalancing or ' +
                'retrying for 10 minutes: it consumes nothing.',
              runbook_url: runbook('KafkaConsumerNotJoined'),
            },
          },
          {
            alert: 'KafkaConsumerGroupDown',
            // Per-replica live-event groups (`<name>.live.<instance>`) have one member each: the alert
            // above covers them.
            expr: q`
              max by (namespace, service, group) (kafka_consumer_joined{group!~".+\\.live\\..+"}) == 0
            `,
            for: '5m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'No member of a consumer group is consuming.',
              description:
                'No replica of {{ $labels.service }} (namespace {{ $labels.namespace }}) has been in consumer ' +
                'group {{ $labels.group }} for 5 minutes: its events are not processed.',
              runbook_url: runbook('KafkaConsumerGroupDown'),
            },
          },
        ],
      },
    ],
  };
}

/**
 * A counter that may appear at a value above 0 (prom-client creates a labelled series at its first
 * increment): it grew within `window`, or it appeared within `window` already above 0.
 */
const grewOrAppeared = (series: string, by: string, window: string) => q`
  sum by (${by}) (increase(${series}[${window}])) > 0
  or
  sum by (${by}) (${series} > 0 unless ${series} offset ${window})
`;

function subscriptionsFile(): RuleFile {
  return {
    name: 'subscriptions',
    groups: [
      {
        name: 'shop-subscriptions',
        rules: [
          {
            alert: 'RouterSubscriptionEventsDropped',
            expr: q`
              sum by (namespace, service) (rate(router_subscription_events_total{outcome="dropped"}[15m]))
              /
              sum by (namespace, service) (rate(router_subscription_events_total[15m]))
              > 0.01
            `,
            for: '5m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'The router drops subscription events for slow clients.',
              description:
                '{{ $value | humanizePercentage }} of the subscription events of {{ $labels.service }} ' +
                '(namespace {{ $labels.namespace }}) in the last 15 minutes were dropped: clients too slow ' +
                'to read them were disconnected.',
              runbook_url: runbook('RouterSubscriptionEventsDropped'),
            },
          },
          {
            alert: 'LiveEventsDropped',
            expr: grewOrAppeared('live_events_dropped_total', 'namespace, service, reason', '15m'),
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A subgraph dropped live events meant for subscriptions.',
              description:
                '{{ $labels.service }} (namespace {{ $labels.namespace }}) dropped live events in the last ' +
                '15 minutes (reason {{ $labels.reason }}): overflow ends a subscriber 256 events behind, ' +
                'invalid means a payload its parser refused.',
              runbook_url: runbook('LiveEventsDropped'),
            },
          },
        ],
      },
    ],
  };
}

/** kube-state-metrics series of the platform's containers (each named after its service). */
function kubernetesFile(services: readonly string[]): RuleFile {
  const containers = `container=~"${services.join('|')}"`;
  return {
    name: 'kubernetes',
    groups: [
      {
        name: 'shop-kubernetes',
        rules: [
          {
            alert: 'ServiceReadinessFlapping',
            expr: `changes(kube_pod_container_status_ready{${containers}}[15m]) >= 4`,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A pod keeps going in and out of readiness.',
              description:
                'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} changed ' +
                'readiness {{ $value }} times in 15 minutes.',
              runbook_url: runbook('ServiceReadinessFlapping'),
            },
          },
          {
            alert: 'ServicePodRestarting',
            expr: `increase(kube_pod_container_status_restarts_total{${containers}}[30m]) >= 2`,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'A container restarts again and again.',
              description:
                'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted ' +
                '{{ $value | humanize }} times in 30 minutes.',
              runbook_url: runbook('ServicePodRestarting'),
            },
          },
        ],
      },
    ],
  };
}

/** Every rule file; `services` are the router's and the subgraphs' names (container names). */
export function ruleFiles(services: readonly string[]): RuleFile[] {
  return [sloFile(), kafkaFile(), subscriptionsFile(), kubernetesFile(services)];
}
