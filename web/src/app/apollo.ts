import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

/**
 * The normalized cache is the storefront's only store of server data. `products` is a Relay-style
 * connection: pages of the same filter and sort are merged in order (infinite scroll), a different
 * filter or sort is a list of its own.
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: { fields: { products: relayStylePagination(['filter', 'sort']) } },
      Money: { keyFields: false },
    },
  });
}

/** Queries and mutations over HTTP, subscriptions over graphql-ws, both to /graphql on this origin. */
export function createApolloClient(origin: string = window.location.origin): ApolloClient {
  const http = new HttpLink({ uri: `${origin}/graphql` });
  const ws = new GraphQLWsLink(createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, lazy: true }));
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    ws,
    http,
  );
  return new ApolloClient({ cache: createCache(), link });
}
