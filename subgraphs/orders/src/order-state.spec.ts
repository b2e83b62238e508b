import { describe, expect, it } from '@jest/globals';
import { ORDER_STATUSES, transition, type OrderTrigger } from './order-state.js';

const TRIGGERS: OrderTrigger[] = [
  'STOCK_RESERVED',
  'STOCK_REJECTED',
  'PAYMENT_SUCCEEDED',
  'PAYMENT_DECLINED',
  'CUSTOMER_CANCELLED',
  'SETTLEMENT_TIMED_OUT',
  'STOCK_RELEASED',
];

describe('order state machine', () => {
  it('follows the happy path PENDING -> RESERVED -> CONFIRMED', () => {
    expect(transition('PENDING', 'STOCK_RESERVED')).toEqual({
      kind: 'apply',
      steps: [{ status: 'RESERVED' }],
    });
    expect(transition('RESERVED', 'PAYMENT_SUCCEEDED')).toEqual({
      kind: 'apply',
      steps: [{ status: 'CONFIRMED' }],
    });
  });

  it('cancels with the reason of what went wrong', () => {
    expect(transition('PENDING', 'STOCK_REJECTED')).toEqual({
      kind: 'apply',
      steps: [{ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' }],
    });
    expect(transition('RESERVED', 'PAYMENT_DECLINED')).toEqual({
      kind: 'apply',
      steps: [{ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' }],
    });
    for (const status of ['PENDING', 'RESERVED', 'CONFIRMED'] as const) {
      expect(transition(status, 'CUSTOMER_CANCELLED')).toEqual({
        kind: 'apply',
        steps: [{ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' }],
      });
    }
  });

  it('handles a payment outcome processed before the stock reservation', () => {
    expect(transition('PENDING', 'PAYMENT_SUCCEEDED')).toEqual({
      kind: 'apply',
      steps: [{ status: 'RESERVED' }, { status: 'CONFIRMED' }],
    });
    expect(transition('PENDING', 'PAYMENT_DECLINED')).toMatchObject({ kind: 'apply' });
    // ...and the late reservation changes nothing.
    expect(transition('CONFIRMED', 'STOCK_RESERVED').kind).toBe('ignore');
  });

  it('expires an order still PENDING or RESERVED at the settlement timeout, never a CONFIRMED one', () => {
    for (const status of ['PENDING', 'RESERVED'] as const) {
      expect(transition(status, 'SETTLEMENT_TIMED_OUT')).toEqual({
        kind: 'apply',
        steps: [{ status: 'CANCELLED', cancellationReason: 'EXPIRED' }],
      });
    }
    expect(transition('CONFIRMED', 'SETTLEMENT_TIMED_OUT').kind).toBe('ignore');
    expect(transition('CANCELLED', 'SETTLEMENT_TIMED_OUT').kind).toBe('ignore');
  });

  it('cancels EXPIRED when inventory released the stock on its own, even a CONFIRMED order (no oversell)', () => {
    for (const status of ['PENDING', 'RESERVED', 'CONFIRMED'] as const) {
      expect(transition(status, 'STOCK_RELEASED')).toEqual({
        kind: 'apply',
        steps: [{ status: 'CANCELLED', cancellationReason: 'EXPIRED' }],
      });
    }
    expect(transition('CANCELLED', 'STOCK_RELEASED').kind).toBe('ignore');
  });

  it('lets no late event revive an expired order', () => {
    // After the expiry the order is CANCELLED: a late reservation or payment changes nothing
    // (payments refunds the charge on the cancellation), and cancelling it again is refused.
    for (const trigger of [
      'STOCK_RESERVED',
      'PAYMENT_SUCCEEDED',
      'PAYMENT_DECLINED',
      'STOCK_REJECTED',
    ] as const) {
      expect(transition('CANCELLED', trigger).kind).toBe('ignore');
    }
    expect(transition('CANCELLED', 'CUSTOMER_CANCELLED').kind).toBe('illegal');
  });

  it('changes nothing for a cancelled order; cancelling it again is illegal', () => {
    for (const trigger of TRIGGERS) {
      const result = transition('CANCELLED', trigger);
      expect(result.kind).toBe(trigger === 'CUSTOMER_CANCELLED' ? 'illegal' : 'ignore');
    }
  });

  it('refuses transitions the flow cannot produce', () => {
    expect(transition('RESERVED', 'STOCK_REJECTED').kind).toBe('illegal');
    expect(transition('CONFIRMED', 'STOCK_REJECTED').kind).toBe('illegal');
    expect(transition('CONFIRMED', 'PAYMENT_DECLINED').kind).toBe('illegal');
    expect(transition('RESERVED', 'STOCK_RESERVED').kind).toBe('ignore');
    expect(transition('CONFIRMED', 'PAYMENT_SUCCEEDED').kind).toBe('ignore');
  });

  it('never leaves CANCELLED and never enters PENDING', () => {
    for (const status of ORDER_STATUSES) {
      for (const trigger of TRIGGERS) {
        const result = transition(status, trigger);
        if (result.kind !== 'apply') continue;
        expect(status).not.toBe('CANCELLED');
        expect(result.steps.map((s) => s.status)).not.toContain('PENDING');
      }
    }
  });
});
