import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { errorCodeOf } from '../errors.js';
import type { Metrics } from '../metrics.js';

export interface MetricsPluginOptions {
  /** Where durations and error counts are recorded. */
  metrics: Metrics;
}

/**
 * Records each operation's duration (labels: operation name or `anonymous`, operation type) and
 * counts every error returned by its `extensions.code`.
 */
export function metricsPlugin<C extends BaseContext>({ metrics }: MetricsPluginOptions): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const stop = metrics.operationDuration.startTimer();
      return {
        async willSendResponse({ operationName, operation, errors }) {
          const name = operationName ?? 'anonymous';
          stop({ operation: name, type: operation?.operation ?? 'unknown' });
          for (const error of errors ?? []) metrics.errors.inc({ code: errorCodeOf(error), operation: name });
        },
      };
    },
  };
}
