import { describe, expect, it } from '@jest/globals';
import { notificationText, orderReference } from './notification-message.js';

const orderId = '0193a2b4-7c1e-7d2a-9f00-3b5c6d7e8f90';

describe('notificationText', () => {
  it('greets a new user by name', () => {
    expect(notificationText('WELCOME', { name: 'Ada' }).body).toContain('Ada');
  });

  it('names the order in placed and confirmed notifications, with the total when known', () => {
    const placed = notificationText('ORDER_PLACED', { orderId, total: '19.99 USD' });
    expect(placed.title).toBe(`Order ${orderReference(orderId)} placed`);
    expect(placed.body).toContain('19.99 USD');
    expect(notificationText('ORDER_CONFIRMED', { orderId }).title).toBe('Order 0193A2B4 confirmed');
  });

  it('says why an order was cancelled', () => {
    for (const [reason, words] of [
      ['OUT_OF_STOCK', 'out of stock'],
      ['PAYMENT_DECLINED', 'payment was declined'],
      ['CUSTOMER_CANCELLED', 'at your request'],
      ['EXPIRED', 'could not be settled in time'],
    ] as const) {
      const body = notificationText('ORDER_CANCELLED', { orderId, reason }).body;
      expect(body).toContain(words);
      expect(body).toContain(reason);
    }
  });
});
