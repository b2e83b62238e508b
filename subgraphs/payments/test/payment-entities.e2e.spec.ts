import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import {
  ORDER_PAYMENT,
  orderPlaced,
  PAYMENT_ENTITIES,
  startPayments,
  type PaymentsHarness,
} from './payments.harness.js';

describe('_entities for Payment and Order.payment', () => {
  let h: PaymentsHarness;
  const customerId = randomUUID();
  const order = orderPlaced({ customerId, totalMinor: 1999 });
  const pendingOrder = orderPlaced({ customerId, totalMinor: 500, currencyCode: 'EUR' });
  let paymentId: string;
  let pendingId: string;
  let owner: string;
  let admin: string;
  let stranger: string;

  beforeAll(async () => {
    h = await startPayments();
    await h.publish(h.placed(order), h.reserved(order.orderId), h.placed(pendingOrder));
    await h.waitForStatus(order.orderId, 'SUCCEEDED');
    await h.waitForStatus(pendingOrder.orderId, 'PENDING');
    paymentId = (await h.payment(order.orderId))!.id;
    pendingId = (await h.payment(pendingOrder.orderId))!.id;
    owner = await h.subgraph.issuer.token(customerId);
    admin = await h.subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    stranger = await h.subgraph.issuer.token(randomUUID());
  });

  afterAll(async () => {
    await h?.stop();
  });

  const payments = (ids: string[], token?: string) =>
    h.subgraph.request(PAYMENT_ENTITIES, { r: ids.map((id) => ({ __typename: 'Payment', id })) }, token);
  const orders = (ids: string[], token?: string) =>
    h.subgraph.request(ORDER_PAYMENT, { r: ids.map((id) => ({ __typename: 'Order', id })) }, token);

  it('resolves Payment by id for the order’s customer and for an admin', async () => {
    for (const token of [owner, admin]) {
      const res = await payments([paymentId, pendingId], token);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities).toEqual([
        {
          id: paymentId,
          status: 'SUCCEEDED',
          amount: { amount: '19.99', currencyCode: 'USD' },
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        },
        {
          id: pendingId,
          status: 'PENDING',
          amount: { amount: '5.00', currencyCode: 'EUR' },
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ]);
    }
  });

  it('resolves Order.payment for the owner and an admin, null when there is no payment', async () => {
    const none = randomUUID();
    for (const token of [owner, admin]) {
      const res = await orders([order.orderId, none], token);
      expect(res.errors).toBeUndefined();
      expect(res.data._entities).toEqual([
        {
          id: order.orderId,
          payment: { id: paymentId, status: 'SUCCEEDED', amount: { amount: '19.99', currencyCode: 'USD' } },
        },
        { id: none, payment: null },
      ]);
    }
  });

  it('refuses another customer with FORBIDDEN, and never shows the data', async () => {
    const byId = await payments([paymentId], stranger);
    expect(errorCodes(byId)).toEqual(['FORBIDDEN']);
    expect(byId.data?._entities ?? [null]).toEqual([null]);

    const byOrder = await orders([order.orderId], stranger);
    expect(errorCodes(byOrder)).toEqual(['FORBIDDEN']);
    expect(byOrder.data?._entities?.[0]?.payment ?? null).toBeNull();
  });

  it('refuses a signed-out caller with UNAUTHENTICATED, also for an order without payment', async () => {
    expect(errorCodes(await payments([paymentId]))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await orders([order.orderId]))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await orders([randomUUID()]))).toEqual(['UNAUTHENTICATED']);
  });

  it('gives null for an unknown or malformed payment id', async () => {
    const res = await payments([randomUUID(), 'not-a-uuid'], admin);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([null, null]);
  });

  it('loads N payments and N orders’ payments with one query each', async () => {
    h.subgraph.resetStatements();
    await payments([paymentId, pendingId, randomUUID()], admin);
    const paymentSelects = h.subgraph.statements.filter((s) => /from "payment"/.test(s));
    expect(paymentSelects).toHaveLength(1);

    h.subgraph.resetStatements();
    await orders([order.orderId, pendingOrder.orderId, randomUUID()], admin);
    expect(h.subgraph.statements.filter((s) => /from "payment"/.test(s))).toHaveLength(1);
  });
});
