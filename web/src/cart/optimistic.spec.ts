import { describe, expect, it } from '@jest/globals';
import type { CartLinesFragment } from '../__generated__/graphql';
import { withoutProducts, withQuantity } from './optimistic';

const usd = (amount: string) => ({ __typename: 'Money' as const, amount, currencyCode: 'USD' });
const line = (id: string, price: string, quantity: number) => ({
  __typename: 'CartItem' as const,
  quantity,
  lineTotal: usd((Number(price) * quantity).toFixed(2)),
  product: { __typename: 'Product' as const, id, name: id, price: usd(price), inStock: true },
});
// What the cache holds at run time carries __typename, which the generated fragment types leave out.
const cart = {
  __typename: 'Cart',
  id: 'c',
  totalQuantity: 3,
  subtotal: usd('30.10'),
  items: [line('mug', '0.10', 1), line('lamp', '15.00', 2)],
} as CartLinesFragment;

describe('withQuantity', () => {
  it('changes one line and recomputes its total, the count and the subtotal in cents', () => {
    const next = withQuantity(cart, 'mug', 3);
    expect(next.items[0]).toMatchObject({ quantity: 3, lineTotal: { amount: '0.30' } });
    expect(next).toMatchObject({ totalQuantity: 5, subtotal: { amount: '30.30', currencyCode: 'USD' } });
  });

  it('drops a line set to 0', () => {
    const next = withQuantity(cart, 'lamp', 0);
    expect(next.items.map((item) => item.product.id)).toEqual(['mug']);
    expect(next).toMatchObject({ totalQuantity: 1, subtotal: { amount: '0.10' } });
  });
});

describe('withoutProducts', () => {
  it('drops the ordered lines and recomputes the count and subtotal', () => {
    const next = withoutProducts(cart, ['lamp']);
    expect(next.items.map((item) => item.product.id)).toEqual(['mug']);
    expect(next).toMatchObject({ totalQuantity: 1, subtotal: { amount: '0.10', currencyCode: 'USD' } });
  });

  it('leaves an empty cart with a zero subtotal when everything was ordered, and ignores unknown ids', () => {
    const next = withoutProducts(cart, ['mug', 'lamp', 'gone']);
    expect(next).toMatchObject({
      items: [],
      totalQuantity: 0,
      subtotal: { amount: '0.00', currencyCode: 'USD' },
    });
  });
});
