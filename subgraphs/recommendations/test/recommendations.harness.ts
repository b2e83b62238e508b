import { randomUUID } from 'node:crypto';
import { envelope, type EventEnvelope } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph, waitFor } from '@shop/platform/testing';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  PRODUCT_CREATED_V1,
  PRODUCT_UPDATED_V1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type ProductChangedV1,
} from '@shop/schema';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/** Starts recommendations on port 0 against a fresh database and a Kafka namespace of its own. */
export async function startRecommendations() {
  const subgraph = await startTestSubgraph({ name: 'recommendations', entities, migrations, buildApp });
  return { subgraph };
}

/** A line of a confirmed order: a product id, or `[id, quantity]`. */
export type Line = string | [string, number];

/** An `orders.order.confirmed.v1` envelope for `lines` bought by `customerId`. */
export function orderConfirmed(
  customerId: string,
  lines: Line[],
  orderId: string = randomUUID(),
  key = orderId,
) {
  const items = lines.map((l) =>
    typeof l === 'string'
      ? { productId: l, quantity: 1, unitPriceMinor: 100 }
      : { productId: l[0], quantity: l[1], unitPriceMinor: 100 },
  );
  const payload: OrderConfirmedV1 = {
    orderId,
    customerId,
    items,
    totalMinor: items.reduce((sum, i) => sum + i.quantity * i.unitPriceMinor, 0),
    currencyCode: 'USD',
    confirmedAt: new Date().toISOString(),
  };
  return envelope(ORDER_CONFIRMED_V1, key, payload);
}

/** An `orders.order.cancelled.v1` envelope. */
export function orderCancelled(
  orderId: string,
  customerId: string,
  previousStatus: OrderCancelledV1['previousStatus'] = 'CONFIRMED',
) {
  const payload: OrderCancelledV1 = {
    orderId,
    customerId,
    reason: 'CUSTOMER_CANCELLED',
    previousStatus,
    cancelledAt: new Date().toISOString(),
  };
  return envelope(ORDER_CANCELLED_V1, orderId, payload);
}

/** A `products.product.created.v1` (or `updated.v1`) envelope putting `productId` in `categoryId`. */
export function productChanged(productId: string, categoryId: string, updated = false, at = new Date()) {
  const payload: ProductChangedV1 = {
    productId,
    sku: `SKU-${productId.slice(0, 8)}`,
    name: 'A product',
    slug: `p-${productId.slice(0, 8)}`,
    priceMinor: 100,
    currencyCode: 'USD',
    categoryId,
    occurredAt: at.toISOString(),
  };
  return envelope(updated ? PRODUCT_UPDATED_V1 : PRODUCT_CREATED_V1, productId, payload);
}

/** Publishes on the subgraph's (namespaced) topics, as the owners would. */
export const publish = (subgraph: TestSubgraph, events: EventEnvelope[]) =>
  subgraph.runtime.producer.publish(events);

/** One number from a SQL query (test inspection only). */
export async function scalar(subgraph: TestSubgraph, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await subgraph.runtime.orm.em.fork().execute<{ n: string | null }[]>(sql, params);
  return Number(row?.n ?? 0);
}

/** Events the consumer has applied (one processed_event row each, duplicates excluded). */
export const processed = (subgraph: TestSubgraph) =>
  scalar(subgraph, 'select count(*) as n from processed_event');

/** How many confirmed orders held both products (as stored, direction a -> b). */
export const pairCount = (subgraph: TestSubgraph, a: string, b: string) =>
  scalar(subgraph, 'select order_count as n from co_purchase where product_id = ? and other_id = ?', [a, b]);

/** Units of a product sold. */
export const unitsSold = (subgraph: TestSubgraph, id: string) =>
  scalar(subgraph, 'select units_sold as n from product_sales where product_id = ?', [id]);

/** Waits until the consumer has applied `n` distinct events in all. */
export const waitForProcessed = (subgraph: TestSubgraph, n: number) =>
  waitFor(async () => (await processed(subgraph)) >= n, 30_000, `${n} processed events`);

export const PRODUCT_RECOMMENDATIONS = /* GraphQL */ `
  query ($r: [_Any!]!, $first: Int) {
    _entities(representations: $r) {
      ... on Product {
        id
        recommendations(first: $first) {
          id
        }
      }
    }
  }
`;

export const USER_RECOMMENDED = /* GraphQL */ `
  query ($r: [_Any!]!, $first: Int) {
    _entities(representations: $r) {
      ... on User {
        id
        recommendedProducts(first: $first) {
          id
        }
      }
    }
  }
`;

export const productRefs = (...ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));
export const userRefs = (...ids: string[]) => ids.map((id) => ({ __typename: 'User', id }));

/** n fresh product ids, sorted (so ties broken by id are predictable). */
export const ids = (n: number) => Array.from({ length: n }, () => randomUUID()).sort();
