import type { ApolloServerPlugin } from '@apollo/server';
import { errorCodeOf } from '../errors.js';
import type { RequestContext } from '../server.js';

/**
 * Logs one line per operation with its name, duration and error codes: `debug` when it succeeded,
 * `info` for caller errors, `error` (with the original error) for internal failures.
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
          if (internal.length)
            contextValue.logger.error(
              { ...line, err: internal[0]?.originalError ?? internal[0] },
              'operation failed',
            );
          else if (codes.length) contextValue.logger.info(line, 'operation refused');
          else contextValue.logger.debug(line, 'operation');
        },
      };
    },
  };
}
