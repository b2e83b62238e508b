import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode, print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { from, mergeMap } from 'rxjs';
import { RotateSessionDocument } from '../__generated__/graphql';
import { createSessionStore, type SessionStore, type Tokens } from '../account/session';

/**
 * The normalized cache is the storefront's only store of server data. `products` is a Relay-style
 * connection: pages of the same filter and sort are merged in order (infinite scroll), a different
 * filter or sort is a list of its own. Money has no id: it is part of whatever holds it.
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: { fields: { products: relayStylePagination(['filter', 'sort']) } },
      Cart: { fields: { items: { merge: false } } },
      Money: { keyFields: false },
    },
  });
}

/** The refresh mutation, sent with fetch so it never goes through the links that call it. */
function refresher(url: string) {
  return async (refreshToken: string): Promise<Tokens | undefined> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(RotateSessionDocument), variables: { refreshToken } }),
    });
    const body = (await response.json()) as { data?: { refreshSession?: Tokens } | null };
    return body.data?.refreshSession ?? undefined;
  };
}

const isUnauthenticated = (error: unknown) =>
  (CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) ||
  (ServerError.is(error) && error.statusCode === 401);

export interface Storefront {
  client: ApolloClient;
  sessions: SessionStore;
  /** The graphql-ws client: reconnected when the shopper signs in or out, so it carries their token. */
  ws: Client;
}

/**
 * Queries and mutations over HTTP, subscriptions over graphql-ws, both to /graphql on this origin.
 * The access token is added to every request and refreshed in one place (SessionStore.accessToken):
 * before it expires, and once more when the router still answers UNAUTHENTICATED.
 */
export function createStorefront(origin: string = window.location.origin): Storefront {
  const url = `${origin}/graphql`;
  const sessions = createSessionStore(refresher(url), window.localStorage);
  const bearer = (token: string | undefined) => (token ? `Bearer ${token}` : '');

  const auth = new SetContextLink(async (context) => {
    const token = await sessions.accessToken();
    return token ? { headers: { ...context.headers, authorization: bearer(token) } } : {};
  });
  const retry = new ErrorLink(({ error, operation, forward }) => {
    if (!isUnauthenticated(error) || operation.getContext().retried || !sessions.get()) return;
    return from(sessions.accessToken({ force: true })).pipe(
      mergeMap((token) => {
        operation.setContext(({ headers }) => ({
          retried: true,
          headers: { ...headers, authorization: bearer(token) },
        }));
        return forward(operation);
      }),
    );
  });
  const ws = createClient({
    url: url.replace(/^http/, 'ws'),
    lazy: true,
    connectionParams: async () => {
      const token = await sessions.accessToken();
      return token ? { authorization: bearer(token) } : {};
    },
  });
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    ApolloLink.from([retry, auth, new HttpLink({ uri: url })]),
  );
  const client = new ApolloClient({ cache: createCache(), link });
  let signedInAs = sessions.get()?.user.id;
  sessions.subscribe(() => {
    const now = sessions.get()?.user.id;
    if (now === signedInAs) return;
    signedInAs = now;
    // Another shopper (or none): nothing cached for the last one may show, and live feeds reconnect.
    ws.terminate();
    void client.resetStore();
  });
  return { client, sessions, ws };
}
