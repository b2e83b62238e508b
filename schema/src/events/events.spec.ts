import { describe, expect, it } from '@jest/globals';
import {
  orderCancelledV1,
  orderPlacedV1,
  orderStatusChangedV1,
  productChangedV1,
  stockChangedV1,
  stockReleasedV1,
  userRegisteredV1,
  userUpdatedV1,
} from './index.js';

const id = '0193a2b4-7c1e-7d2a-9f00-3b5c6d7e8f90';
const at = '2026-11-24T00:00:00.000Z';

describe('event contracts', () => {
  it('accept the payloads their producers publish, and ignore fields added later', () => {
    expect(
      userRegisteredV1.parse({
        userId: id,
        email: 'a@b.co',
        name: 'A',
        roles: ['CUSTOMER'],
        registeredAt: at,
        extra: 1,
      }),
    ).not.toHaveProperty('extra');
    expect(userUpdatedV1.parse({ userId: id, name: 'B', updatedAt: at })).toEqual({
      userId: id,
      name: 'B',
      updatedAt: at,
    });
    expect(
      productChangedV1.parse({
        productId: id,
        sku: 'S-1',
        name: 'N',
        slug: 'n',
        priceMinor: 1999,
        currencyCode: 'USD',
        categoryId: id,
        occurredAt: at,
      }).priceMinor,
    ).toBe(1999);
    expect(
      stockChangedV1.parse({ productId: id, onHand: 5, reserved: 2, available: 3, changedAt: at }).available,
    ).toBe(3);
  });

  it('accept a placed order and refuse one without lines or with a fractional price', () => {
    const order = {
      orderId: id,
      customerId: id,
      items: [{ productId: id, quantity: 2, unitPriceMinor: 1999 }],
      totalMinor: 3998,
      currencyCode: 'USD',
      paymentToken: 'tok_visa',
      placedAt: at,
    };
    expect(orderPlacedV1.parse(order).items).toHaveLength(1);
    expect(() => orderPlacedV1.parse({ ...order, items: [] })).toThrow();
    expect(() =>
      orderPlacedV1.parse({ ...order, items: [{ productId: id, quantity: 1, unitPriceMinor: 19.99 }] }),
    ).toThrow();
  });

  it('refuse malformed payloads', () => {
    expect(() =>
      userRegisteredV1.parse({
        userId: 'nope',
        email: 'a@b.co',
        name: 'A',
        roles: ['ROOT'],
        registeredAt: at,
      }),
    ).toThrow();
    expect(() =>
      productChangedV1.parse({
        productId: id,
        sku: 'S',
        name: 'N',
        slug: 'n',
        priceMinor: 19.99,
        currencyCode: 'USD',
        categoryId: id,
        occurredAt: at,
      }),
    ).toThrow();
    expect(() =>
      stockChangedV1.parse({ productId: id, onHand: 1, reserved: 2, available: -1, changedAt: at }),
    ).toThrow();
    expect(() => userUpdatedV1.parse({ userId: id, name: 'B', updatedAt: 'yesterday' })).toThrow();
  });

  it('accept an EXPIRED cancellation and an expired release, and refuse other release reasons', () => {
    const cancelled = {
      orderId: id,
      customerId: id,
      reason: 'EXPIRED',
      previousStatus: 'RESERVED',
      cancelledAt: at,
    };
    expect(orderCancelledV1.parse(cancelled).reason).toBe('EXPIRED');
    expect(() => orderCancelledV1.parse({ ...cancelled, reason: 'LOST' })).toThrow();

    const released = {
      orderId: id,
      reason: 'EXPIRED',
      items: [{ productId: id, quantity: 3 }],
      releasedAt: at,
    };
    expect(stockReleasedV1.parse(released)).toEqual(released);
    expect(() => stockReleasedV1.parse({ ...released, reason: 'CUSTOMER_CANCELLED' })).toThrow();
    expect(() => stockReleasedV1.parse({ ...released, items: [] })).toThrow();
  });

  it('accept every status change of an order and refuse inconsistent ones', () => {
    const placed = {
      orderId: id,
      customerId: id,
      status: 'PENDING',
      previousStatus: null,
      cancellationReason: null,
      version: 1,
      changedAt: at,
    };
    expect(orderStatusChangedV1.parse(placed)).toEqual(placed);
    const cancelled = {
      ...placed,
      status: 'CANCELLED',
      previousStatus: 'RESERVED',
      cancellationReason: 'PAYMENT_DECLINED',
      version: 3,
    };
    expect(orderStatusChangedV1.parse(cancelled).cancellationReason).toBe('PAYMENT_DECLINED');
    expect(() => orderStatusChangedV1.parse({ ...cancelled, cancellationReason: null })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...placed, cancellationReason: 'EXPIRED' })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...placed, previousStatus: 'PENDING' })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...cancelled, previousStatus: null })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...placed, version: 0, previousStatus: null })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...placed, status: 'EXPIRED' })).toThrow();
    expect(() => orderStatusChangedV1.parse({ ...placed, version: 1.5 })).toThrow();
  });
});
