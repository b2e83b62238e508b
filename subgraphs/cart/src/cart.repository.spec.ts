import { describe, expect, it } from '@jest/globals';
import { cartKey, decodeLines, processedKey } from './cart.repository.js';

describe('decodeLines', () => {
  it('orders lines by insertion sequence and skips the counter and undecodable values', () => {
    expect(decodeLines(['b', '12:1', '#seq', '12', 'a', '3:40', 'junk', 'x:y', 'c', '9:100'])).toEqual([
      { productId: 'a', seq: 3, quantity: 40 },
      { productId: 'c', seq: 9, quantity: 100 },
      { productId: 'b', seq: 12, quantity: 1 },
    ]);
  });

  it('reads an empty hash as no lines', () => {
    expect(decodeLines([])).toEqual([]);
  });
});

describe('keys', () => {
  it("keep a customer's cart and processed events in one cluster slot (same hash tag)", () => {
    expect(cartKey('c-1')).toBe('customer:{c-1}');
    expect(processedKey('c-1', 'e-9')).toBe('processed:{c-1}:e-9');
  });
});
