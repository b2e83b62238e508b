import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { errorCodeOf } from '../errors.js';

export interface UnavailableStatusPluginOptions {
  /** The codes that mean "could not be served right now, the same request may succeed later". */
  codes: ReadonlySet<string>;
  /**
   * The `Retry-After` header sent with the 503, in seconds (default 1); an error's own
   * `extensions.retryAfterSeconds` (e.g. a service shedding load) raises it.
   */
  retryAfterSeconds?: number;
}

/** An error's `extensions.retryAfterSeconds` when it is a positive whole number of seconds, else 0. */
export function retryAfterOf(error: { extensions?: Record<string, unknown> }): number {
  const seconds = error.extensions?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : 0;
}

/**
 * Answers HTTP 503 with `Retry-After` when the whole operation failed for a reason that passes: it has
 * errors, every one of them carries one of `codes` (SERVICE_UNAVAILABLE; at the router also
 * SUBREQUEST_HTTP_ERROR), and no root field has data (`data` is null or every root field is null). A
 * partial answer (some fields served) stays 200 with its errors, as GraphQL over HTTP expects, and any
 * other error (bad input, a bug) keeps its status. Clients and proxies then see at the HTTP level that
 * the request may be retried.
 */
export function unavailableStatusPlugin<C extends BaseContext>({
  codes,
  retryAfterSeconds = 1,
}: UnavailableStatusPluginOptions): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          if (response.body.kind !== 'single' || !errors?.length) return;
          if (!errors.every((error) => codes.has(errorCodeOf(error)))) return;
          const data = response.body.singleResult.data;
          if (data && Object.values(data).some((value) => value !== null)) return;
          response.http.status = 503;
          response.http.headers.set(
            'retry-after',
            String(Math.max(retryAfterSeconds, ...errors.map(retryAfterOf))),
          );
        },
      };
    },
  };
}
