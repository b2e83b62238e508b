import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { bearerToken, createJwtVerifier, forbidden, requireViewer, type Viewer } from '@shop/platform';
import type { TestIssuer } from '@shop/platform/testing';
import { gql } from 'graphql-tag';

/** An account as the auth subgraph knows it. */
export interface Account {
  id: string;
  email: string;
  name: string;
  /** ISO-8601. */
  createdAt: string;
}

/**
 * A real HTTP GraphQL subgraph standing in for auth: it answers `_entities` for `User` from the
 * accounts the test puts in `accounts`, as auth does: only with a valid token of `issuer`, and only
 * for the token's own user or an admin. It records the ids it was asked for.
 */
export async function startAuthStandIn(issuer: TestIssuer) {
  const accounts = new Map<string, Account>();
  const asked: string[][] = [];
  const verify = createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience });
  const server = new ApolloServer<{ viewer: Viewer | undefined }>({
    schema: buildSubgraphSchema({
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])
        scalar DateTime
        type User @key(fields: "id") {
          id: ID!
          email: String!
          name: String! @shareable
          createdAt: DateTime! @shareable
        }
      `,
      resolvers: {
        User: {
          __resolveReference: (reference: { id: string }, ctx: { viewer: Viewer | undefined }) => {
            asked.at(-1)?.push(reference.id);
            const viewer = requireViewer(ctx.viewer);
            if (viewer.id !== reference.id && !viewer.roles.includes('ADMIN')) throw forbidden();
            return accounts.get(reference.id) ?? null;
          },
        },
      },
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled(), { requestDidStart: async () => void asked.push([]) }],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const token = bearerToken(req.headers.authorization);
      return { viewer: token ? await verify(token) : undefined };
    },
  });
  return {
    url,
    accounts,
    /** The ids of each request that reached `_entities`, one list per HTTP request. */
    asked,
    stop: () => server.stop(),
  };
}
export type AuthStandIn = Awaited<ReturnType<typeof startAuthStandIn>>;
