import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { errorCodeOf } from '../errors.js';
import type { Metrics } from '../metrics.js';

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
 * Records each operation's duration (labels: operation name or `anonymous`, operation type) and
 * counts every error returned by its `extensions.code`.
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
          stop({ operation: name, type: operation?.operation ?? 'unknown' });
          for (const error of errors ?? []) metrics.errors.inc({ code: errorCodeOf(error), operation: name });
        },
      };
    },
  };
}
