import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
} from '@shop/platform/testing';
import {
  ADD_TO_CART,
  customer,
  deleteKeys,
  linesOf,
  readCart,
  startCart,
  testKeyPrefix,
  UPDATE_CART_ITEM,
} from './cart.harness.js';

describe('concurrent cart changes', () => {
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

  const add = (token: string, productId: string, quantity: number) =>
    cart.request(ADD_TO_CART, { productId, quantity }, token);

  it('counts every one of 20 parallel +1 of the same product', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(150);
    const responses = await Promise.all(Array.from({ length: 20 }, () => add(token, a, 1)));
    expect(responses.flatMap(errorCodes)).toEqual([]);
    const final = await readCart(cart, token);
    expect(linesOf(final)).toEqual([[a, 20]]);
    expect(final.subtotal.amount).toBe('30.00');
    // Each addition saw its own state: the answers are 1..20, each once.
    expect(
      responses.map((r) => r.data.addToCart.items[0].quantity).sort((x: number, y: number) => x - y),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('lets exactly 50 of 60 parallel new products in', async () => {
    const { token } = await customer(cart);
    const ids = Array.from({ length: 60 }, () => products.createProduct(100));
    const responses = await Promise.all(ids.map((id) => add(token, id, 1)));
    const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(50);
    expect(codes.filter((c) => c === 'BAD_USER_INPUT')).toHaveLength(10);
    const final = await readCart(cart, token);
    expect(final.items).toHaveLength(50);
    const accepted = ids.filter((_, i) => codes[i] === 'OK');
    expect(final.items.map((item) => item.product.id).sort()).toEqual(accepted.sort());
  });

  it('never takes a line past 100 when additions race', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(1);
    const responses = await Promise.all(Array.from({ length: 5 }, () => add(token, a, 30)));
    const codes = responses.map((r) => errorCodes(r)[0] ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(3);
    expect(codes.filter((c) => c === 'BAD_USER_INPUT')).toHaveLength(2);
    expect(linesOf(await readCart(cart, token))).toEqual([[a, 90]]);
  });

  it('applies racing updates and additions one at a time', async () => {
    const { token } = await customer(cart);
    const a = products.createProduct(1);
    await add(token, a, 1);
    // Ten "+1" and one "set to 50" in parallel: whatever the order, the result is 50 + the +1s
    // that ran after the set, never a lost update (10 to 60, and only values that order allows).
    const responses = await Promise.all([
      ...Array.from({ length: 10 }, () => add(token, a, 1)),
      cart.request(UPDATE_CART_ITEM, { productId: a, quantity: 50 }, token),
    ]);
    expect(responses.flatMap(errorCodes)).toEqual([]);
    const setAnswer = responses[10]!.data.updateCartItem.items[0].quantity as number;
    expect(setAnswer).toBe(50);
    const quantity = (await readCart(cart, token)).items[0]!.quantity;
    const addsAfterSet = responses
      .slice(0, 10)
      .filter((r) => (r.data.addToCart.items[0].quantity as number) > 50).length;
    expect(quantity).toBe(50 + addsAfterSet);
  });
});
