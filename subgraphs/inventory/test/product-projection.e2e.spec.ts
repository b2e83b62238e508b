import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope } from '@shop/platform';
import {
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import { PRODUCT_CREATED_V1, type ProductChangedV1 } from '@shop/schema';
import { ADJUST_STOCK, adminToken, startInventory, stockRow } from './inventory.harness.js';

/** A `products.product.created.v1` payload as the products subgraph publishes it. */
const productCreated = (productId = randomUUID()): ProductChangedV1 => ({
  productId,
  sku: `SKU-${productId.slice(0, 8)}`,
  name: `Product ${productId.slice(0, 8)}`,
  slug: `product-${productId.slice(0, 8)}`,
  priceMinor: 1999,
  currencyCode: 'USD',
  categoryId: randomUUID(),
  occurredAt: new Date().toISOString(),
});

describe('the product projection fed by products.product.created.v1', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url });
  });

  afterAll(async () => {
    await inventory?.stop();
    await products?.stop();
  });

  const processedEvents = async (ids: string[]) => {
    const rows = await inventory.runtime.orm.em
      .fork()
      .execute<{ event_id: string }[]>(
        `select event_id from processed_event where consumer = 'inventory' and event_id in (${ids.map(() => '?').join(', ')})`,
        ids,
      );
    return rows.map((r) => r.event_id).sort();
  };

  it('creates the stock row of a new product once, however often the event is delivered', async () => {
    // The products stand-in does not know this product: only the event can teach inventory about it.
    const productId = randomUUID();
    const created = envelope(PRODUCT_CREATED_V1, productId, productCreated(productId));
    await inventory.runtime.producer.publish([created]);

    await waitFor(
      async () => (await stockRow(inventory.runtime, productId)) !== undefined,
      45_000,
      'the stock row',
    );
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 0, reserved: 0 });

    // The product is now usable, without asking products.
    const admin = await adminToken(inventory);
    const before = products.entityRequests();
    const adjusted = await inventory.request(ADJUST_STOCK, { productId, delta: 6 }, admin);
    expect(adjusted.data.adjustStock).toEqual({ id: productId, availableQuantity: 6, inStock: true });
    expect(products.entityRequests()).toBe(before);

    // The same event again (a relay or consumer restart), then a marker on the same key, hence the
    // same partition: once the marker is applied, the redelivery has been handled before it.
    const markerId = randomUUID();
    const marker = envelope(PRODUCT_CREATED_V1, productId, productCreated(markerId));
    await inventory.runtime.producer.publish([created, marker]);
    await waitFor(
      async () => (await stockRow(inventory.runtime, markerId)) !== undefined,
      45_000,
      'the marker',
    );

    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 6, reserved: 0 });
    const [{ n }] = (await inventory.runtime.orm.em
      .fork()
      .execute<{ n: string }[]>('select count(*) as n from stock where product_id = ?', [productId])) as [
      { n: string },
    ];
    expect(Number(n)).toBe(1);
    expect(await processedEvents([created.id, marker.id])).toEqual([created.id, marker.id].sort());
  });

  it('keeps a row the _entities fallback created first when the event arrives later', async () => {
    const productId = products.createProduct();
    const admin = await adminToken(inventory);
    expect(
      (await inventory.request(ADJUST_STOCK, { productId, delta: 3 }, admin)).data.adjustStock
        .availableQuantity,
    ).toBe(3);

    const created = envelope(PRODUCT_CREATED_V1, productId, productCreated(productId));
    await inventory.runtime.producer.publish([created]);
    await waitFor(async () => (await processedEvents([created.id])).length === 1, 45_000, 'the late event');
    expect(await stockRow(inventory.runtime, productId)).toEqual({ onHand: 3, reserved: 0 });
  });
});
