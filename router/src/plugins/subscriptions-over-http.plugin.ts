import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Refuses a subscription sent over HTTP (POST or GET) once it is resolved, before the gateway sees it:
 * 400 with BAD_REQUEST and a message naming the transport that serves subscriptions (graphql-ws on the
 * same `/graphql`). Without it the gateway answers "Execution of subscriptions not supported by gateway"
 * as an INTERNAL_SERVER_ERROR with HTTP 500, which tells a client nothing it can act on.
 */
export function subscriptionsOverHttpPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
