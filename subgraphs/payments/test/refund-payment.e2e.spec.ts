import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { envelope } from '@shop/platform';
import { PAYMENT_REFUNDED_V1, PAYMENT_SUCCEEDED_V1, paymentRefundedV1 } from '@shop/schema';
import { orderPlaced, startPayments, type PaymentsHarness } from './payments.harness.js';

describe('cancelled orders: refund a succeeded payment, never charge a pending one', () => {
  let h: PaymentsHarness;

  beforeAll(async () => {
    h = await startPayments();
    await h.watch([PAYMENT_SUCCEEDED_V1, PAYMENT_REFUNDED_V1]);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('refunds a succeeded payment once, however often the cancellation is delivered', async () => {
    const order = orderPlaced({ totalMinor: 2500 });
    await h.publish(h.placed(order), h.reserved(order.orderId));
    await h.waitForStatus(order.orderId, 'SUCCEEDED');
    const charged = await h.payment(order.orderId);

    const cancelled = h.cancelled(order, 'CONFIRMED');
    const copy = envelope(cancelled.type, cancelled.key, cancelled.payload);
    await h.publish(cancelled, cancelled, copy);
    await h.waitForProcessed(cancelled.id, copy.id);

    const payment = await h.payment(order.orderId);
    expect(payment?.status).toBe('REFUNDED');
    const refunds = await h.sandboxRefunds(charged!.provider_ref!);
    expect(refunds).toEqual([{ refund_ref: payment!.refund_ref, amount_minor: 2500 }]);
    expect(await h.sandboxCharges(order.orderId)).toHaveLength(1);

    const events = await h.published(PAYMENT_REFUNDED_V1, order.orderId);
    expect(events.map((e) => paymentRefundedV1.parse(e.payload))).toEqual([
      {
        orderId: order.orderId,
        paymentId: payment!.id,
        amountMinor: 2500,
        currencyCode: 'USD',
        refundedAt: expect.any(String),
      },
    ]);
  });

  it('never charges an order cancelled before its stock was reserved', async () => {
    const order = orderPlaced();
    const placed = h.placed(order);
    const cancelled = h.cancelled(order, 'PENDING');
    await h.publish(placed, cancelled);
    await h.waitForProcessed(placed.id, cancelled.id);

    // A reservation arriving late (inventory had reserved before it saw the cancellation).
    const reserved = h.reserved(order.orderId);
    await h.publish(reserved);
    await h.waitForProcessed(reserved.id);

    const payment = await h.payment(order.orderId);
    expect(payment?.status).toBe('PENDING');
    expect(payment?.cancelled_at).not.toBeNull();
    expect(await h.sandboxCharges(order.orderId)).toEqual([]);
    expect(h.sandbox.chargeCalls.get(order.orderId)).toBeUndefined();
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toEqual([]);
    expect(await h.published(PAYMENT_REFUNDED_V1, order.orderId)).toEqual([]);
  });

  it('never charges an order whose cancellation arrived before the order itself', async () => {
    const order = orderPlaced();
    const cancelled = h.cancelled(order, 'RESERVED');
    const reserved = h.reserved(order.orderId);
    await h.publish(cancelled, reserved);
    await h.waitForProcessed(cancelled.id, reserved.id);
    const placed = h.placed(order);
    await h.publish(placed);
    await h.waitForProcessed(placed.id);

    expect((await h.payment(order.orderId))?.status).toBe('PENDING');
    expect(await h.sandboxCharges(order.orderId)).toEqual([]);
  });

  it('leaves a declined payment declined when its order is cancelled', async () => {
    const order = orderPlaced({ paymentToken: 'tok_chargeDeclined' });
    await h.publish(h.placed(order), h.reserved(order.orderId));
    await h.waitForStatus(order.orderId, 'DECLINED');
    const cancelled = h.cancelled(order, 'RESERVED');
    await h.publish(cancelled);
    await h.waitForProcessed(cancelled.id);
    expect((await h.payment(order.orderId))?.status).toBe('DECLINED');
    expect(await h.published(PAYMENT_REFUNDED_V1, order.orderId)).toEqual([]);
  });
});
