import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from './context.js';

/**
 * Puts the caller's `Authorization` header on the context, so the fallback lookup of a missing
 * profile can ask auth's `_entities` with the caller's own token (auth shows a `User` only to that
 * user or an admin). The kit's `context(base)` receives no request headers, so this reads them in
 * `requestDidStart`, which Apollo calls after building the context and before executing.
 */
export function forwardAuthorizationPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      contextValue.authorization = request.http?.headers.get('authorization') ?? undefined;
    },
  };
}
