import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope } from '@shop/platform';
import {
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import { PRODUCT_CREATED_V1 } from '@shop/schema';
import {
  addToCart,
  customer,
  deleteKeys,
  priceUpdated,
  productChanged,
  readCart,
  startCart,
  testKeyPrefix,
} from './cart.harness.js';

describe('prices follow products.product.created.v1 / updated.v1', () => {
  let products: ProductsStandIn;
  let cart: TestSubgraph;
  const prefix = testKeyPrefix();

  beforeAll(async () => {
    products = await startProductsStandIn();
    cart = await startCart({ productsUrl: products.url, redisKeyPrefix: prefix });
  });

  afterAll(async () => {
    if (cart) await deleteKeys(cart.runtime.redis!, prefix);
    await cart?.stop();
    await products?.stop();
  });

  const lineTotals = async (token: string) =>
    (await readCart(cart, token)).items.map((item) => item.lineTotal.amount);

  /**
   * Publishes a `product.created` for a fresh product on partition key `key`, then waits until the
   * projection holds its price: every event published on that key before it has then been handled
   * (one key, one partition, in order). The fresh product is unknown to the products stand-in, so
   * only the event can teach cart its price.
   */
  async function marker(key: string) {
    const markerId = randomUUID();
    await cart.runtime.producer.publish([
      envelope(PRODUCT_CREATED_V1, key, productChanged(markerId, 4242, new Date())),
    ]);
    await waitFor(
      async () => (await cart.runtime.redis!.hget('prices', markerId)) !== null,
      45_000,
      'the marker event',
    );
  }

  it('reprices the cart on a newer update; an older or redelivered event never takes it back', async () => {
    const { token } = await customer(cart);
    const t0 = new Date(Date.now() - 60_000);
    const a = products.createProduct(1000, t0);
    await addToCart(cart, token, a, 2);
    expect(await lineTotals(token)).toEqual(['20.00']);

    const update = priceUpdated(a, 1250, new Date(t0.getTime() + 1_000));
    await cart.runtime.producer.publish([update]);
    await waitFor(async () => (await lineTotals(token))[0] === '25.00', 45_000, 'the new price');
    expect((await readCart(cart, token)).subtotal).toEqual({ amount: '25.00', currencyCode: 'USD' });

    // The same update again (harmless), then one older than the stored price, last: ignored.
    const stale = priceUpdated(a, 999, new Date(t0.getTime() + 500));
    await cart.runtime.producer.publish([update, stale]);
    await marker(a);
    expect(await lineTotals(token)).toEqual(['25.00']);
  });

  it('does not let an event older than a price learned from products replace it', async () => {
    const { token } = await customer(cart);
    const learnedAt = new Date(Date.now() - 10_000);
    const a = products.createProduct(1500, learnedAt);
    await addToCart(cart, token, a, 1);
    expect(await lineTotals(token)).toEqual(['15.00']);

    // The product's creation event arrives late, with its older price.
    await cart.runtime.producer.publish([
      envelope(PRODUCT_CREATED_V1, a, productChanged(a, 1000, new Date(learnedAt.getTime() - 5_000))),
    ]);
    await marker(a);
    expect(await lineTotals(token)).toEqual(['15.00']);
  });

  it('learns new products from product.created, so addToCart need not ask products', async () => {
    const { token } = await customer(cart);
    // Unknown to the stand-in: only the event makes it a product cart accepts.
    const productId = randomUUID();
    await cart.runtime.producer.publish([
      envelope(PRODUCT_CREATED_V1, productId, productChanged(productId, 705, new Date())),
    ]);
    await waitFor(
      async () => (await cart.runtime.redis!.hget('prices', productId)) !== null,
      45_000,
      'the created event',
    );
    const before = products.entityRequests();
    const result = await addToCart(cart, token, productId, 3);
    expect(result.items).toEqual([
      { quantity: 3, lineTotal: { amount: '21.15', currencyCode: 'USD' }, product: { id: productId } },
    ]);
    expect(products.entityRequests()).toBe(before);
  });

  it("reprices every customer's cart holding the product", async () => {
    const alice = await customer(cart);
    const bob = await customer(cart);
    const a = products.createProduct(300, new Date(Date.now() - 60_000));
    const b = products.createProduct(100, new Date(Date.now() - 60_000));
    await addToCart(cart, alice.token, a, 1);
    await addToCart(cart, bob.token, b, 1);
    await addToCart(cart, bob.token, a, 4);

    await cart.runtime.producer.publish([priceUpdated(a, 325, new Date())]);
    await waitFor(async () => (await lineTotals(alice.token))[0] === '3.25', 45_000, 'the new price');
    expect(await lineTotals(bob.token)).toEqual(['1.00', '13.00']);
    expect((await readCart(cart, bob.token)).subtotal.amount).toBe('14.00');
  });
});
