import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { errorCodeOf } from '../errors.js';
import { SERVER_ERROR_CODES, type Metrics } from '../metrics.js';
import { sqlStatementsSoFar } from '../sql-statements.js';

export interface MetricsPluginOptions {
  /** Where durations and error counts are recorded. */
  metrics: Metrics;
  /**
   * Distinct operation names recorded as labels (default 200); later names are recorded as
   * `other`, so clients choosing names cannot grow the series without bound.
   */
  maxOperationNames?: number;
}

/**
 * Records each operation's duration (labels: operation name or `anonymous`, operation type), counts
 * every error returned by its `extensions.code`, and counts the operation once in
 * `graphql_operations_failed_total` when any of its errors is a server error. An operation served over
 * HTTP by a service that counts its SQL (see `countSqlStatements`) also records how many statements it
 * sent in `graphql_operation_sql_statements`.
 */
export function metricsPlugin<C extends BaseContext>({
  metrics,
  maxOperationNames = 200,
}: MetricsPluginOptions): ApolloServerPlugin<C> {
  const seen = new Set<string>();
  const label = (name: string) => {
    if (seen.has(name)) return name;
    if (seen.size >= maxOperationNames) return 'other';
    seen.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const stop = metrics.operationDuration.startTimer();
      return {
        async willSendResponse({ operationName, operation, errors }) {
          const name = label(operationName ?? 'anonymous');
          const type = operation?.operation ?? 'unknown';
          stop({ operation: name, type });
          const statements = sqlStatementsSoFar();
          if (statements !== undefined)
            metrics.operationSqlStatements.observe({ operation: name, type }, statements);
          const codes = (errors ?? []).map(errorCodeOf);
          for (const code of codes) metrics.errors.inc({ code, operation: name });
          if (codes.some((code) => SERVER_ERROR_CODES.has(code)))
            metrics.operationsFailed.inc({ operation: name, type });
        },
      };
    },
  };
}
