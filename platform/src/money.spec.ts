import { describe, expect, it } from '@jest/globals';
import { money, parseDecimal } from './money.js';

describe('money', () => {
  it('formats minor units with the currency digits', () => {
    expect(money(1999, 'USD')).toEqual({ amount: '19.99', currencyCode: 'USD' });
    expect(money(5, 'EUR').amount).toBe('0.05');
    expect(money(0, 'USD').amount).toBe('0.00');
    expect(money(-250, 'USD').amount).toBe('-2.50');
    expect(money(1200, 'JPY').amount).toBe('1200');
  });

  it('parses decimals into minor units', () => {
    expect(parseDecimal('19.99', 'USD')).toBe(1999);
    expect(parseDecimal('5', 'USD')).toBe(500);
    expect(parseDecimal('5.5', 'USD')).toBe(550);
    expect(parseDecimal('1200', 'JPY')).toBe(1200);
  });

  it('refuses what is not a plain decimal of the currency', () => {
    for (const bad of ['19.999', 'abc', '1e3', '', '12.', '.5', '1,00']) {
      expect(() => parseDecimal(bad, 'USD')).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
    expect(() => parseDecimal('1.5', 'JPY')).toThrow('decimal places');
  });
});
