/**
 * Fixture subgraphs for the supergraph specs (test-only; nothing else imports this). `accounts` links
 * federation v2.9 with the security directives; `catalog` has no Mutation and no Subscription.
 */
import type { SubgraphSource } from './sources.js';

export const ACCOUNTS_SDL = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])

type Query {
  me: User @authenticated
}

type Mutation {
  login(email: String!, password: String!): String!
}

type User @key(fields: "id") {
  id: ID!
  email: String!
  roles: [String!]! @requiresScopes(scopes: [["admin"]])
}
`;

export const CATALOG_SDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Query {
  product(id: ID!): Product
}

type Product @key(fields: "id") {
  id: ID!
  name: String!
}
`;

/** A subgraph source as `loadSubgraphSources` would return it. */
export function source(name: string, sdl: string): SubgraphSource {
  return { name, url: `http://127.0.0.1:4000/${name}`, file: `subgraphs/${name}/${name}.graphql`, sdl };
}

export const ACCOUNTS = source('accounts', ACCOUNTS_SDL);
export const CATALOG = source('catalog', CATALOG_SDL);
