import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from './context.js';

/**
 * Puts the client's address on the context for login throttling: `x-client-ip` (set by the
 * router) or else the first `x-forwarded-for` entry; left undefined when neither is present.
 *
 * The kit's `context(base)` receives no request headers, so this reads them in `requestDidStart`,
 * which Apollo calls after building the context and before executing. Both headers are only as
 * trustworthy as the proxy that sets them: subgraphs take traffic from the router alone, which must
 * overwrite (not append to) what clients send.
 */
export function clientIpPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const headers = request.http?.headers;
      const direct = headers?.get('x-client-ip')?.trim();
      const forwarded = headers?.get('x-forwarded-for')?.split(',')[0]?.trim();
      contextValue.clientIp = direct || forwarded || undefined;
    },
  };
}
