import { randomUUID, type UUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { gql } from 'graphql-tag';
import { money } from '../money.js';

/** A product as the stand-in serves it. */
export interface StandInProduct {
  name: string;
  /** The price in minor units of `currencyCode` (`1999` is 19.99 USD). */
  priceMinor: number;
  currencyCode: string;
  updatedAt: Date;
}

/** A running {@link startProductsStandIn}. */
export interface ProductsStandIn {
  /** Where it answers GraphQL POSTs: what a subgraph under test is given as `productsUrl`. */
  url: string;
  /**
   * The products it knows, by id. Change an entry to change what `_entities` answers from then on
   * (a price change at the owner); delete one to make the product unknown.
   */
  catalog: Map<string, StandInProduct>;
  /** How many representations `_entities` has resolved so far (known or not). */
  entityRequests(): number;
  /**
   * Adds a product with a fresh id, as if products' `createProduct` had just returned it, and
   * returns the id. Defaults: 19.99 USD, updated now, named `Product <first 8 id chars>`.
   */
  createProduct(priceMinor?: number, updatedAt?: Date): UUID;
  stop(): Promise<void>;
}

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  scalar DateTime
  scalar Decimal
  type Money {
    amount: Decimal!
    currencyCode: String!
  }
  type Product @key(fields: "id") {
    id: ID!
    name: String!
    price: Money!
    updatedAt: DateTime!
  }
  type Query {
    productCount: Int!
  }
`;

/**
 * A real, tiny stand-in for the products subgraph, for e2e specs of the subgraphs that ask products
 * about a product through `_entities` (inventory, cart, orders): a federation subgraph on
 * 127.0.0.1, port 0, whose `_entities` answers `Product { id name price { amount currencyCode }
 * updatedAt }` for the products in `catalog` and null for any other id, as the real one does. Prices
 * are formatted with the kit's `money` (so `amount` has the currency's minor digits), `updatedAt`
 * as ISO-8601.
 *
 * Nothing checks tokens. Rejects only when the server cannot listen; call `stop()` when done.
 */
export async function startProductsStandIn(): Promise<ProductsStandIn> {
  const catalog = new Map<string, StandInProduct>();
  let entityRequests = 0;
  const server = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs,
      resolvers: {
        Query: { productCount: () => catalog.size },
        Product: {
          __resolveReference: (ref: { id: string }) => {
            entityRequests++;
            const product = catalog.get(ref.id);
            return product
              ? {
                  id: ref.id,
                  name: product.name,
                  price: money(product.priceMinor, product.currencyCode),
                  updatedAt: product.updatedAt.toISOString(),
                }
              : null;
          },
        },
      },
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return {
    url,
    catalog,
    entityRequests: () => entityRequests,
    createProduct(priceMinor = 1999, updatedAt = new Date()) {
      const id = randomUUID();
      catalog.set(id, { name: `Product ${id.slice(0, 8)}`, priceMinor, currencyCode: 'USD', updatedAt });
      return id;
    },
    stop: () => server.stop(),
  };
}
