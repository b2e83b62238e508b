import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Buckets (seconds) suited to GraphQL operations: 5 ms to 10 s. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A Prometheus registry labelled with `service`, with Node's default process metrics and the
 * GraphQL metrics every server exposes: operation duration by name and type, errors by code.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time to execute a GraphQL operation, by operation name and type.',
    labelNames: ['operation', 'type'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors returned to callers, by extensions.code.',
    labelNames: ['code', 'operation'],
    registers: [registry],
  });
  return { registry, operationDuration, errors };
}
export type Metrics = ReturnType<typeof createMetrics>;
