import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { errorCodeOf, SERVER_ERROR_CODES, type Metrics } from '@shop/platform/edge';

export interface OperationMetricsPluginOptions {
  /** Where durations and error counts are recorded (the kit's `createMetrics`). */
  metrics: Metrics;
  /**
   * Distinct operation names used as label values; later new names are recorded as `other`. Clients
   * choose operation names, so without a bound a client could grow the registry without end. Default 500.
   */
  maxOperationNames?: number;
}

/**
 * The kit's metrics plugin for a public edge: records each operation's duration
 * (`graphql_operation_duration_seconds{operation,type}`) and counts every error returned by its code
 * (`graphql_errors_total{code,operation}`) and, once per operation with a server error, counts it in
 * `graphql_operations_failed_total{operation,type}`, with the operation label bounded by `maxOperationNames`.
 * Requests refused before an operation is known (CSRF, a bad token) are counted with operation `unknown`.
 */
export function operationMetricsPlugin<C extends BaseContext>({
  metrics,
  maxOperationNames = 500,
}: OperationMetricsPluginOptions): ApolloServerPlugin<C> {
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (known.has(name)) return name;
    if (known.size >= maxOperationNames) return 'other';
    known.add(name);
    return name;
  };
  return {
    async invalidRequestWasReceived({ error }) {
      // A request Apollo refused before parsing it (CSRF, a malformed body): BAD_REQUEST.
      metrics.errors.inc({
        code: errorCodeOf(error as { extensions?: Record<string, unknown> }),
        operation: 'unknown',
      });
    },
    async contextCreationDidFail({ error }) {
      metrics.errors.inc({
        code: errorCodeOf(error as { extensions?: Record<string, unknown> }),
        operation: 'unknown',
      });
    },
    async requestDidStart() {
      const stop = metrics.operationDuration.startTimer();
      return {
        async willSendResponse({ operationName, operation, errors }) {
          const name = label(operationName);
          const type = operation?.operation ?? 'unknown';
          stop({ operation: name, type });
          const codes = (errors ?? []).map(errorCodeOf);
          for (const code of codes) metrics.errors.inc({ code, operation: name });
          if (codes.some((code) => SERVER_ERROR_CODES.has(code)))
            metrics.operationsFailed.inc({ operation: name, type });
        },
      };
    },
  };
}
