import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { SubgraphRuntime } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import { gql } from 'graphql-tag';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { learnProducts } from '../src/stock.service.js';

/**
 * A real, tiny stand-in for the products subgraph: a federation subgraph whose `_entities` knows
 * the Product ids in `known` (null for any other id), as the real one answers.
 */
export async function startProductsStandIn() {
  const known = new Set<string>();
  let entityRequests = 0;
  const server = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
        type Product @key(fields: "id") {
          id: ID!
          name: String!
        }
        type Query {
          productCount: Int!
        }
      `,
      resolvers: {
        Query: { productCount: () => known.size },
        Product: {
          __resolveReference: (ref: { id: string }) => {
            entityRequests++;
            return known.has(ref.id) ? { id: ref.id, name: `Product ${ref.id.slice(0, 8)}` } : null;
          },
        },
      },
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return {
    url,
    known,
    /** How many representations `_entities` has resolved so far. */
    entityRequests: () => entityRequests,
    /** A product the stand-in knows (as if `createProduct` had just returned it). */
    createProduct() {
      const id = randomUUID();
      known.add(id);
      return id;
    },
    stop: () => server.stop(),
  };
}
export type ProductsStandIn = Awaited<ReturnType<typeof startProductsStandIn>>;

/**
 * Starts inventory on port 0 against a fresh database, with its own Kafka consumer group (so test
 * files running in parallel never share partitions) and `productsUrl` pointing at a stand-in.
 */
export function startInventory({
  productsUrl,
  consumers = true,
  reservationTtlMs,
  sweepIntervalMs,
}: {
  productsUrl: string;
  consumers?: boolean;
  reservationTtlMs?: number;
  sweepIntervalMs?: number;
}) {
  return startTestSubgraph({
    name: 'inventory',
    entities,
    migrations,
    consumers,
    buildApp: (runtime) =>
      buildApp(runtime, {
        productsUrl,
        consumerGroupId: `inventory-test-${randomUUID().slice(0, 8)}`,
        ...(reservationTtlMs ? { reservationTtlMs } : {}),
        ...(sweepIntervalMs ? { sweepIntervalMs } : {}),
      }),
  });
}

/** A product inventory already knows (its stock row exists, nothing on hand). */
export async function knownProduct(runtime: SubgraphRuntime): Promise<string> {
  const id = randomUUID();
  await learnProducts(runtime.orm.em.fork(), [id]);
  return id;
}

/** The stock row of a product as stored, or undefined. */
export async function stockRow(runtime: SubgraphRuntime, productId: string) {
  const [row] = await runtime.orm.em
    .fork()
    .execute<{ on_hand: number; reserved: number }[]>(
      'select on_hand, reserved from stock where product_id = ?',
      [productId],
    );
  return row ? { onHand: row.on_hand, reserved: row.reserved } : undefined;
}

/** Sets a product's stock directly (test set-up only; the service never writes absolute values). */
export async function setStock(runtime: SubgraphRuntime, productId: string, onHand: number, reserved = 0) {
  await runtime.orm.em.fork().execute(
    `insert into stock (product_id, on_hand, reserved, updated_at) values (?, ?, ?, now())
       on conflict (product_id) do update set on_hand = excluded.on_hand, reserved = excluded.reserved`,
    [productId, onHand, reserved],
    'run',
  );
}

export const adminToken = (subgraph: TestSubgraph) =>
  subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
export const customerToken = (subgraph: TestSubgraph) =>
  subgraph.issuer.token(randomUUID(), { roles: ['CUSTOMER'] });

export const ADJUST_STOCK = /* GraphQL */ `
  mutation AdjustStock($productId: ID!, $delta: Int!) {
    adjustStock(productId: $productId, delta: $delta) {
      id
      availableQuantity
      inStock
    }
  }
`;

export const PRODUCT_ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Product {
        id
        inStock
        availableQuantity
      }
    }
  }
`;

/** Polls `check` every 50 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
