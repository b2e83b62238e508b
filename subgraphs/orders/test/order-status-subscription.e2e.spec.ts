import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope, type EventEnvelope, type SubgraphRuntime } from '@shop/platform';
import {
  liveSubscriberCount,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubscription,
  waitFor,
  webSocketClient,
  type WebSocketTestClient,
} from '@shop/platform/testing';
import {
  ORDER_STATUS_CHANGED_V1,
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  STOCK_REJECTED_V1,
  STOCK_RESERVED_V1,
  type PaymentDeclinedV1,
  type PaymentSucceededV1,
  type StockRejectedV1,
  type StockReservedV1,
} from '@shop/schema';
import {
  adminToken,
  CANCEL_ORDER,
  customerToken,
  ORDER,
  ORDER_FIELDS,
  orderInput,
  PLACE_ORDER,
  sleep,
  startOrders,
  type OrdersUnderTest,
} from './orders.harness.js';

/** The Order fields the query `order(id)` reads too, so a state can be compared with a fresh read. */
const WATCH = /* GraphQL */ `
  subscription OrderStatus($orderId: ID!) { orderStatusChanged(orderId: $orderId) { ${ORDER_FIELDS} } }
`;

interface OrderState {
  id: string;
  status: string;
  cancellationReason: string | null;
  updatedAt: string;
  total: { amount: string; currencyCode: string };
  items: { quantity: number; product: { id: string } }[];
  statusHistory: { status: string; at: string }[];
  customer: { id: string };
}
interface Watched {
  orderStatusChanged: OrderState;
}

const now = () => new Date().toISOString();
const reserved = (orderId: string, productId: string) =>
  envelope<StockReservedV1>(STOCK_RESERVED_V1, orderId, {
    orderId,
    items: [{ productId, quantity: 2 }],
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    reservedAt: now(),
  });
const rejected = (orderId: string, productId: string) =>
  envelope<StockRejectedV1>(STOCK_REJECTED_V1, orderId, {
    orderId,
    shortages: [{ productId, requested: 2, available: 0 }],
    rejectedAt: now(),
  });
const succeeded = (orderId: string) =>
  envelope<PaymentSucceededV1>(PAYMENT_SUCCEEDED_V1, orderId, {
    orderId,
    paymentId: randomUUID(),
    amountMinor: 500,
    currencyCode: 'USD',
    succeededAt: now(),
  });
const declined = (orderId: string) =>
  envelope<PaymentDeclinedV1>(PAYMENT_DECLINED_V1, orderId, {
    orderId,
    paymentId: randomUUID(),
    amountMinor: 500,
    currencyCode: 'USD',
    reason: 'card_declined',
    declinedAt: now(),
  });

/**
 * Holds the outbox relay of `runtime`'s database (the kit's relay publishes only under its
 * transaction-scoped advisory lock): transitions still commit with their events, which wait in
 * `outbox_message` until `release()`. This is how a spec puts a committed change between a
 * subscriber's snapshot and the change's live event.
 */
async function holdRelay(runtime: SubgraphRuntime): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const done = runtime.orm.em.fork().transactional(async (tx) => {
    await tx
      .getConnection()
      .execute(
        `select pg_advisory_xact_lock(hashtext('outbox_message_relay'))`,
        [],
        'all',
        tx.getTransactionContext(),
      );
    locked();
    await released;
  });
  await Promise.race([holding, done]);
  return {
    async release() {
      release();
      await done;
    },
  };
}

/**
 * `orderStatusChanged` over graphql-ws on two replicas of orders sharing one database, Kafka
 * namespace and durable consumer group (each with its own live-events consumer). The test publishes
 * inventory's and payments' events on real Kafka; whichever replica's durable consumer moves the
 * order, subscribers on both replicas receive the current state, then each change once and in order,
 * then completion.
 */
