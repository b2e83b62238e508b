import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
} from '@shop/platform/testing';
import {
  ADD_TO_CART,
  addToCart,
  CART,
  CLEAR_CART,
  customer,
  deleteKeys,
  linesOf,
  readCart,
  REMOVE_FROM_CART,
  startCart,
  testKeyPrefix,
  UPDATE_CART_ITEM,
} from './cart.harness.js';

describe('the cart over HTTP', () => {
  let products: ProductsStandIn;
  let cart: TestSubgraph;
  const prefix = testKeyPrefix();

  beforeAll(async () => {
    products = await startProductsStandIn();
    cart = await startCart({ productsUrl: products.url, redisKeyPrefix: prefix, consumers: false });
  });

  afterAll(async () => {
    if (cart) await deleteKeys(cart.runtime.redis!, prefix);
    await cart?.stop();
    await products?.stop();
  });

  /** Sends `query` and asserts it was refused with BAD_USER_INPUT naming `field`. */
  const expectRefused = async (
    query: string,
    variables: Record<string, unknown>,
    token: string,
    field?: string,
  ) => {
    const response = await cart.request(query, variables, token);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    if (field) expect(response.errors![0]!.extensions!.field).toBe(field);
    expect(response.data).toBeNull();
  };

  describe('authentication', () => {
    const product = randomUUID();
    it.each([
      ['cart', CART, {}],
      ['addToCart', ADD_TO_CART, { productId: product, quantity: 1 }],
      ['updateCartItem', UPDATE_CART_ITEM, { productId: product, quantity: 1 }],
      ['removeFromCart', REMOVE_FROM_CART, { productId: product }],
      ['clearCart', CLEAR_CART, {}],
    ])('refuses %s to an anonymous caller with UNAUTHENTICATED', async (_name, query, variables) => {
      const response = await cart.request(query, variables);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeNull();
    });

    it('refuses a bad token with UNAUTHENTICATED', async () => {
      const response = await cart.request(CART, {}, 'not-a-token');
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('checks the caller before anything else: products is not even asked', async () => {
      const productId = products.createProduct();
      const before = products.entityRequests();
      expect(errorCodes(await cart.request(ADD_TO_CART, { productId, quantity: 1 }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(products.entityRequests()).toBe(before);
    });
  });

  it('starts empty, with a stable id of its own per customer and a zero subtotal', async () => {
    const alice = await customer(cart);
    const bob = await customer(cart);
    const first = await readCart(cart, alice.token);
    expect(first).toEqual({
      id: expect.any(String),
      totalQuantity: 0,
      subtotal: { amount: '0.00', currencyCode: 'USD' },
      items: [],
    });
    expect((await readCart(cart, alice.token)).id).toBe(first.id);
    expect((await readCart(cart, bob.token)).id).not.toBe(first.id);
    // Opaque: the customer id does not show through.
    expect(first.id).not.toContain(alice.id);
  });

  it('adds a line, and adding the same product again adds to its quantity in its place', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(1999);
    const b = products.createProduct(500);

    const afterA = await addToCart(cart, token, a, 2);
    expect(afterA.items).toEqual([
      { quantity: 2, lineTotal: { amount: '39.98', currencyCode: 'USD' }, product: { id: a } },
    ]);
    expect(afterA.totalQuantity).toBe(2);
    expect(afterA.subtotal).toEqual({ amount: '39.98', currencyCode: 'USD' });

    await addToCart(cart, token, b, 1);
    const again = await addToCart(cart, token, a, 3);
    expect(linesOf(again)).toEqual([
      [a, 5],
      [b, 1],
    ]);
    expect(again.totalQuantity).toBe(6);
    expect(again.subtotal.amount).toBe('104.95');
    expect(again.id).toBe(afterA.id);
    expect(await readCart(cart, token)).toEqual(again);
  });

  it('accepts an id in upper case as the same product', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct();
    await addToCart(cart, token, a, 1);
    const after = await addToCart(cart, token, a.toUpperCase(), 1);
    expect(linesOf(after)).toEqual([[a, 2]]);
  });

  it('refuses quantities outside 1..100 with BAD_USER_INPUT on quantity, changing nothing', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct();
    await addToCart(cart, token, a, 4);
    const before = await readCart(cart, token);
    for (const quantity of [0, 101, -1]) {
      await expectRefused(ADD_TO_CART, { productId: a, quantity }, token, 'quantity');
    }
    const b = products.createProduct();
    await expectRefused(ADD_TO_CART, { productId: b, quantity: 0 }, token, 'quantity');
    expect(await readCart(cart, token)).toEqual(before);
  });

  it('refuses an addition that would take a line past 100, changing nothing; exactly 100 is fine', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(1);
    await addToCart(cart, token, a, 5);
    const before = await readCart(cart, token);
    await expectRefused(ADD_TO_CART, { productId: a, quantity: 96 }, token, 'quantity');
    expect(await readCart(cart, token)).toEqual(before);
    expect(linesOf(await addToCart(cart, token, a, 95))).toEqual([[a, 100]]);
    await expectRefused(ADD_TO_CART, { productId: a, quantity: 1 }, token, 'quantity');
    expect(linesOf(await readCart(cart, token))).toEqual([[a, 100]]);
  });

  it('refuses a product nobody knows with BAD_USER_INPUT on productId, changing nothing', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct();
    await addToCart(cart, token, a, 1);
    const before = await readCart(cart, token);
    await expectRefused(ADD_TO_CART, { productId: randomUUID(), quantity: 1 }, token, 'productId');
    await expectRefused(ADD_TO_CART, { productId: 'not-a-product', quantity: 1 }, token, 'productId');
    expect(await readCart(cart, token)).toEqual(before);
  });

  it('holds at most 50 lines: the 51st product is refused, changing nothing; existing lines still grow', async () => {
    const { token } = await customer(cart);
    const ids = Array.from({ length: 51 }, () => products.createProduct(100));
    for (const id of ids.slice(0, 50)) await addToCart(cart, token, id, 1);
    const before = await readCart(cart, token);
    expect(before.items).toHaveLength(50);

    await expectRefused(ADD_TO_CART, { productId: ids[50], quantity: 1 }, token, 'productId');
    expect(await readCart(cart, token)).toEqual(before);

    const grown = await addToCart(cart, token, ids[7]!, 2);
    expect(grown.items).toHaveLength(50);
    expect(grown.items[7]).toMatchObject({ quantity: 3, product: { id: ids[7] } });
    expect(grown.totalQuantity).toBe(52);
    expect(grown.subtotal.amount).toBe('52.00');
    // The cart lists the lines in the order they were added.
    expect(grown.items.map((item) => item.product.id)).toEqual(ids.slice(0, 50));
  });

  describe('updateCartItem', () => {
    it('sets the quantity in place, and 0 removes the line', async () => {
      const { token } = await customer(cart);
      const [a, b, c] = [products.createProduct(250), products.createProduct(100), products.createProduct(1)];
      for (const id of [a, b, c]) await addToCart(cart, token, id, 1);

      const set = await cart.request(UPDATE_CART_ITEM, { productId: a, quantity: 7 }, token);
      expect(set.errors).toBeUndefined();
      expect(linesOf(set.data.updateCartItem)).toEqual([
        [a, 7],
        [b, 1],
        [c, 1],
      ]);
      expect(set.data.updateCartItem.items[0].lineTotal.amount).toBe('17.50');
      expect(set.data.updateCartItem.subtotal.amount).toBe('18.51');

      const removed = await cart.request(UPDATE_CART_ITEM, { productId: b, quantity: 0 }, token);
      expect(removed.errors).toBeUndefined();
      expect(linesOf(removed.data.updateCartItem)).toEqual([
        [a, 7],
        [c, 1],
      ]);
      expect(removed.data.updateCartItem.totalQuantity).toBe(8);
      expect(await readCart(cart, token)).toEqual(removed.data.updateCartItem);
    });

    it('refuses a product not in the cart and a quantity outside 0..100, changing nothing', async () => {
      const { token } = await customer(cart);
      const a = products.createProduct();
      const elsewhere = products.createProduct();
      await addToCart(cart, token, a, 3);
      const before = await readCart(cart, token);
      await expectRefused(UPDATE_CART_ITEM, { productId: elsewhere, quantity: 1 }, token, 'productId');
      await expectRefused(UPDATE_CART_ITEM, { productId: elsewhere, quantity: 0 }, token, 'productId');
      await expectRefused(UPDATE_CART_ITEM, { productId: a, quantity: 101 }, token, 'quantity');
      await expectRefused(UPDATE_CART_ITEM, { productId: a, quantity: -1 }, token, 'quantity');
      expect(await readCart(cart, token)).toEqual(before);
    });

    it('may set exactly 100', async () => {
      const { token } = await customer(cart);
      const a = products.createProduct(1);
      await addToCart(cart, token, a, 1);
      const response = await cart.request(UPDATE_CART_ITEM, { productId: a, quantity: 100 }, token);
      expect(linesOf(response.data.updateCartItem)).toEqual([[a, 100]]);
    });
  });

  describe('removeFromCart and clearCart', () => {
    it('removes a line; removing a product that is not in the cart returns the cart unchanged', async () => {
      const { token } = await customer(cart);
      const [a, b] = [products.createProduct(300), products.createProduct(200)];
      await addToCart(cart, token, a, 1);
      await addToCart(cart, token, b, 2);

      const removed = await cart.request(REMOVE_FROM_CART, { productId: a }, token);
      expect(removed.errors).toBeUndefined();
      expect(linesOf(removed.data.removeFromCart)).toEqual([[b, 2]]);
      expect(removed.data.removeFromCart.subtotal.amount).toBe('4.00');

      for (const productId of [a, randomUUID(), 'not-a-product']) {
        const again = await cart.request(REMOVE_FROM_CART, { productId }, token);
        expect(again.errors).toBeUndefined();
        expect(again.data.removeFromCart).toEqual(removed.data.removeFromCart);
      }
    });

    it('a removed product added again goes last', async () => {
      const { token } = await customer(cart);
      const [a, b] = [products.createProduct(), products.createProduct()];
      await addToCart(cart, token, a, 1);
      await addToCart(cart, token, b, 1);
      await cart.request(REMOVE_FROM_CART, { productId: a }, token);
      expect(linesOf(await addToCart(cart, token, a, 4))).toEqual([
        [b, 1],
        [a, 4],
      ]);
    });

    it('clearCart empties the cart and keeps its id; the cart fills again afterwards', async () => {
      const { token } = await customer(cart);
      const [a, b] = [products.createProduct(), products.createProduct()];
      const { id } = await addToCart(cart, token, a, 1);
      await addToCart(cart, token, b, 5);

      const cleared = await cart.request(CLEAR_CART, {}, token);
      expect(cleared.errors).toBeUndefined();
      expect(cleared.data.clearCart).toEqual({
        id,
        totalQuantity: 0,
        subtotal: { amount: '0.00', currencyCode: 'USD' },
        items: [],
      });
      expect(await readCart(cart, token)).toEqual(cleared.data.clearCart);
      // Clearing an empty cart is fine too.
      expect((await cart.request(CLEAR_CART, {}, token)).data.clearCart.items).toEqual([]);
      expect(linesOf(await addToCart(cart, token, b, 1))).toEqual([[b, 1]]);
    });
  });

  it('computes line totals and the subtotal in exact decimals', async () => {
    const { token } = await customer(cart);
    const dime = products.createProduct(10); // 0.10 x 3 is 0.30, not 0.30000000000000004
    const odd = products.createProduct(1999);
    const big = products.createProduct(99_999_999); // 999,999.99 x 100
    await addToCart(cart, token, dime, 3);
    await addToCart(cart, token, odd, 7);
    const result = await addToCart(cart, token, big, 100);
    expect(result.items.map((item) => item.lineTotal.amount)).toEqual(['0.30', '139.93', '99999999.00']);
    expect(result.subtotal).toEqual({ amount: '100000139.23', currencyCode: 'USD' });
    expect(result.totalQuantity).toBe(110);
  });

  it("keeps two customers' carts apart", async () => {
    const alice = await customer(cart);
    const bob = await customer(cart);
    const [a, b] = [products.createProduct(), products.createProduct()];
    await addToCart(cart, alice.token, a, 2);
    await addToCart(cart, bob.token, b, 3);
    await cart.request(CLEAR_CART, {}, bob.token);
    expect(linesOf(await readCart(cart, alice.token))).toEqual([[a, 2]]);
    expect(linesOf(await addToCart(cart, bob.token, a, 1))).toEqual([[a, 1]]);
    expect(linesOf(await readCart(cart, alice.token))).toEqual([[a, 2]]);
  });

  it('asks products about a product once, then prices from the projection', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(1234);
    const before = products.entityRequests();
    await addToCart(cart, token, a, 1);
    expect(products.entityRequests()).toBe(before + 1);
    await addToCart(cart, token, a, 1);
    expect((await readCart(cart, token)).items[0]!.lineTotal.amount).toBe('24.68');
    expect(products.entityRequests()).toBe(before + 1);
  });

  it('prices every line of a cart with ONE projection read', async () => {
    const { token } = await customer(cart);
    const ids = Array.from({ length: 12 }, (_, i) => products.createProduct(100 + i));
    for (const id of ids) await addToCart(cart, token, id, 1);

    // MONITOR shows every command the server runs; this run's keys carry its own prefix.
    const monitor = await cart.runtime.redis!.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => arg.startsWith(prefix))) commands.push(args);
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const read = await readCart(cart, token);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(read.items).toHaveLength(12);
      expect(read.subtotal.amount).toBe('12.66');
    } finally {
      monitor.disconnect();
    }
    const names = commands.map((args) => args[0]!.toLowerCase());
    expect(names.sort()).toEqual(['hgetall', 'hmget']);
    const hmget = commands.find((args) => args[0]!.toLowerCase() === 'hmget')!;
    expect(hmget.slice(2).sort()).toEqual([...ids].sort());
  });

  it('keeps a cart for 30 days after its last change', async () => {
    const { id, token } = await customer(cart);
    await addToCart(cart, token, products.createProduct(), 1);
    const ttl = await cart.runtime.redis!.ttl(`customer:{${id}}`);
    expect(ttl).toBeGreaterThan(30 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(30 * 24 * 3600);
  });

  it('reports Redis in readiness', async () => {
    const response = await fetch(cart.url.replace(/\/graphql$/, '/health/ready'));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { checks: Record<string, boolean> }).checks).toMatchObject({
      postgres: true,
      redis: true,
    });
  });
});
