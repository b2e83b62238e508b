import { describe, expect, it } from '@jest/globals';
import { decodePrice, encodePrice } from './product-price.repository.js';

describe('stored prices', () => {
  it('round-trip through their encoding', () => {
    const price = { productId: 'p', priceMinor: 1999, currencyCode: 'USD', versionMs: 1_790_000_000_123 };
    expect(encodePrice(price)).toBe('1999:USD:1790000000123');
    expect(decodePrice('p', encodePrice(price))).toEqual(price);
  });

  it('decode to undefined when malformed', () => {
    for (const value of ['', '1999', '19.99:USD:1', '1999:usd:1', '1999:USD:', 'a:USD:1']) {
      expect(decodePrice('p', value)).toBeUndefined();
    }
  });
});
