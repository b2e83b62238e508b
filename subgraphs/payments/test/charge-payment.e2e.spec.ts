import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope } from '@shop/platform';
import {
  ORDER_PLACED_V1,
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  paymentDeclinedV1,
  paymentSucceededV1,
} from '@shop/schema';
import { waitFor } from '@shop/platform/testing';
import { orderPlaced, startPayments, type PaymentsHarness } from './payments.harness.js';

describe('charging an order once its stock is reserved', () => {
  let h: PaymentsHarness;

  beforeAll(async () => {
    h = await startPayments();
    await h.watch([PAYMENT_SUCCEEDED_V1, PAYMENT_DECLINED_V1, 'payments.dlq']);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('stores a PENDING payment for a placed order and charges it once the stock is reserved', async () => {
    const order = orderPlaced({ totalMinor: 4599, currencyCode: 'EUR' });
    const placed = h.placed(order);
    await h.publish(placed);
    await h.waitForProcessed(placed.id);
    expect(await h.payment(order.orderId)).toMatchObject({
      status: 'PENDING',
      customer_id: order.customerId,
      amount_minor: 4599,
      currency_code: 'EUR',
      provider_ref: null,
    });
    expect(await h.sandboxCharges(order.orderId)).toEqual([]);

    await h.publish(h.reserved(order.orderId));
    await h.waitForStatus(order.orderId, 'SUCCEEDED');
    const payment = await h.payment(order.orderId);
    const charges = await h.sandboxCharges(order.orderId);
    expect(charges).toEqual([
      { provider_ref: payment!.provider_ref, outcome: 'succeeded', reason: null, amount_minor: 4599 },
    ]);

    const events = await h.published(PAYMENT_SUCCEEDED_V1, order.orderId);
    expect(events).toHaveLength(1);
    expect(paymentSucceededV1.parse(events[0]!.payload)).toEqual({
      orderId: order.orderId,
      paymentId: payment!.id,
      amountMinor: 4599,
      currencyCode: 'EUR',
      succeededAt: expect.any(String),
    });
    expect(await h.published(PAYMENT_DECLINED_V1, order.orderId)).toEqual([]);
  });

  it.each([
    ['tok_chargeDeclined', 'card_declined'],
    ['tok_insufficientFunds', 'insufficient_funds'],
  ])('declines a %s order with reason %s and publishes the decline', async (token, reason) => {
    const order = orderPlaced({ paymentToken: token });
    await h.publish(h.placed(order), h.reserved(order.orderId));
    await h.waitForStatus(order.orderId, 'DECLINED');
    const payment = await h.payment(order.orderId);
    expect(payment).toMatchObject({ decline_reason: reason });
    expect(await h.sandboxCharges(order.orderId)).toEqual([
      { provider_ref: payment!.provider_ref, outcome: 'declined', reason, amount_minor: order.totalMinor },
    ]);

    const events = await h.published(PAYMENT_DECLINED_V1, order.orderId);
    expect(events.map((e) => paymentDeclinedV1.parse(e.payload))).toEqual([
      {
        orderId: order.orderId,
        paymentId: payment!.id,
        amountMinor: order.totalMinor,
        currencyCode: 'USD',
        reason,
        declinedAt: expect.any(String),
      },
    ]);
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toEqual([]);
  });

  it('charges once when stock.reserved is delivered twice (same event, and a republished copy)', async () => {
    const order = orderPlaced();
    const reserved = h.reserved(order.orderId);
    // The same envelope twice (a relay replay) and a new envelope of the same fact (a new event id).
    const copy = envelope(reserved.type, reserved.key, reserved.payload);
    const placed = h.placed(order);
    // Different topics: the reservations may well be applied before the order (see the ordering test).
    await h.publish(placed, reserved, reserved, copy);
    await h.waitForProcessed(placed.id, reserved.id, copy.id);

    expect((await h.payment(order.orderId))?.status).toBe('SUCCEEDED');
    expect(await h.sandboxCharges(order.orderId)).toHaveLength(1);
    expect(h.sandbox.chargeCalls.get(order.orderId)).toBe(1);
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toHaveLength(1);
  });

  it('charges once when the process dies between the provider charge and its own commit', async () => {
    const order = orderPlaced({ totalMinor: 1234 });
    const placed = h.placed(order);
    await h.publish(placed);
    await h.waitForProcessed(placed.id);

    // The first attempt charges at the provider, then "dies": nothing of payments' commits, the
    // offset is not committed, so the event is handled again and the provider called again.
    h.sandbox.crashAfterCharge.add(order.orderId);
    const reserved = h.reserved(order.orderId);
    await h.publish(reserved);
    await h.waitForProcessed(reserved.id);

    expect(h.sandbox.crashAfterCharge.has(order.orderId)).toBe(false);
    expect(h.sandbox.chargeCalls.get(order.orderId)).toBe(2);
    const payment = await h.payment(order.orderId);
    expect(payment?.status).toBe('SUCCEEDED');
    const charges = await h.sandboxCharges(order.orderId);
    expect(charges).toHaveLength(1);
    expect(charges[0]!.provider_ref).toBe(payment!.provider_ref);
    const events = await h.published(PAYMENT_SUCCEEDED_V1, order.orderId);
    expect(events).toHaveLength(1);
    expect(paymentSucceededV1.parse(events[0]!.payload).amountMinor).toBe(1234);
  });

  it('charges an order whose stock.reserved arrived before its order.placed', async () => {
    const order = orderPlaced();
    const reserved = h.reserved(order.orderId);
    await h.publish(reserved);
    await h.waitForProcessed(reserved.id);
    // Remembered, not charged: there is nothing to charge yet.
    expect(await h.payment(order.orderId)).toBeUndefined();
    expect(
      await h.sql('select order_id from payment_signal where order_id = ?', [order.orderId]),
    ).toHaveLength(1);
    expect(await h.sandboxCharges(order.orderId)).toEqual([]);

    await h.publish(h.placed(order));
    await h.waitForStatus(order.orderId, 'SUCCEEDED');
    expect(await h.sandboxCharges(order.orderId)).toHaveLength(1);
    expect(await h.sql('select order_id from payment_signal where order_id = ?', [order.orderId])).toEqual(
      [],
    );
    expect(await h.published(PAYMENT_SUCCEEDED_V1, order.orderId)).toHaveLength(1);
  });

  it('stores one payment when order.placed is delivered again', async () => {
    const order = orderPlaced();
    const placed = h.placed(order);
    const again = envelope(placed.type, placed.key, placed.payload);
    await h.publish(placed, placed, again);
    await h.waitForProcessed(placed.id, again.id);
    expect(await h.sql('select id from payment where order_id = ?', [order.orderId])).toHaveLength(1);
  });

  it('dead-letters an invalid event and goes on with the next one', async () => {
    const order = orderPlaced();
    // Same key (hence partition) as the good one behind it: it must not block it.
    const poison = envelope(ORDER_PLACED_V1, order.orderId, {
      ...order,
      paymentToken: undefined,
      totalMinor: -1,
    });
    const good = h.placed(order);
    await h.publish(poison, good);
    await h.waitForProcessed(good.id);
    expect((await h.payment(order.orderId))?.status).toBe('PENDING');

    await waitFor(
      () => h.seen.some((e) => e.type === 'payments.dlq' && e.key === order.orderId),
      30_000,
      'the dead letter',
    );
    const dead = h.seen.find((e) => e.type === 'payments.dlq' && e.key === order.orderId)!;
    expect(dead.payload).toMatchObject({
      topic: ORDER_PLACED_V1,
      reason: expect.stringMatching(/invalid event/),
    });
    expect(JSON.parse(dead.payload.value).id).toBe(poison.id);
    expect(await h.sql('select 1 from processed_event where event_id = ?', [poison.id])).toEqual([]);
  });

  it('never charges a reservation for an order it never hears of', async () => {
    // A reservation for an order payments never hears of stays a remembered fact and charges nothing.
    const orderId = randomUUID();
    const reserved = h.reserved(orderId);
    await h.publish(reserved);
    await h.waitForProcessed(reserved.id);
    expect(await h.payment(orderId)).toBeUndefined();
    expect(await h.sandboxCharges(orderId)).toEqual([]);
  });
});
