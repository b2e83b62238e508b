import { describe, expect, it } from '@jest/globals';
import { formatMoney } from '../app/money';
import { stockLabel } from './stock';

describe('stockLabel', () => {
  it('says out of stock, only a few left, or in stock', () => {
    expect(stockLabel({ inStock: false, availableQuantity: 0 })).toBe('Out of stock');
    expect(stockLabel({ inStock: true, availableQuantity: 3 })).toBe('Only 3 left');
    expect(stockLabel({ inStock: true, availableQuantity: 40 })).toBe('In stock');
  });
});

describe('formatMoney', () => {
  it("formats a decimal string in the money's currency", () => {
    expect(formatMoney({ amount: '1234.5', currencyCode: 'EUR' }, 'en-US')).toBe('€1,234.50');
    expect(formatMoney({ amount: '0.99', currencyCode: 'USD' }, 'en-US')).toBe('$0.99');
  });
});
