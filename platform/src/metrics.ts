import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Buckets (seconds) suited to GraphQL operations: 5 ms to 10 s. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets (statements) of `graphql_operation_sql_statements`. */
export const SQL_STATEMENT_BUCKETS = [0, 1, 2, 3, 5, 8, 13, 21, 50, 100];

/**
 * Error codes that mean the server failed the caller (it could not answer), as opposed to a caller's
 * error (bad input, no access, a refused operation): `INTERNAL_SERVER_ERROR` (also any error without
 * a code), `SERVICE_UNAVAILABLE` (a dependency is down) and the router's `SUBREQUEST_HTTP_ERROR` (a
 * subgraph could not be reached).
 */
export const SERVER_ERROR_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
  'SUBREQUEST_HTTP_ERROR',
]);

/**
 * A Prometheus registry labelled with `service`, with Node's default process metrics and the
 * GraphQL metrics every server exposes: operation duration by name and type, errors by code, and
 * `graphql_operations_failed_total{operation,type}`: operations answered with at least one server
 * error ({@link SERVER_ERROR_CODES}), once per operation however many errors it carried, so that
 * failed / `graphql_operation_duration_seconds_count` is the share of operations that failed (the
 * availability SLI); and `graphql_operation_sql_statements{operation,type}`, the SQL statements each
 * operation over HTTP sent (subgraphs with a database; see `countSqlStatements`).
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
  const operationsFailed = new Counter({
    name: 'graphql_operations_failed_total',
    help: 'Operations answered with at least one server error (INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE, SUBREQUEST_HTTP_ERROR), once per operation.',
    labelNames: ['operation', 'type'],
    registers: [registry],
  });
  const operationSqlStatements = new Histogram({
    name: 'graphql_operation_sql_statements',
    help: 'SQL statements one GraphQL operation over HTTP sent to Postgres, by operation name and type (N+1 queries show here).',
    labelNames: ['operation', 'type'],
    buckets: SQL_STATEMENT_BUCKETS,
    registers: [registry],
  });
  return { registry, operationDuration, errors, operationsFailed, operationSqlStatements };
}
export type Metrics = ReturnType<typeof createMetrics>;
