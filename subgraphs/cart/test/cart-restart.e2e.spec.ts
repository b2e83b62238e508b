import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ProductsStandIn, startProductsStandIn, type TestSubgraph } from '@shop/platform/testing';
import { addToCart, deleteKeys, readCart, startCart, testKeyPrefix, type CartShape } from './cart.harness.js';

describe('carts survive a restart of the cart subgraph', () => {
  let products: ProductsStandIn;
  let second: TestSubgraph | undefined;
  const prefix = testKeyPrefix();

  beforeAll(async () => {
    products = await startProductsStandIn();
  });

  afterAll(async () => {
    if (second) await deleteKeys(second.runtime.redis!, prefix);
    await second?.stop();
    await products?.stop();
  });

  it('finds the same cart, priced without asking products again, on a new server', async () => {
    const first = await startCart({ productsUrl: products.url, redisKeyPrefix: prefix, consumers: false });
    const customerId = randomUUID();
    const [a, b] = [products.createProduct(1999), products.createProduct(250)];
    let before: CartShape;
    try {
      const token = await first.issuer.token(customerId);
      await addToCart(first, token, a, 3);
      await addToCart(first, token, b, 1);
      before = await readCart(first, token);
    } finally {
      // Stops HTTP, Redis and the rest, and drops its database; the Redis keys stay.
      await first.stop();
    }
    expect(before.items).toHaveLength(2);

    const asked = products.entityRequests();
    second = await startCart({ productsUrl: products.url, redisKeyPrefix: prefix, consumers: false });
    const token = await second.issuer.token(customerId);
    const after = await readCart(second, token);
    expect(after).toEqual(before);
    expect(after.subtotal.amount).toBe('62.47');
    expect(products.entityRequests()).toBe(asked);
    // And it keeps working: the insertion order continues after the restart.
    const c = products.createProduct(1);
    expect((await addToCart(second, token, c, 1)).items.map((i) => i.product.id)).toEqual([a, b, c]);
  });
});
