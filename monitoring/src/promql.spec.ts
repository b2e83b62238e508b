import { describe, expect, it } from '@jest/globals';
import { grafanaQueryMetricNames, metricNames } from './promql.js';

describe('metricNames', () => {
  it('finds selectors and skips functions, aggregations, grouping labels, matchers and ranges', () => {
    expect(
      metricNames(`
        sum by (service, le) (rate(graphql_operation_duration_seconds_bucket{service=~"a|b", le="0.5"}[5m]))
        / on (service) group_left (team)
        sum without (instance) (increase(graphql_operations_failed_total[1h] offset 5m))
        and ignoring (pod) kafka_consumer_lag > 0.5 * 1e3
        or vector(0) unless absent(up)
      `),
    ).toEqual([
      'graphql_operation_duration_seconds_bucket',
      'graphql_operations_failed_total',
      'kafka_consumer_lag',
      'up',
    ]);
  });

  it('reads recording-rule names, __name__ matchers and subqueries', () => {
    expect(metricNames('deriv(service:outbox_backlog:max[10m:1m]) > 0')).toEqual([
      'service:outbox_backlog:max',
    ]);
    expect(metricNames('{__name__="outbox_backlog", service="orders"}')).toEqual(['outbox_backlog']);
    expect(metricNames('{__name__=~"outbox.*"}')).toEqual([]);
    expect(metricNames('max(x{a="by (nothing)"}) by (a)')).toEqual(['x']);
  });
});

describe('grafanaQueryMetricNames', () => {
  it('reads label_values selectors and PromQL with Grafana variables', () => {
    expect(grafanaQueryMetricNames('label_values(graphql_errors_total{service!="router"}, service)')).toEqual(
      ['graphql_errors_total'],
    );
    expect(
      grafanaQueryMetricNames(
        'sum(rate(kafka_consumer_lag{service=~"$service"}[$__rate_interval])) by (group)',
      ),
    ).toEqual(['kafka_consumer_lag']);
  });
});
