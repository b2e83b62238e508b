/**
 * A supergraph for the unit specs (test-only; nothing else imports this). It is trimmed to what the access
 * rules and measures read: the `@link`s, the `join__Graph` enum and the types with their directives (no
 * `@join__*` on types); build its schema with `buildSchema(SUPERGRAPH, { assumeValidSDL: true })`.
 */
export const SUPERGRAPH = `schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
{
  query: Query
  mutation: Mutation
}

directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

scalar requiresScopes__Scope

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://127.0.0.1:4001/graphql")
  CATALOG @join__graph(name: "catalog", url: "http://127.0.0.1:4003/graphql")
}

type Query {
  me: User @authenticated
  users(first: Int = 20): [User!]! @requiresScopes(scopes: [["ADMIN"]])
  product(id: ID!): Product
  products(first: Int = 20, after: String): ProductConnection!
  node(id: ID!): Node
  search(text: String!): [SearchResult!]!
  secret: Secret
  ping: String!
}

type Mutation {
  createProduct(name: String!): Product! @requiresScopes(scopes: [["ADMIN"], ["CATALOG_EDITOR", "CUSTOMER"]])
}

interface Node {
  id: ID!
}

type User implements Node {
  id: ID!
  name: String!
  email: String! @authenticated
  roles: [String!]! @requiresScopes(scopes: [["ADMIN"]])
}

type Product implements Node {
  id: ID!
  name: String!
  tags: [String!]!
  related(first: Int): [Product!]!
  margin: Int @requiresScopes(scopes: [["ADMIN"]])
}

type ProductConnection {
  edges: [ProductEdge!]!
  totalCount: Int!
}

type ProductEdge {
  cursor: String!
  node: Product!
}

union SearchResult = User | Product

type Secret @authenticated {
  code: String!
}
`;
