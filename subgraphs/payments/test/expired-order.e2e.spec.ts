import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PAYMENT_REFUNDED_V1, PAYMENT_SUCCEEDED_V1, paymentRefundedV1 } from '@shop/schema';
import { orderPlaced, startPayments, type PaymentsHarness } from './payments.harness.js';

/**
 * Orders that expired (orders' settlement timeout cancels them EXPIRED while they are PENDING or
 * RESERVED): payments must never keep money for them, whichever of `inventory.stock.reserved.v1`
 * and `orders.order.cancelled.v1` it sees first. Seen reservation first: the charge is refunded
 * (orders ignores the late `payment.succeeded`, the order stays CANCELLED). Seen cancellation first:
 * never charged.
 */
describe('expired orders: a charge taken meanwhile is refunded, a late reservation charges nothing', () => {
  let h: PaymentsHarness;

  beforeAll(async () => {
    h = await startPayments();
    await h.watch([PAYMENT_SUCCEEDED_V1, PAYMENT_REFUNDED_V1]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('refunds the charge of an order that expired while RESERVED (reservation seen first)', async () => {
    const order = orderPlaced({ totalMinor: 1250 });
    await h.publish(h.placed(order), h.reserved(order.orderId));
    await h.waitForStatus(order.orderId, 'SUCCEEDED');
    const charged = await h.payment(order.orderId);

    // Orders expired the order before it processed payment.succeeded: the cancellation says RESERVED.
    const expired = h.cancelled(order, 'RESERVED', 'EXPIRED');
    await h.publish(expired, expired);
    await h.waitForProcessed(expired.id);

    const payment = await h.payment(order.orderId);
    expect(payment?.status).toBe('REFUNDED');
    expect(await h.sandboxCharges(order.orderId)).toHaveLength(1);
    expect(await h.sandboxRefunds(charged!.provider_ref!)).toEqual([
      { refund_ref: payment!.refund_ref, amount_minor: 1250 },
    ]);
    const refunded = await h.published(PAYMENT_REFUNDED_V1, order.orderId);
    expect(refunded.map((e) => paymentRefundedV1.parse(e.payload))).toEqual([
      {
        orderId: order.orderId,
        paymentId: payment!.id,
        amountMinor: 1250,
        currencyCode: 'USD',
        refundedAt: expect.any(String),
      },
    ]);
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toHaveLength(1);
  });

  it('never charges an order whose expiry arrived before its reservation', async () => {
    const order = orderPlaced();
    const placed = h.placed(order);
    const expired = h.cancelled(order, 'RESERVED', 'EXPIRED');
    await h.publish(placed, expired);
    await h.waitForProcessed(placed.id, expired.id);

    const reserved = h.reserved(order.orderId);
    await h.publish(reserved, reserved);
    await h.waitForProcessed(reserved.id);

    const payment = await h.payment(order.orderId);
    expect(payment?.status).toBe('PENDING');
    expect(payment?.cancelled_at).not.toBeNull();
    expect(await h.sandboxCharges(order.orderId)).toEqual([]);
    expect(h.sandbox.chargeCalls.get(order.orderId)).toBeUndefined();
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toEqual([]);
    expect(await h.published(PAYMENT_REFUNDED_V1, order.orderId)).toEqual([]);
  });

  it('keeps no money for any of 12 orders whose reservation and expiry race', async () => {
    const orders = Array.from({ length: 12 }, () => orderPlaced({ totalMinor: 700 }));
    const placed = orders.map((o) => h.placed(o));
    await h.publish(...placed);
    await h.waitForProcessed(...placed.map((e) => e.id));
    // Reservation and expiry of each order published together, in alternating order.
    const racing = orders.flatMap((o, i) => {
      const pair = [h.reserved(o.orderId), h.cancelled(o, 'RESERVED', 'EXPIRED')];
      return i % 2 ? pair.reverse() : pair;
    });
    await h.publish(...racing);
    await h.waitForProcessed(...racing.map((e) => e.id));

    for (const o of orders) {
      const payment = await h.payment(o.orderId);
      const charges = await h.sandboxCharges(o.orderId);
      if (payment!.status === 'REFUNDED') {
        // Charged once (the reservation came first), then refunded in full.
        expect(charges).toHaveLength(1);
        expect(await h.sandboxRefunds(charges[0]!.provider_ref)).toEqual([
          { refund_ref: payment!.refund_ref, amount_minor: 700 },
        ]);
      } else {
        // The expiry came first: never charged.
        expect(payment!.status).toBe('PENDING');
        expect(charges).toEqual([]);
      }
    }
  });
});
