import { describe, expect, it } from '@jest/globals';
import { retryAfterMs } from '../../support/shop.js';

describe('the order load honours Retry-After', () => {
  it("waits a 503's Retry-After seconds", () => {
    expect(retryAfterMs({ status: 503, headers: new Headers({ 'retry-after': '2' }) })).toBe(2000);
  });

  it('has no wait of its own for other answers or a 503 without a usable header', () => {
    expect(retryAfterMs({ status: 200, headers: new Headers({ 'retry-after': '2' }) })).toBeUndefined();
    expect(retryAfterMs({ status: 503, headers: new Headers() })).toBeUndefined();
    expect(retryAfterMs({ status: 503, headers: new Headers({ 'retry-after': 'soon' }) })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});
