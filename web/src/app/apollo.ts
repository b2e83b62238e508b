import { ApolloClient, ApolloLink, DocumentTransform, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import {
  generatePersistedQueryIdsAtRuntime,
  generatePersistedQueryIdsFromManifest,
  sortTopLevelDefinitions,
  type PersistedQueryManifestForVerification,
} from '@apollo/persisted-query-lists';
import { OperationTypeNode } from 'graphql';
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

/**
 * Every document leaves with its operation first and its fragments by name, as
 * `generate-persisted-query-manifest` prints it: what the storefront sends is then, byte for byte, a
 * body of its trusted-documents manifest (web/persisted-query-manifest.json), whether it goes by id
 * (HTTP) or in full (graphql-ws, and the retry after an unknown id).
 */
const manifestOrder = new DocumentTransform(sortTopLevelDefinitions);

const sha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('');

/**
 * Queries and mutations go by id (`extensions.persistedQuery`), the full document only when the router
 * does not know the id yet. A built storefront takes the ids from its manifest, so a router that serves
 * only the manifest's operations (TRUSTED_DOCUMENTS) serves it; `vite` development hashes each document
 * as it is sent (automatic persisted queries), so an edited document works before the manifest is
 * rebuilt. Both give the same id: the SHA-256 of the body.
 */
function persistedQueries(): PersistedQueryLink {
  return new PersistedQueryLink(
    import.meta.env.DEV
      ? generatePersistedQueryIdsAtRuntime({ sha256 })
      : generatePersistedQueryIdsFromManifest({
          loadManifest: () =>
            import('../../persisted-query-manifest.json').then(
              (module) => module.default as PersistedQueryManifestForVerification,
            ),
        }),
  );
}

/**
 * The refresh mutation, sent by a client of its own: it never goes through the links that call it, and
 * it is sent like every other operation (by id, in the manifest's form). A refused refresh token is an
 * answer (undefined: signed out); an unreachable or failing server throws (the session is kept).
 */
function refresher(url: string) {
  const client = new ApolloClient({
    cache: createCache(),
    documentTransform: manifestOrder,
    link: ApolloLink.from([persistedQueries(), new HttpLink({ uri: url })]),
  });
  return async (refreshToken: string): Promise<Tokens | undefined> => {
    try {
      const { data } = await client.mutate({
        mutation: RotateSessionDocument,
        variables: { refreshToken },
        fetchPolicy: 'no-cache',
      });
      const tokens = data?.refreshSession;
      return tokens
        ? { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresIn }
        : undefined;
    } catch (error) {
      if (CombinedGraphQLErrors.is(error)) return undefined;
      if (ServerError.is(error) && error.statusCode < 500) return undefined;
      throw error;
    }
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
    ApolloLink.from([retry, auth, persistedQueries(), new HttpLink({ uri: url })]),
  );
  const client = new ApolloClient({ cache: createCache(), documentTransform: manifestOrder, link });
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
