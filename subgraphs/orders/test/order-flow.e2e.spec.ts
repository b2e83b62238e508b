import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope, type EventEnvelope } from '@shop/platform';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import {
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  PRODUCT_UPDATED_V1,
  STOCK_REJECTED_V1,
  STOCK_RESERVED_V1,
  type PaymentDeclinedV1,
  type PaymentSucceededV1,
  type ProductChangedV1,
  type StockRejectedV1,
  type StockReservedV1,
} from '@shop/schema';
import {
  adminToken,
  CANCEL_ORDER,
  customerToken,
  observe,
  ORDER,
  orderInput,
  PLACE_ORDER,
  sleep,
  startOrders,
  statusChangesOf,
  type Observed,
} from './orders.harness.js';

/**
 * The state machine driven by real events: the test publishes inventory's and payments' events on
 * Kafka, orders' consumer group moves the order, and the test reads it over HTTP and consumes what
 * orders published.
 */
describe('the order flow: events and cancelOrder move orders through the state machine', () => {
  let products: ProductsStandIn;
  let orders: TestSubgraph;
  let seen: Observed;

  beforeAll(async () => {
    products = await startProductsStandIn();
    orders = await startOrders(products.url);
    seen = await observe(orders.runtime);
  });

  afterAll(async () => {
    await seen?.consumer.stop();
    await orders?.stop();
    await products?.stop();
  });

  const publish = (...events: EventEnvelope[]) => orders.runtime.producer.publish(events);
  const now = () => new Date().toISOString();

  const reserved = (orderId: string, productId: string): StockReservedV1 => ({
    orderId,
    items: [{ productId, quantity: 1 }],
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    reservedAt: now(),
  });
  const rejected = (orderId: string, productId: string): StockRejectedV1 => ({
    orderId,
    shortages: [{ productId, requested: 1, available: 0 }],
    rejectedAt: now(),
  });
  const succeeded = (orderId: string): PaymentSucceededV1 => ({
    orderId,
    paymentId: randomUUID(),
    amountMinor: 250,
    currencyCode: 'USD',
    succeededAt: now(),
  });
  const declined = (orderId: string): PaymentDeclinedV1 => ({
    orderId,
    paymentId: randomUUID(),
    amountMinor: 250,
    currencyCode: 'USD',
    reason: 'card_declined',
    declinedAt: now(),
  });

  /** A fresh order of a fresh customer: its id, product and the customer's token. */
  const placeOrder = async () => {
    const productId = products.createProduct(250);
    const token = await customerToken(orders);
    const res = await orders.request(PLACE_ORDER, { input: orderInput([{ productId, quantity: 1 }]) }, token);
    expect(res.errors).toBeUndefined();
    return { id: res.data.placeOrder.id as string, productId, token };
  };
  const read = async (id: string, token: string) => (await orders.request(ORDER, { id }, token)).data.order;
  const statusOf = async (id: string, token: string) => (await read(id, token)).status as string;
  const waitForStatus = (id: string, token: string, status: string) =>
    waitFor(async () => (await statusOf(id, token)) === status, 30_000, `order ${id} ${status}`);
  const history = async (id: string, token: string) =>
    (await read(id, token)).statusHistory.map((h: { status: string }) => h.status);
  const versionOf = async (id: string) => {
    const [row] = await orders.runtime.orm.em
      .fork()
      .execute<{ version: number }[]>('select version from customer_order where id = ?', [id]);
    return row!.version;
  };
  const confirmedFor = (id: string) => seen.confirmed.filter((e) => e.payload.orderId === id);
  const cancelledFor = (id: string) => seen.cancelled.filter((e) => e.payload.orderId === id);
  /** `orders.order.status-changed.v1` of the order as [status, previousStatus, reason, version]. */
  const changesFor = (id: string) => statusChangesOf(seen, id);
  const waitForChanges = (id: string, count: number) =>
    waitFor(() => changesFor(id).length >= count, 30_000, `${count} status changes of ${id}`);

  it('reserved -> RESERVED, succeeded -> CONFIRMED with orders.order.confirmed.v1; each delivered twice', async () => {
    const { id, productId, token } = await placeOrder();
    const r = envelope(STOCK_RESERVED_V1, id, reserved(id, productId));
    await publish(r, r);
    await waitForStatus(id, token, 'RESERVED');

    const s = envelope(PAYMENT_SUCCEEDED_V1, id, succeeded(id));
    await publish(s, s);
    await waitForStatus(id, token, 'CONFIRMED');
    await waitFor(() => confirmedFor(id).length > 0, 30_000, 'the confirmed event');
    await waitForChanges(id, 3);
    await sleep(700);

    const order = await read(id, token);
    expect(order.cancellationReason).toBeNull();
    expect(await history(id, token)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    expect(await versionOf(id)).toBe(3);
    expect(confirmedFor(id)).toHaveLength(1);
    expect(confirmedFor(id)[0]!.payload).toEqual({
      orderId: id,
      customerId: order.customer.id,
      items: [{ productId, quantity: 1, unitPriceMinor: 250 }],
      totalMinor: 250,
      currencyCode: 'USD',
      confirmedAt: expect.any(String),
    });
    expect(order.updatedAt).toBe(confirmedFor(id)[0]!.payload.confirmedAt);
    expect(cancelledFor(id)).toEqual([]);
    // Every transition, creation included, once (the redeliveries changed nothing), version by version.
    expect(changesFor(id)).toEqual([
      ['PENDING', null, null, 1],
      ['RESERVED', 'PENDING', null, 2],
      ['CONFIRMED', 'RESERVED', null, 3],
    ]);
    const changes = seen.statusChanged.filter((e) => e.payload.orderId === id);
    expect(changes.map((e) => e.key)).toEqual([id, id, id]);
    expect(changes.map((e) => e.payload.customerId)).toEqual(Array(3).fill(order.customer.id));
    expect(changes.at(-1)!.payload.changedAt).toBe(order.updatedAt);
    expect(changes[0]!.payload.changedAt).toBe(order.createdAt);
  });

  it('rejected -> CANCELLED / OUT_OF_STOCK (twice = once) with the cancelled event', async () => {
    const { id, productId, token } = await placeOrder();
    const e = envelope(STOCK_REJECTED_V1, id, rejected(id, productId));
    await publish(e, e);
    await waitForStatus(id, token, 'CANCELLED');
    await waitFor(() => cancelledFor(id).length > 0);
    await sleep(500);
    expect((await read(id, token)).cancellationReason).toBe('OUT_OF_STOCK');
    expect(await history(id, token)).toEqual(['PENDING', 'CANCELLED']);
    expect(cancelledFor(id).map((c) => c.payload)).toEqual([
      expect.objectContaining({ orderId: id, reason: 'OUT_OF_STOCK', previousStatus: 'PENDING' }),
    ]);
    await waitForChanges(id, 2);
    expect(changesFor(id)).toEqual([
      ['PENDING', null, null, 1],
      ['CANCELLED', 'PENDING', 'OUT_OF_STOCK', 2],
    ]);
  });

  it('declined -> CANCELLED / PAYMENT_DECLINED (twice = once)', async () => {
    const { id, productId, token } = await placeOrder();
    await publish(envelope(STOCK_RESERVED_V1, id, reserved(id, productId)));
    await waitForStatus(id, token, 'RESERVED');
    const e = envelope(PAYMENT_DECLINED_V1, id, declined(id));
    await publish(e, e);
    await waitForStatus(id, token, 'CANCELLED');
    await sleep(500);
    expect((await read(id, token)).cancellationReason).toBe('PAYMENT_DECLINED');
    expect(await history(id, token)).toEqual(['PENDING', 'RESERVED', 'CANCELLED']);
    expect(await versionOf(id)).toBe(3);
    expect(cancelledFor(id).map((c) => c.payload.previousStatus)).toEqual(['RESERVED']);
    await waitForChanges(id, 3);
    expect(changesFor(id)).toEqual([
      ['PENDING', null, null, 1],
      ['RESERVED', 'PENDING', null, 2],
      ['CANCELLED', 'RESERVED', 'PAYMENT_DECLINED', 3],
    ]);
  });

  it('handles payment.succeeded processed before stock.reserved: RESERVED then CONFIRMED', async () => {
    const { id, productId, token } = await placeOrder();
    await publish(envelope(PAYMENT_SUCCEEDED_V1, id, succeeded(id)));
    await waitForStatus(id, token, 'CONFIRMED');
    // The late reservation is stale: nothing changes.
    await publish(envelope(STOCK_RESERVED_V1, id, reserved(id, productId)));
    await sleep(1_000);
    expect(await statusOf(id, token)).toBe('CONFIRMED');
    expect(await history(id, token)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    await waitFor(() => confirmedFor(id).length > 0);
    // Two statuses entered in one transaction: two events, in version order.
    await waitForChanges(id, 3);
    expect(changesFor(id)).toEqual([
      ['PENDING', null, null, 1],
      ['RESERVED', 'PENDING', null, 2],
      ['CONFIRMED', 'RESERVED', null, 3],
    ]);
  });

  it('ignores events for an order that is already final', async () => {
    const { id, productId, token } = await placeOrder();
    await publish(envelope(STOCK_REJECTED_V1, id, rejected(id, productId)));
    await waitForStatus(id, token, 'CANCELLED');
    await publish(
      envelope(STOCK_RESERVED_V1, id, reserved(id, productId)),
      envelope(PAYMENT_SUCCEEDED_V1, id, succeeded(id)),
    );
    await sleep(1_000);
    expect(await read(id, token)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
    expect(await history(id, token)).toEqual(['PENDING', 'CANCELLED']);
  });

  it('lets the owner cancel a RESERVED or CONFIRMED order, publishing previousStatus', async () => {
    const a = await placeOrder();
    await publish(envelope(STOCK_RESERVED_V1, a.id, reserved(a.id, a.productId)));
    await waitForStatus(a.id, a.token, 'RESERVED');
    const ca = await orders.request(CANCEL_ORDER, { id: a.id }, a.token);
    expect(ca.errors).toBeUndefined();
    expect(ca.data.cancelOrder).toEqual({
      id: a.id,
      status: 'CANCELLED',
      cancellationReason: 'CUSTOMER_CANCELLED',
    });

    const b = await placeOrder();
    await publish(envelope(STOCK_RESERVED_V1, b.id, reserved(b.id, b.productId)));
    await waitForStatus(b.id, b.token, 'RESERVED');
    await publish(envelope(PAYMENT_SUCCEEDED_V1, b.id, succeeded(b.id)));
    await waitForStatus(b.id, b.token, 'CONFIRMED');
    // An admin may cancel anyone's order.
    const cb = await orders.request(CANCEL_ORDER, { id: b.id }, await adminToken(orders));
    expect(cb.data.cancelOrder.status).toBe('CANCELLED');

    await waitFor(() => cancelledFor(a.id).length > 0 && cancelledFor(b.id).length > 0);
    expect(cancelledFor(a.id)[0]!.payload).toMatchObject({
      reason: 'CUSTOMER_CANCELLED',
      previousStatus: 'RESERVED',
    });
    expect(cancelledFor(b.id)[0]!.payload).toMatchObject({
      reason: 'CUSTOMER_CANCELLED',
      previousStatus: 'CONFIRMED',
    });
    expect(await history(b.id, b.token)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);
    await waitForChanges(a.id, 3);
    await waitForChanges(b.id, 4);
    expect(changesFor(a.id).at(-1)).toEqual(['CANCELLED', 'RESERVED', 'CUSTOMER_CANCELLED', 3]);
    expect(changesFor(b.id).map((c) => c[0])).toEqual(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);
    expect(changesFor(b.id).at(-1)).toEqual(['CANCELLED', 'CONFIRMED', 'CUSTOMER_CANCELLED', 4]);
  });

  it('refuses cancelling a cancelled order (BAD_USER_INPUT) and others’ orders (NOT_FOUND), changing nothing', async () => {
    const { id, token } = await placeOrder();
    expect((await orders.request(CANCEL_ORDER, { id }, token)).data.cancelOrder.status).toBe('CANCELLED');
    expect(await versionOf(id)).toBe(2);
    expect(errorCodes(await orders.request(CANCEL_ORDER, { id }, token))).toEqual(['BAD_USER_INPUT']);
    expect(await versionOf(id)).toBe(2);

    const other = await placeOrder();
    expect(errorCodes(await orders.request(CANCEL_ORDER, { id: other.id }, token))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await orders.request(CANCEL_ORDER, { id: randomUUID() }, token))).toEqual([
      'NOT_FOUND',
    ]);
    expect(errorCodes(await orders.request(CANCEL_ORDER, { id: other.id }))).toEqual(['UNAUTHENTICATED']);
    expect(await statusOf(other.id, other.token)).toBe('PENDING');
    await sleep(500);
    expect(cancelledFor(id)).toHaveLength(1);
    expect(cancelledFor(other.id)).toEqual([]);
    // The refused cancellations recorded no status change.
    expect(changesFor(id).map((c) => c[0])).toEqual(['PENDING', 'CANCELLED']);
    expect(changesFor(other.id).map((c) => c[0])).toEqual(['PENDING']);
  });

  it('prices from the projection fed by products.product.updated.v1 (newer only)', async () => {
    const productId = products.createProduct(100);
    const token = await customerToken(orders);
    // Learned through _entities on the first order...
    await orders.request(PLACE_ORDER, { input: orderInput([{ productId, quantity: 1 }]) }, token);
    const change = (priceMinor: number, occurredAt: string): ProductChangedV1 => ({
      productId,
      sku: 'SKU-1',
      name: 'Thing',
      slug: 'thing',
      priceMinor,
      currencyCode: 'USD',
      categoryId: randomUUID(),
      occurredAt,
    });
    // ...then an update event moves the price; an older one arriving later does not.
    await publish(
      envelope(PRODUCT_UPDATED_V1, productId, change(700, new Date(Date.now() + 1_000).toISOString())),
    );
    const priceNow = async () => {
      const r = await orders.request(PLACE_ORDER, { input: orderInput([{ productId, quantity: 1 }]) }, token);
      return r.data.placeOrder.items[0].unitPrice.amount as string;
    };
    await waitFor(async () => (await priceNow()) === '7.00', 30_000, 'the updated price');
    await publish(
      envelope(PRODUCT_UPDATED_V1, productId, change(300, new Date(Date.now() - 60_000).toISOString())),
    );
    await sleep(1_000);
    expect(await priceNow()).toBe('7.00');
  });
});
