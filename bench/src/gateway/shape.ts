/**
 * The federation gateway benchmark's shape (bench/federation-gateway/, the data of The Guild's public
 * graphql-gateways-benchmark): four subgraphs (accounts, inventory, products, reviews) over fixed data,
 * one heavy query and the exact response a correct gateway returns. The subgraphs answer as the
 * published benchmark's do, quirks included, so every gateway's answer can be compared byte for byte
 * with expected-response.json: a review's author is always the first user (its username provided by
 * reviews), a user's reviews are always the first two, and inventory answers `shippingEstimate: null`
 * (the reference ignores the price and weight it requires).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gql } from 'graphql-tag';
import type { DocumentNode } from 'graphql';

const file = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../federation-gateway/${name}`, import.meta.url)), 'utf8');

interface Data {
  users: { id: string; name: string; username: string; birthday: number }[];
  products: { upc: string; name: string; price: number; weight: number }[];
  inventory: { upc: string; inStock: boolean }[];
  reviews: { id: string; body: string; productUpc: string }[];
}

const data = JSON.parse(file('data.json')) as Data;

/** The heavy query (7 to 16 subgraph fetches per request without deduplication). */
export const QUERY = file('query.graphql');
/** The request body every load generator sends. */
export const REQUEST_BODY = JSON.stringify({ query: QUERY, operationName: 'TestQuery' });
/** The exact response body (compact JSON and a newline, as Apollo Server writes it). */
export const EXPECTED_RESPONSE = file('expected-response.json');

export interface BenchSubgraph {
  name: 'accounts' | 'inventory' | 'products' | 'reviews';
  typeDefs: DocumentNode;
  resolvers: Record<string, Record<string, unknown>>;
}

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

type Review = Data['reviews'][number];
const reviewsOf = (upc: string) => data.reviews.filter((review) => review.productUpc === upc);
const firstTwoReviews = () => data.reviews.slice(0, 2);

export const SUBGRAPHS: BenchSubgraph[] = [
  {
    name: 'accounts',
    typeDefs: gql`
      ${LINK}
      type Query {
        me: User
        user(id: ID!): User
        users: [User]
      }
      type User @key(fields: "id") {
        id: ID!
        name: String
        username: String @shareable
        birthday: Int
      }
    `,
    resolvers: {
      Query: {
        me: () => data.users[0],
        user: (_: unknown, { id }: { id: string }) => data.users.find((user) => user.id === id) ?? null,
        users: () => data.users,
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => data.users.find((user) => user.id === id) ?? null,
      },
    },
  },
  {
    name: 'inventory',
    typeDefs: gql`
      ${LINK}
      type Product @key(fields: "upc") {
        upc: String!
        weight: Int @external
        price: Int @external
        inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }
    `,
    resolvers: {
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => {
          const stock = data.inventory.find((item) => item.upc === upc);
          return stock ? { upc, inStock: stock.inStock } : null;
        },
        shippingEstimate: () => null,
      },
    },
  },
  {
    name: 'products',
    typeDefs: gql`
      ${LINK}
      type Query {
        topProducts(first: Int = 5): [Product]
      }
      type Product @key(fields: "upc") {
        upc: String!
        name: String
        price: Int
        weight: Int
      }
    `,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => data.products.slice(0, first) },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) =>
          data.products.find((product) => product.upc === upc) ?? null,
      },
    },
  },
  {
    name: 'reviews',
    typeDefs: gql`
      ${LINK}
      type Review @key(fields: "id") {
        id: ID!
        body: String
        author: User @provides(fields: "username")
        product: Product
      }
      type User @key(fields: "id") {
        id: ID!
        username: String @external
        reviews: [Review]
      }
      type Product @key(fields: "upc") {
        upc: String!
        reviews: [Review]
      }
    `,
    resolvers: {
      Review: {
        __resolveReference: ({ id }: { id: string }) =>
          data.reviews.find((review) => review.id === id) ?? null,
        author: () => ({ id: data.users[0]!.id, username: data.users[0]!.username }),
        product: (review: Review) => ({ upc: review.productUpc }),
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        reviews: firstTwoReviews,
      },
      Product: {
        __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
        reviews: ({ upc }: { upc: string }) => reviewsOf(upc),
      },
    },
  },
];
