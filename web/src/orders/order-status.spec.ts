import { describe, expect, it } from '@jest/globals';
import { describeStatus, FINAL_STATUSES } from './order-status';

describe('describeStatus', () => {
  it('words each status, and says why a cancelled order was cancelled', () => {
    expect(describeStatus('CONFIRMED')).toMatch(/^Confirmed/);
    expect(describeStatus('CANCELLED', 'PAYMENT_DECLINED')).toBe(
      'Cancelled: your card was declined. Nothing was charged.',
    );
    expect(describeStatus('CANCELLED', 'OUT_OF_STOCK')).toMatch(/out of stock/);
    expect(FINAL_STATUSES).toEqual(['CONFIRMED', 'CANCELLED']);
  });
});
