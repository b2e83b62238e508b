import { describe, expect, it } from '@jest/globals';
import { cartIdOf, priceCart } from './cart.pricing.js';
import type { ProductPrice } from './product-price.repository.js';

const price = (productId: string, priceMinor: number, currencyCode = 'USD'): ProductPrice => ({
  productId,
  priceMinor,
  currencyCode,
  versionMs: 0,
});
const prices = (...list: ProductPrice[]) => new Map(list.map((p) => [p.productId, p]));

describe('priceCart', () => {
  it('multiplies and sums in minor units, keeping the lines in order', () => {
    const view = priceCart(
      'c1',
      [
        { productId: 'a', quantity: 3, seq: 1 },
        { productId: 'b', quantity: 7, seq: 2 },
      ],
      prices(price('a', 10), price('b', 1999)),
      'USD',
    );
    expect(view).toEqual({
      id: cartIdOf('c1'),
      totalQuantity: 10,
      subtotal: { amount: '140.23', currencyCode: 'USD' },
      items: [
        { quantity: 3, lineTotal: { amount: '0.30', currencyCode: 'USD' }, product: { id: 'a' } },
        { quantity: 7, lineTotal: { amount: '139.93', currencyCode: 'USD' }, product: { id: 'b' } },
      ],
    });
  });

  it('stays exact past the float-safe range', () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ productId: `p${i}`, quantity: 100, seq: i }));
    const all = prices(...lines.map((l) => price(l.productId, Number.MAX_SAFE_INTEGER)));
    const view = priceCart('c1', lines, all, 'USD');
    expect(view.subtotal.amount).toBe(money(BigInt(Number.MAX_SAFE_INTEGER) * 5000n));
  });

  it('gives an empty cart a zero subtotal in the store currency', () => {
    expect(priceCart('c1', [], new Map(), 'EUR')).toMatchObject({
      totalQuantity: 0,
      subtotal: { amount: '0.00', currencyCode: 'EUR' },
      items: [],
    });
  });

  it('uses the currency of the prices, with its own minor digits', () => {
    const view = priceCart(
      'c1',
      [{ productId: 'a', quantity: 2, seq: 1 }],
      prices(price('a', 150, 'JPY')),
      'USD',
    );
    expect(view.subtotal).toEqual({ amount: '300', currencyCode: 'JPY' });
  });

  it('refuses to price a line without a price, or lines in different currencies', () => {
    expect(() => priceCart('c1', [{ productId: 'a', quantity: 1, seq: 1 }], new Map(), 'USD')).toThrow(
      /no price/,
    );
    expect(() =>
      priceCart(
        'c1',
        [
          { productId: 'a', quantity: 1, seq: 1 },
          { productId: 'b', quantity: 1, seq: 2 },
        ],
        prices(price('a', 1), price('b', 1, 'EUR')),
        'USD',
      ),
    ).toThrow(/mixes currencies/);
  });
});

describe('cartIdOf', () => {
  it('is stable per customer, different between customers, UUID-shaped, and hides the customer id', () => {
    const id = cartIdOf('4b0e2f9a-1c1d-4e8f-9a55-0d3c2b1a0f99');
    expect(cartIdOf('4b0e2f9a-1c1d-4e8f-9a55-0d3c2b1a0f99')).toBe(id);
    expect(cartIdOf('4b0e2f9a-1c1d-4e8f-9a55-0d3c2b1a0f98')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toContain('4b0e2f9a');
  });
});

/** "123456" minor units of a 2-digit currency -> "1234.56" (written out independently of money()). */
function money(minor: bigint): string {
  const digits = minor.toString().padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
