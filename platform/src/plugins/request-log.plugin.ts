import type { ApolloServerPlugin } from '@apollo/server';
import { errorCodeOf } from '../errors.js';
import type { RequestContext } from '../server.js';

/**
 * Logs one line per operation with its name, duration and error codes: `debug` when it succeeded,
 * `info` for caller errors, `warn` (with the original error) when a dependency is down
 * (SERVICE_UNAVAILABLE), `error` (with the original error) for internal failures.
 */
export function requestLogPlugin<C extends RequestContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ contextValue, operationName, errors }) {
          const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
          const codes = (errors ?? []).map(errorCodeOf);
          const line = {
            operation: operationName ?? 'anonymous',
            durationMs,
            ...(codes.length ? { codes } : {}),
          };
          const internal = (errors ?? []).filter((e) => errorCodeOf(e) === 'INTERNAL_SERVER_ERROR');
          const unavailable = (errors ?? []).filter((e) => errorCodeOf(e) === 'SERVICE_UNAVAILABLE');
          if (internal.length)
            contextValue.logger.error(
              { ...line, err: internal[0]?.originalError ?? internal[0] },
              'operation failed',
            );
          else if (unavailable.length)
            contextValue.logger.warn(
              { ...line, err: unavailable[0]?.originalError ?? unavailable[0] },
              'operation failed: a dependency is unavailable',
            );
          else if (codes.length) contextValue.logger.info(line, 'operation refused');
          else contextValue.logger.debug(line, 'operation');
        },
      };
    },
  };
}
