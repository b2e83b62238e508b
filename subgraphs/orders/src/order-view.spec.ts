import { describe, expect, it } from '@jest/globals';
import { orderStatusChangedV1 } from '@shop/schema';
import type { Order } from './order.entity.js';
import { ORDER_STATUSES, transition, type OrderTrigger } from './order-state.js';
import { isFinalStatus, statusChangedPayload } from './order-status.js';
import { applyStatusChange, toOrder } from './order-view.js';

const placedAt = new Date('2026-11-24T10:00:00.123Z');

/** An order row as `placeOrder` stores it (version 1, PENDING). */
const placedRow = (): Order =>
  ({
    id: '0193a2b4-7c1e-7d2a-9f00-3b5c6d7e8f90',
    customerId: '0193a2b4-7c1e-7d2a-9f00-000000000001',
    idempotencyKey: 'k',
    requestFingerprint: 'f'.repeat(64),
    status: 'PENDING',
    cancellationReason: null,
    totalMinor: 3998,
    currencyCode: 'USD',
    paymentToken: 'tok_visa',
    line1: '1 Main St',
    line2: null,
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
    version: 1,
    createdAt: placedAt,
    updatedAt: placedAt,
  }) as Order;

/** What `OrderService.applySteps` does to the row for `trigger`, with the events it records. */
function applyTrigger(row: Order, trigger: OrderTrigger, at: Date) {
  const result = transition(row.status, trigger);
  if (result.kind !== 'apply') throw new Error(result.why);
  return result.steps.map((step) => {
    const previousStatus = row.status;
    row.status = step.status;
    row.cancellationReason = step.cancellationReason ?? null;
    row.version += 1;
    row.updatedAt = at;
    return statusChangedPayload(row, previousStatus);
  });
}

describe('an order and its status-changed events', () => {
  it('describe creation as version 1 from no status, valid for the contract', () => {
    const row = placedRow();
    const created = statusChangedPayload(row, null);
    expect(orderStatusChangedV1.parse(created)).toEqual({
      orderId: row.id,
      customerId: row.customerId,
      status: 'PENDING',
      previousStatus: null,
      cancellationReason: null,
      version: 1,
      changedAt: '2026-11-24T10:00:00.123Z',
    });
  });

  it.each<[string, OrderTrigger[]]>([
    ['reserved then paid', ['STOCK_RESERVED', 'PAYMENT_SUCCEEDED']],
    ['paid before the reservation was processed (two steps at once)', ['PAYMENT_SUCCEEDED']],
    ['out of stock', ['STOCK_REJECTED']],
    ['declined', ['STOCK_RESERVED', 'PAYMENT_DECLINED']],
    [
      'cancelled by the customer after confirmation',
      ['STOCK_RESERVED', 'PAYMENT_SUCCEEDED', 'CUSTOMER_CANCELLED'],
    ],
    ['expired', ['SETTLEMENT_TIMED_OUT']],
    ['released by inventory', ['STOCK_RESERVED', 'STOCK_RELEASED']],
  ])(
    'applying the events of "%s" to the snapshot gives what a fresh read of the order gives',
    (_name, triggers) => {
      const row = placedRow();
      let state = toOrder(row);
      const versions: number[] = [];
      triggers.forEach((trigger, i) => {
        for (const payload of applyTrigger(row, trigger, new Date(placedAt.getTime() + 1000 * (i + 1)))) {
          const change = orderStatusChangedV1.parse(payload);
          expect(change.version).toBe(state.version + 1);
          expect(change.previousStatus).toBe(state.status);
          state = applyStatusChange(state, change);
          versions.push(change.version);
        }
      });
      expect(state).toEqual(toOrder(row));
      expect(versions).toEqual(versions.map((_, i) => i + 2));
      expect(isFinalStatus(state.status)).toBe(true);
    },
  );

  it('show the row as the GraphQL parent: money as a decimal string, the customer as a reference', () => {
    expect(toOrder(placedRow())).toMatchObject({
      status: 'PENDING',
      cancellationReason: null,
      total: { amount: '39.98', currencyCode: 'USD' },
      shippingAddress: { line1: '1 Main St', line2: null, country: 'DE' },
      customer: { id: '0193a2b4-7c1e-7d2a-9f00-000000000001' },
      version: 1,
    });
  });

  it('refuse to apply another order’s change', () => {
    const state = toOrder(placedRow());
    const other = {
      ...statusChangedPayload(placedRow(), null),
      orderId: '0193a2b4-7c1e-7d2a-9f00-000000000002',
    };
    expect(() => applyStatusChange(state, { ...other, version: 2, previousStatus: 'PENDING' })).toThrow();
  });

  it('call exactly CONFIRMED and CANCELLED final', () => {
    expect(ORDER_STATUSES.filter(isFinalStatus)).toEqual(['CONFIRMED', 'CANCELLED']);
  });
});
