import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventConsumer, EventEnvelope } from '@shop/platform';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import { STOCK_CHANGED_V1, stockChangedV1, type StockChangedV1 } from '@shop/schema';
import {
  ADJUST_STOCK,
  adminToken,
  customerToken,
  knownProduct,
  setStock,
  startInventory,
  stockRow,
} from './inventory.harness.js';

describe('adjustStock', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;
  let admin: string;
  let customer: string;
  let stockEvents: EventConsumer;
  const published: EventEnvelope<StockChangedV1>[] = [];

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url, consumers: false });
    admin = await adminToken(inventory);
    customer = await customerToken(inventory);
    // What the products subgraph (and anyone else) receives from inventory.
    stockEvents = await inventory.runtime.kafka.consume({
      groupId: `inventory-test-stock-changed-${randomUUID().slice(0, 8)}`,
      deadLetterTopic: 'inventory-test.dlq',
      handlers: {
        [STOCK_CHANGED_V1]: {
          parse: stockChangedV1.parse,
          handle: async (event) => void published.push(event as EventEnvelope<StockChangedV1>),
        },
      },
    });
  });

  afterAll(async () => {
    await stockEvents?.stop();
    await inventory?.stop();
    await products?.stop();
  });

  const adjust = (productId: string, delta: number, token: string | undefined = admin) =>
    inventory.request(ADJUST_STOCK, { productId, delta }, token);

  it('lets an admin add and remove stock; availableQuantity and inStock follow', async () => {
    const productId = await knownProduct(inventory.runtime);

    const added = await adjust(productId, 12);
    expect(added.errors).toBeUndefined();
    expect(added.data.adjustStock).toEqual({ id: productId, availableQuantity: 12, inStock: true });

    const removed = await adjust(productId, -12);
    expect(removed.errors).toBeUndefined();
    expect(removed.data.adjustStock).toEqual({ id: productId, availableQuantity: 0, inStock: false });
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 0, reserved: 0 });
  });

  it('reports stock on hand less reserved', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 5, 3);

    const response = await adjust(productId, 1);
    expect(response.data.adjustStock).toEqual({ id: productId, availableQuantity: 3, inStock: true });
  });

  it('refuses anonymous callers with UNAUTHENTICATED and customers with FORBIDDEN, changing nothing', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 4);

    const anonymous = await inventory.request(ADJUST_STOCK, { productId, delta: 5 });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const asCustomer = await adjust(productId, 5, customer);
    expect(errorCodes(asCustomer)).toEqual(['FORBIDDEN']);

    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 4, reserved: 0 });
  });

  it.each([
    ['zero', 0],
    ['above 1,000,000', 1_000_001],
    ['below -1,000,000', -1_000_001],
  ])('refuses a delta of %s with BAD_USER_INPUT on delta, changing nothing', async (_label, delta) => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 4);

    const response = await adjust(productId, delta);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('delta');
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 4, reserved: 0 });
  });

  it('accepts the largest deltas, ±1,000,000', async () => {
    const productId = await knownProduct(inventory.runtime);
    expect((await adjust(productId, 1_000_000)).data.adjustStock.availableQuantity).toBe(1_000_000);
    expect((await adjust(productId, -1_000_000)).data.adjustStock.availableQuantity).toBe(0);
  });

  it('refuses to take stock below what is reserved, saying how much, changing nothing', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 10, 4);

    const response = await adjust(productId, -7);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe(
      'Adjusting by -7 would leave 3 on hand, less than the 4 reserved',
    );
    expect(response.errors?.[0]?.extensions?.field).toBe('delta');
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 10, reserved: 4 });

    // Down to exactly the reserved units is allowed: nothing left to sell.
    const toReserved = await adjust(productId, -6);
    expect(toReserved.data.adjustStock).toEqual({ id: productId, availableQuantity: 0, inStock: false });
  });

  it('refuses to take stock below zero, changing nothing', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 2);

    const response = await adjust(productId, -3);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe('Adjusting by -3 would leave -1 on hand, below zero');
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 2, reserved: 0 });
  });

  it('refuses an id that names no product (asking products first) with BAD_USER_INPUT on productId', async () => {
    const unknown = randomUUID();
    const before = products.entityRequests();
    const response = await adjust(unknown, 5);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('productId');
    expect(products.entityRequests()).toBe(before + 1);
    expect(await stockRow(inventory.runtime, unknown)).toBeUndefined();

    const malformed = await adjust('not-a-product-id', 5);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors?.[0]?.extensions?.field).toBe('productId');
  });

  it('accepts a product right after createProduct, before its event arrives, by asking products', async () => {
    // Known to products only: no stock row, no event (this subgraph runs without consumers).
    const productId = products.createProduct();
    expect(await stockRow(inventory.runtime, productId)).toBeUndefined();

    const response = await adjust(productId, 7);
    expect(response.errors).toBeUndefined();
    expect(response.data.adjustStock).toEqual({ id: productId, availableQuantity: 7, inStock: true });
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 7, reserved: 0 });

    // Now local: products is not asked again.
    const before = products.entityRequests();
    expect((await adjust(productId, 1)).data.adjustStock.availableQuantity).toBe(8);
    expect(products.entityRequests()).toBe(before);
  });

  it('publishes inventory.stock.changed.v1 for each change, in order, and nothing for a refused one', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 0, 0);

    expect((await adjust(productId, 5)).errors).toBeUndefined();
    expect(errorCodes(await adjust(productId, -6))).toEqual(['BAD_USER_INPUT']);
    expect((await adjust(productId, -2)).errors).toBeUndefined();

    const mine = () => published.filter((e) => e.key === productId);
    await waitFor(() => mine().length >= 2, 30_000, 'two stock.changed events');
    // The refused -6 sat between the two: had it published, it would be here before the -2.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mine().map((e) => [e.type, e.payload.onHand, e.payload.reserved, e.payload.available])).toEqual([
      [STOCK_CHANGED_V1, 5, 0, 5],
      [STOCK_CHANGED_V1, 3, 0, 3],
    ]);
    expect(mine()[0]!.payload.productId).toBe(productId);
    expect(Number.isNaN(Date.parse(mine()[0]!.payload.changedAt))).toBe(false);
  });

  it('never lets concurrent removals take stock below what is reserved', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 10, 3);

    // 20 admins remove one unit each at once: exactly the 7 available can go.
    const responses = await Promise.all(Array.from({ length: 20 }, () => adjust(productId, -1)));
    const succeeded = responses.filter((r) => !r.errors);
    const refused = responses.filter((r) => r.errors);
    expect(succeeded).toHaveLength(7);
    expect(refused.map(errorCodes)).toEqual(Array.from({ length: 13 }, () => ['BAD_USER_INPUT']));
    expect(succeeded.every((r) => r.data.adjustStock.availableQuantity >= 0)).toBe(true);
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 3, reserved: 3 });
  });

  it('keeps concurrent additions and removals exact', async () => {
    const productId = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, productId, 50);

    const deltas = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 4 : -2));
    const responses = await Promise.all(deltas.map((delta) => adjust(productId, delta)));
    expect(responses.flatMap(errorCodes)).toEqual([]);
    const sum = deltas.reduce((a, b) => a + b, 0);
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 50 + sum, reserved: 0 });
  });
});