describe('orderStatusChanged', () => {
  let products: ProductsStandIn;
  let a: OrdersUnderTest;
  let b: OrdersUnderTest;
  const clients: WebSocketTestClient[] = [];

  beforeAll(async () => {
    products = await startProductsStandIn();
    a = await startOrders(products.url);
    b = await startOrders(products.url, { replicaOf: a });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await b?.stop();
    await a?.stop();
    await products?.stop();
  });

  const publish = (...events: EventEnvelope[]) => a.runtime.producer.publish(events);
  /** Subscribes to `orderId` on `replica` over a socket of its own, signed in with `token` (if any). */
  const watch = (replica: OrdersUnderTest, orderId: string, token?: string): TestSubscription<Watched> => {
    const client = webSocketClient(replica.url, token ? { token } : {});
    clients.push(client);
    return client.subscribe<Watched>(WATCH, { orderId });
  };
  /** A fresh order (2 x 2.50 USD) of a fresh customer, placed on `replica`. */
  const place = async (replica: OrdersUnderTest = a) => {
    const productId = products.createProduct(250);
    const customerId = randomUUID();
    const token = await customerToken(replica, customerId);
    const res = await replica.request(
      PLACE_ORDER,
      { input: orderInput([{ productId, quantity: 2 }]) },
      token,
    );
    expect(res.errors).toBeUndefined();
    return { id: res.data.placeOrder.id as string, productId, customerId, token };
  };
  const states = (subscription: TestSubscription<Watched>) =>
    subscription.results.map((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.orderStatusChanged;
    });
  const statuses = (subscription: TestSubscription<Watched>) =>
    states(subscription).map((s) => [s.status, s.cancellationReason]);
  const read = async (id: string, token: string) =>
    (await a.request(ORDER, { id }, token)).data.order as OrderState;
  /** The versions of the order's status changes waiting in the outbox (not published yet). */
  const waitingVersions = async (orderId: string) =>
    (
      await a.runtime.orm.em.fork().execute<{ version: number }[]>(
        `select (envelope->'payload'->>'version')::int as version from outbox_message
            where key = ? and topic = ? order by seq`,
        [orderId, ORDER_STATUS_CHANGED_V1],
      )
    ).map((r) => r.version);
  const liveSubscribers = (replica: OrdersUnderTest) => liveSubscriberCount(replica.url);

  it('sends PENDING (the current state), then RESERVED and CONFIRMED, each once and in order, then completes', async () => {
    const order = await place();
    const subscription = watch(a, order.id, order.token);
    await subscription.waitFor(1);

    // Each event delivered twice: the durable consumer applies it once, so it is announced once.
    const r = reserved(order.id, order.productId);
    await publish(r, r);
    await subscription.waitFor(2);
    const s = succeeded(order.id);
    await publish(s, s);
    await subscription.finished;

    expect(statuses(subscription)).toEqual([
      ['PENDING', null],
      ['RESERVED', null],
      ['CONFIRMED', null],
    ]);
    const sent = states(subscription);
    for (const [i, state] of sent.entries()) {
      expect(state.id).toBe(order.id);
      expect(state.total).toEqual({ amount: '5.00', currencyCode: 'USD' });
      expect(state.items).toEqual([
        {
          quantity: 2,
          unitPrice: { amount: '2.50', currencyCode: 'USD' },
          lineTotal: { amount: '5.00', currencyCode: 'USD' },
          product: { id: order.productId },
        },
      ]);
      expect(state.customer).toEqual({ id: order.customerId });
      // Each state's history ends with its own status, never a later one.
      expect(state.statusHistory.map((h) => h.status)).toEqual(
        ['PENDING', 'RESERVED', 'CONFIRMED'].slice(0, i + 1),
      );
      expect(state.updatedAt).toBe(state.statusHistory.at(-1)!.at);
    }
    // The last state is exactly what the query reads now (same fields, same values).
    expect(sent.at(-1)).toEqual(await read(order.id, order.token));
  });

  it('ends a declined order with CANCELLED / PAYMENT_DECLINED, and an out-of-stock one with CANCELLED / OUT_OF_STOCK', async () => {
    const unpaid = await place();
    const unpaidWatch = watch(b, unpaid.id, unpaid.token);
    const short = await place();
    const shortWatch = watch(a, short.id, short.token);
    await Promise.all([unpaidWatch.waitFor(1), shortWatch.waitFor(1)]);

    await publish(reserved(unpaid.id, unpaid.productId), rejected(short.id, short.productId));
    await unpaidWatch.waitFor(2);
    await publish(declined(unpaid.id));
    await Promise.all([unpaidWatch.finished, shortWatch.finished]);

    expect(statuses(unpaidWatch)).toEqual([
      ['PENDING', null],
      ['RESERVED', null],
      ['CANCELLED', 'PAYMENT_DECLINED'],
    ]);
    expect(statuses(shortWatch)).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'OUT_OF_STOCK'],
    ]);
    expect(states(unpaidWatch).at(-1)).toEqual(await read(unpaid.id, unpaid.token));
    expect(states(shortWatch).at(-1)).toEqual(await read(short.id, short.token));
  });

  it('follows a cancelOrder made on the other replica, and a payment reaching a PENDING order (two statuses at once)', async () => {
    const cancelled = await place();
    const cancelledWatch = watch(a, cancelled.id, cancelled.token);
    const early = await place();
    const earlyWatch = watch(b, early.id, early.token);
    await Promise.all([cancelledWatch.waitFor(1), earlyWatch.waitFor(1)]);

    const res = await b.request(CANCEL_ORDER, { id: cancelled.id }, cancelled.token);
    expect(res.errors).toBeUndefined();
    // payments' success processed before inventory's reservation: RESERVED then CONFIRMED in one transaction.
    await publish(succeeded(early.id));
    await Promise.all([cancelledWatch.finished, earlyWatch.finished]);

    expect(statuses(cancelledWatch)).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'CUSTOMER_CANCELLED'],
    ]);
    expect(statuses(earlyWatch)).toEqual([
      ['PENDING', null],
      ['RESERVED', null],
      ['CONFIRMED', null],
    ]);
    expect(states(earlyWatch).map((s) => s.statusHistory.length)).toEqual([1, 2, 3]);
  });

  it('sends an order that is already CONFIRMED or CANCELLED once, then completes', async () => {
    const confirmed = await place();
    await publish(succeeded(confirmed.id));
    const cancelled = await place();
    await a.request(CANCEL_ORDER, { id: cancelled.id }, cancelled.token);
    await waitFor(async () => (await read(confirmed.id, confirmed.token)).status === 'CONFIRMED');

    const onConfirmed = watch(b, confirmed.id, confirmed.token);
    const onCancelled = watch(a, cancelled.id, cancelled.token);
    await Promise.all([onConfirmed.finished, onCancelled.finished]);
    expect(statuses(onConfirmed)).toEqual([['CONFIRMED', null]]);
    expect(statuses(onCancelled)).toEqual([['CANCELLED', 'CUSTOMER_CANCELLED']]);
    expect(states(onConfirmed)[0]).toEqual(await read(confirmed.id, confirmed.token));
  });

  it('refuses another customer, an unknown or malformed id (NOT_FOUND) and an anonymous subscriber (UNAUTHENTICATED), with no data', async () => {
    const order = await place();
    const stranger = await customerToken(a);
    const refusals: [TestSubscription<Watched>, string][] = [
      [watch(a, order.id, stranger), 'NOT_FOUND'],
      [watch(b, order.id, stranger), 'NOT_FOUND'],
      [watch(a, randomUUID(), order.token), 'NOT_FOUND'],
      [watch(a, 'not-an-id', order.token), 'NOT_FOUND'],
      [watch(b, order.id), 'UNAUTHENTICATED'],
    ];
    for (const [refused, code] of refusals) {
      await refused.finished;
      expect(refused.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              path: ['orderStatusChanged'],
              extensions: expect.objectContaining({ code }),
            }),
          ],
        },
      ]);
      expect(refused.results[0]).not.toHaveProperty('data');
    }
    // The order went on unseen by them (and nobody is left subscribed for them).
    expect(await liveSubscribers(a)).toBe(0);
    expect(await liveSubscribers(b)).toBe(0);
  });

  it('lets an admin follow anyone’s order (its id in any case)', async () => {
    const order = await place();
    const admin = watch(b, order.id.toUpperCase(), await adminToken(a));
    await admin.waitFor(1);
    await publish(rejected(order.id, order.productId));
    await admin.finished;
    expect(statuses(admin)).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'OUT_OF_STOCK'],
    ]);
  });

  it('gives subscribers on both replicas every status once, whichever replica’s consumer moves the order', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, (_, i) => place(i % 2 ? a : b)));
    const watches = orders.map((o) => ({
      order: o,
      onA: watch(a, o.id, o.token),
      // The second subscriber of the same customer, on the other replica.
      onB: watch(b, o.id, o.token),
    }));
    await Promise.all(watches.flatMap((w) => [w.onA.waitFor(1), w.onB.waitFor(1)]));

    // The durable group's partitions are shared by the two replicas: 6 orders land on both.
    await publish(...orders.map((o) => reserved(o.id, o.productId)));
    await Promise.all(watches.flatMap((w) => [w.onA.waitFor(2), w.onB.waitFor(2)]));
    const [last, ...rest] = orders;
    await publish(...rest.map((o) => succeeded(o.id)));
    expect((await b.request(CANCEL_ORDER, { id: last!.id }, last!.token)).errors).toBeUndefined();
    await Promise.all(watches.flatMap((w) => [w.onA.finished, w.onB.finished]));

    for (const { order, onA, onB } of watches) {
      const expected =
        order === last
          ? [
              ['PENDING', null],
              ['RESERVED', null],
              ['CANCELLED', 'CUSTOMER_CANCELLED'],
            ]
          : [
              ['PENDING', null],
              ['RESERVED', null],
              ['CONFIRMED', null],
            ];
      expect(statuses(onA)).toEqual(expected);
      expect(statuses(onB)).toEqual(expected);
      expect(states(onA)).toEqual(states(onB));
    }
    await waitFor(
      async () => (await liveSubscribers(a)) === 0 && (await liveSubscribers(b)) === 0,
      10_000,
      'the live subscriptions released',
    );
  });

  it('joins the snapshot and the stream by version: a change committed before the snapshot but announced after it is not sent twice, one committed after it is not lost', async () => {
    const relay = await holdRelay(a.runtime);
    let order!: Awaited<ReturnType<typeof place>>;
    let early!: TestSubscription<Watched>;
    let late!: TestSubscription<Watched>;
    try {
      order = await place(b);
      // Snapshot PENDING (version 1); the placement's own event is still in the outbox.
      early = watch(b, order.id, order.token);
      await early.waitFor(1);
      await publish(reserved(order.id, order.productId));
      await waitFor(async () => (await read(order.id, order.token)).status === 'RESERVED');
      // Snapshot RESERVED (version 2), whose event (and version 1's) has not been published yet.
      late = watch(a, order.id, order.token);
      await late.waitFor(1);
      // The relay really was held: both status changes are still waiting in the outbox.
      expect(await waitingVersions(order.id)).toEqual([1, 2]);
      expect(early.results).toHaveLength(1);
    } finally {
      await relay.release();
    }
    await early.waitFor(2);
    await publish(succeeded(order.id));
    await Promise.all([early.finished, late.finished]);

    expect(statuses(early)).toEqual([
      ['PENDING', null],
      ['RESERVED', null],
      ['CONFIRMED', null],
    ]);
    expect(statuses(late)).toEqual([
      ['RESERVED', null],
      ['CONFIRMED', null],
    ]);
  });

  it('reloads the order when an announcement is missing (a version gap) instead of skipping the change', async () => {
    const order = await place();
    const subscription = watch(a, order.id, order.token);
    await subscription.waitFor(1);
    const relay = await holdRelay(a.runtime);
    try {
      await publish(reserved(order.id, order.productId));
      await waitFor(async () => (await read(order.id, order.token)).status === 'RESERVED');
      // Lose RESERVED's announcement (as a lagging or restarted replica would miss it).
      const deleted = await a.runtime.orm.em
        .fork()
        .execute<{ seq: string }[]>(
          `delete from outbox_message where key = ? and envelope->'payload'->>'version' = '2' returning seq`,
          [order.id],
        );
      expect(deleted).toHaveLength(1);
    } finally {
      await relay.release();
    }
    await sleep(500);
    expect(subscription.results).toHaveLength(1);
    await publish(declined(order.id));
    await subscription.finished;
    // Version 3 after version 1: the current state is loaded and sent (RESERVED itself is skipped).
    expect(statuses(subscription)).toEqual([
      ['PENDING', null],
      ['CANCELLED', 'PAYMENT_DECLINED'],
    ]);
    expect(states(subscription)[1]!.statusHistory.map((h) => h.status)).toEqual([
      'PENDING',
      'RESERVED',
      'CANCELLED',
    ]);
  });

  it('ends the subscription with UNAUTHENTICATED when the access token expires', async () => {
    const order = await place();
    const shortLived = await a.issuer.token(order.customerId, { expiresIn: 4 });
    const subscription = watch(b, order.id, shortLived);
    await subscription.waitFor(1);
    await expect(subscription.finished).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
    expect(statuses(subscription)).toEqual([['PENDING', null]]);
  });

  it('is ready only with its live events running', async () => {
    const ready = await fetch(a.url.replace(/\/graphql$/, '/health/ready'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { liveEvents: true } });
  });
});
