import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { contract } from './support/contract.js';
import { useStack } from './support/stack.js';

// The cart through the router on the real stack: lines from cart (Redis), product fields joined from
// products and inventory, totals from the current catalog prices.
const api = useStack();

describe('cart through the router', () => {
  let admin: string;
  let customer: string;
  const products: { id: string; name: string }[] = [];

  beforeAll(async () => {
    admin = await api.adminToken();
    customer = (await api.registerCustomer()).accessToken;
    const tag = randomUUID().slice(0, 8);
    const category = await api.request(
      'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
      { input: { name: `Cart Test ${tag}` } },
      admin,
    );
    expect(category.errors).toBeUndefined();
    for (const [i, price] of ['12.50', '3.99'].entries()) {
      const created = await api.request(
        contract('CreateProduct'),
        {
          input: {
            sku: `CART-${tag}-${i}`,
            name: `Cartable ${tag} ${i}`,
            price,
            categoryId: category.data.createCategory.id,
          },
        },
        admin,
      );
      products.push(created.data.createProduct);
    }
    await api.request(contract('AdjustStock'), { productId: products[0]!.id, delta: 7 }, admin);
  });

  it('fills, prices, updates and empties a cart, with product fields from products and inventory', async () => {
    const [first, second] = products as [{ id: string; name: string }, { id: string; name: string }];
    const add = await api.request(contract('AddToCart'), { productId: first.id, quantity: 2 }, customer);
    expect(add.errors).toBeUndefined();
    expect(add.data.addToCart).toMatchObject({
      totalQuantity: 2,
      items: [{ quantity: 2, product: { id: first.id, name: first.name } }],
    });
    await api.request(contract('AddToCart'), { productId: first.id, quantity: 1 }, customer);
    await api.request(contract('AddToCart'), { productId: second.id, quantity: 4 }, customer);

    const cart = await api.request(contract('Cart'), {}, customer);
    expect(cart.errors).toBeUndefined();
    expect(cart.data.cart).toEqual({
      id: expect.any(String),
      totalQuantity: 7,
      subtotal: { amount: '53.46', currencyCode: 'USD' },
      items: [
        {
          quantity: 3,
          lineTotal: { amount: '37.50', currencyCode: 'USD' },
          product: {
            id: first.id,
            name: first.name,
            price: { amount: '12.50', currencyCode: 'USD' },
            inStock: true,
          },
        },
        {
          quantity: 4,
          lineTotal: { amount: '15.96', currencyCode: 'USD' },
          product: {
            id: second.id,
            name: second.name,
            price: { amount: '3.99', currencyCode: 'USD' },
            inStock: false,
          },
        },
      ],
    });

    const updated = await api.request(
      contract('UpdateCartItem'),
      { productId: second.id, quantity: 0 },
      customer,
    );
    expect(updated.data.updateCartItem).toMatchObject({
      totalQuantity: 3,
      items: [{ quantity: 3, product: { id: first.id } }],
    });
    const removed = await api.request(contract('RemoveFromCart'), { productId: first.id }, customer);
    expect(removed.data.removeFromCart).toMatchObject({ totalQuantity: 0 });
    await api.request(contract('AddToCart'), { productId: second.id, quantity: 1 }, customer);
    const cleared = await api.request(contract('ClearCart'), {}, customer);
    expect(cleared.data.clearCart).toMatchObject({ totalQuantity: 0 });
  });

  it('follows a price change made in the catalog', async () => {
    const shopper = (await api.registerCustomer()).accessToken;
    const [, second] = products as [unknown, { id: string }];
    await api.request(contract('AddToCart'), { productId: second.id, quantity: 2 }, shopper);
    await api.request(contract('UpdateProduct'), { id: second.id, input: { price: '5.00' } }, admin);
    let subtotal = '';
    for (let i = 0; i < 100 && subtotal !== '10.00'; i++) {
      const cart = await api.request(contract('Cart'), {}, shopper);
      subtotal = cart.data.cart.subtotal.amount;
      if (subtotal !== '10.00') await new Promise((r) => setTimeout(r, 100));
    }
    expect(subtotal).toBe('10.00');
  });

  it('refuses bad input and anonymous callers, changing nothing', async () => {
    const shopper = (await api.registerCustomer()).accessToken;
    const first = products[0]!;
    expect(
      errorCodes(await api.request(contract('AddToCart'), { productId: first.id, quantity: 0 }, shopper)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await api.request(contract('AddToCart'), { productId: first.id, quantity: 101 }, shopper)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await api.request(contract('AddToCart'), { productId: randomUUID(), quantity: 1 }, shopper)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await api.request(contract('AddToCart'), { productId: first.id, quantity: 1 })),
    ).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await api.request(contract('Cart')))).toEqual(['UNAUTHENTICATED']);
    const cart = await api.request(contract('Cart'), {}, shopper);
    expect(cart.data.cart).toMatchObject({ totalQuantity: 0, items: [] });
  });
});
