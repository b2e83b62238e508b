import { randomUUID } from 'node:crypto';
import type { SubgraphRuntime } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { learnProducts } from '../src/stock.service.js';

/**
 * Starts inventory on port 0 against a fresh database, with a Kafka namespace of its own (so test
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
