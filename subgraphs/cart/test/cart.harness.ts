import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { envelope, type Redis } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import { ORDER_PLACED_V1, PRODUCT_UPDATED_V1, type OrderPlacedV1, type ProductChangedV1 } from '@shop/schema';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/** A key prefix of its own per test server, so parallel test files never see each other's carts. */
export const testKeyPrefix = () => `cart-test-${randomUUID().slice(0, 8)}:`;

/**
 * Starts cart on port 0 against a fresh database, the local Redis under `redisKeyPrefix`, its own
 * Kafka namespace and consumer group, and `productsUrl` pointing at a stand-in.
 */
export function startCart({
  productsUrl,
  redisKeyPrefix = testKeyPrefix(),
  consumers = true,
}: {
  productsUrl: string;
  redisKeyPrefix?: string;
  consumers?: boolean;
}) {
  return startTestSubgraph({
    name: 'cart',
    entities,
    migrations,
    consumers,
    redis: true,
    redisKeyPrefix,
    buildApp: (runtime) => buildApp(runtime, { productsUrl }),
  });
}

/** Deletes every key under `prefix` (test clean-up; the client given carries that prefix). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
    keys.push(...(batch as string[]));
  }
  // SCAN answers full names; the client adds its prefix to DEL's keys again, so strip it.
  if (keys.length) await redis.del(...keys.map((key) => key.slice(prefix.length)));
}

/** A signed-in customer of `subgraph`: their id and a token. */
export async function customer(subgraph: TestSubgraph) {
  const id = randomUUID();
  return { id, token: await subgraph.issuer.token(id, { roles: ['CUSTOMER'] }) };
}

export const CART_FIELDS = /* GraphQL */ `
  id
  totalQuantity
  subtotal {
    amount
    currencyCode
  }
  items {
    quantity
    lineTotal {
      amount
      currencyCode
    }
    product {
      id
    }
  }
`;

export const CART = `query { cart { ${CART_FIELDS} } }`;
export const ADD_TO_CART = `mutation($productId: ID!, $quantity: Int!) {
  addToCart(productId: $productId, quantity: $quantity) { ${CART_FIELDS} }
}`;
export const UPDATE_CART_ITEM = `mutation($productId: ID!, $quantity: Int!) {
  updateCartItem(productId: $productId, quantity: $quantity) { ${CART_FIELDS} }
}`;
export const REMOVE_FROM_CART = `mutation($productId: ID!) { removeFromCart(productId: $productId) { ${CART_FIELDS} } }`;
export const CLEAR_CART = `mutation { clearCart { ${CART_FIELDS} } }`;

export interface CartShape {
  id: string;
  totalQuantity: number;
  subtotal: { amount: string; currencyCode: string };
  items: { quantity: number; lineTotal: { amount: string; currencyCode: string }; product: { id: string } }[];
}

/** The caller's cart, asserting the query succeeded. */
export async function readCart(subgraph: TestSubgraph, token: string): Promise<CartShape> {
  const response = await subgraph.request<{ cart: CartShape }>(CART, {}, token);
  expect(response.errors).toBeUndefined();
  return response.data!.cart;
}

/** Adds to the caller's cart, asserting it succeeded. */
export async function addToCart(
  subgraph: TestSubgraph,
  token: string,
  productId: string,
  quantity: number,
): Promise<CartShape> {
  const response = await subgraph.request<{ addToCart: CartShape }>(
    ADD_TO_CART,
    { productId, quantity },
    token,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.addToCart;
}

/** `[productId, quantity]` of each line, in the cart's order. */
export const linesOf = (cart: CartShape) => cart.items.map((item) => [item.product.id, item.quantity]);

/** A `products.product.*.v1` payload as the products subgraph publishes it. */
export const productChanged = (
  productId: string,
  priceMinor: number,
  occurredAt: Date,
): ProductChangedV1 => ({
  productId,
  sku: `SKU-${productId.slice(0, 8)}`,
  name: `Product ${productId.slice(0, 8)}`,
  slug: `product-${productId.slice(0, 8)}`,
  priceMinor,
  currencyCode: 'USD',
  categoryId: randomUUID(),
  occurredAt: occurredAt.toISOString(),
});

/** A `products.product.updated.v1` envelope keyed by `key` (default: the product, as products keys it). */
export const priceUpdated = (productId: string, priceMinor: number, occurredAt: Date, key = productId) =>
  envelope(PRODUCT_UPDATED_V1, key, productChanged(productId, priceMinor, occurredAt));

/** An `orders.order.placed.v1` envelope as orders would publish it (keyed by the order id). */
/** An order's items: a product id alone is one unit, `[id, n]` is n units. */
export function orderPlaced(
  customerId: string,
  products: (string | [string, number])[],
  orderId: string = randomUUID(),
  placedAt = new Date(),
) {
  const payload: OrderPlacedV1 = {
    orderId,
    customerId,
    items: products.map((product) => {
      const [productId, quantity] = typeof product === 'string' ? [product, 1] : product;
      return { productId, quantity, unitPriceMinor: 1000 };
    }),
    totalMinor: products.reduce((sum, p) => sum + 1000 * (typeof p === 'string' ? 1 : p[1]), 0),
    currencyCode: 'USD',
    paymentToken: 'tok_visa',
    placedAt: placedAt.toISOString(),
  };
  return envelope(ORDER_PLACED_V1, orderId, payload);
}
