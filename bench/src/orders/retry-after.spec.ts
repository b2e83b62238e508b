import { describe, expect, it } from '@jest/globals';
import { retryAfterMs, retryWaitMs } from '../../support/shop.js';

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

describe('the order load backs off', () => {
  const unavailable = { status: 503, headers: new Headers({ 'retry-after': '1' }) };
  const failed = { status: 200, headers: new Headers() };

  it('doubles from 100 ms up to 5 s, whatever the answer', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map((tries) => retryWaitMs(tries, failed))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it("never waits less than a 503's Retry-After", () => {
    expect([1, 4, 5, 6].map((tries) => retryWaitMs(tries, unavailable))).toEqual([1000, 1000, 1600, 3200]);
  });
});
