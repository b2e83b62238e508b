import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  applyOnce,
  envelope,
  openDatabase,
  type EventConsumer,
  type EventEnvelope,
  type SubgraphRuntime,
} from '@shop/platform';
import {
  type ProductsStandIn,
  startProductsStandIn,
  testDatabaseUrl,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import {
  ORDER_CANCELLED_V1,
  ORDER_PLACED_V1,
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  STOCK_CHANGED_V1,
  STOCK_REJECTED_V1,
  STOCK_RELEASED_V1,
  STOCK_RESERVED_V1,
  stockChangedV1,
  stockRejectedV1,
  stockReleasedV1,
  stockReservedV1,
  type OrderCancelledV1,
  type OrderPlacedV1,
  type PaymentDeclinedV1,
  type PaymentSucceededV1,
  type StockChangedV1,
  type StockRejectedV1,
  type StockReleasedV1,
  type StockReservedV1,
} from '@shop/schema';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { createReservationService } from '../src/reservation.service.js';
import { knownProduct, setStock, startInventory, stockRow } from './inventory.harness.js';

/**
 * The order flow as inventory sees it, end to end on real Postgres and Kafka: the test publishes the
 * orders/payments events on Kafka, inventory's consumer group reacts, and the test reads the stock
 * rows and consumes what inventory published (through its outbox and relay) from Kafka.
 */

interface Observed {
  reserved: EventEnvelope<StockReservedV1>[];
  rejected: EventEnvelope<StockRejectedV1>[];
  released: EventEnvelope<StockReleasedV1>[];
  changed: EventEnvelope<StockChangedV1>[];
}

/** Consumes inventory's published topics with a group of its own, collecting every event. */
async function observe(runtime: SubgraphRuntime): Promise<Observed & { consumer: EventConsumer }> {
  const seen: Observed = { reserved: [], rejected: [], released: [], changed: [] };
  const consumer = await runtime.kafka.consume({
    groupId: `inventory-observer-${randomUUID().slice(0, 8)}`,
    deadLetterTopic: 'inventory.dlq',
    handlers: {
      [STOCK_RESERVED_V1]: {
        parse: stockReservedV1.parse,
        handle: async (e: EventEnvelope<StockReservedV1>) => void seen.reserved.push(e),
      },
      [STOCK_REJECTED_V1]: {
        parse: stockRejectedV1.parse,
        handle: async (e: EventEnvelope<StockRejectedV1>) => void seen.rejected.push(e),
      },
      [STOCK_RELEASED_V1]: {
        parse: stockReleasedV1.parse,
        handle: async (e: EventEnvelope<StockReleasedV1>) => void seen.released.push(e),
      },
      [STOCK_CHANGED_V1]: {
        parse: stockChangedV1.parse,
        handle: async (e: EventEnvelope<StockChangedV1>) => void seen.changed.push(e),
      },
    },
  });
  return Object.assign(seen, { consumer });
}

const placed = (orderId: string, items: { productId: string; quantity: number }[]): OrderPlacedV1 => ({
  orderId,
  customerId: randomUUID(),
  items: items.map((i) => ({ ...i, unitPriceMinor: 250 })),
  totalMinor: items.reduce((sum, i) => sum + i.quantity * 250, 0),
  currencyCode: 'USD',
  paymentToken: 'tok_visa',
  placedAt: new Date().toISOString(),
});

const paid = (orderId: string): PaymentSucceededV1 => ({
  orderId,
  paymentId: randomUUID(),
  amountMinor: 500,
  currencyCode: 'USD',
  succeededAt: new Date().toISOString(),
});

const declined = (orderId: string): PaymentDeclinedV1 => ({
  orderId,
  paymentId: randomUUID(),
  amountMinor: 500,
  currencyCode: 'USD',
  reason: 'card_declined',
  declinedAt: new Date().toISOString(),
});

const cancelled = (
  orderId: string,
  previousStatus: OrderCancelledV1['previousStatus'],
  reason: OrderCancelledV1['reason'] = 'CUSTOMER_CANCELLED',
): OrderCancelledV1 => ({
  orderId,
  customerId: randomUUID(),
  reason,
  previousStatus,
  cancelledAt: new Date().toISOString(),
});

const reservationsOf = async (runtime: SubgraphRuntime, orderId: string) =>
  (
    await runtime.orm.em
      .fork()
      .execute<{ product_id: string; quantity: number; status: string }[]>(
        'select product_id, quantity, status from stock_reservation where order_id = ? order by product_id',
        [orderId],
      )
  ).map((r) => ({ productId: r.product_id, quantity: r.quantity, status: r.status }));

/** Events inventory's consumer has applied so far (its processed-event rows). */
const processedCount = async (runtime: SubgraphRuntime) => {
  const [row] = await runtime.orm.em
    .fork()
    .execute<{ n: string }[]>(`select count(*) as n from processed_event where consumer = 'inventory'`);
  return Number(row!.n);
};

describe('the order flow: inventory reserves, commits, releases and returns stock from Kafka events', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;
  let seen: Awaited<ReturnType<typeof observe>>;

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url, reservationTtlMs: 15 * 60_000 });
    seen = await observe(inventory.runtime);
  });

  afterAll(async () => {
    await seen?.consumer.stop();
    await inventory?.stop();
    await products?.stop();
  });

  const publish = (...events: EventEnvelope[]) => inventory.runtime.producer.publish(events);

  const product = async (onHand: number) => {
    const id = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, id, onHand);
    return id;
  };

  const reservedFor = (orderId: string) => seen.reserved.filter((e) => e.payload.orderId === orderId);
  const rejectedFor = (orderId: string) => seen.rejected.filter((e) => e.payload.orderId === orderId);

  /** Places an order on Kafka and waits for inventory's answer. */
  const placeAndWait = async (orderId: string, items: { productId: string; quantity: number }[]) => {
    await publish(envelope(ORDER_PLACED_V1, orderId, placed(orderId, items)));
    await waitFor(
      () => reservedFor(orderId).length + rejectedFor(orderId).length > 0,
      30_000,
      `inventory's answer to ${orderId}`,
    );
  };

  it('reserves a placed order: stock.reserved.v1 with its lines, availability drops', async () => {
    const a = await product(10);
    const b = await product(5);
    const orderId = randomUUID();

    await placeAndWait(orderId, [
      { productId: a, quantity: 3 },
      { productId: b, quantity: 5 },
    ]);

    const [event] = reservedFor(orderId);
    expect(event!.key).toBe(orderId);
    expect(event!.payload.items).toEqual(
      [
        { productId: a, quantity: 3 },
        { productId: b, quantity: 5 },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    );
    const ttl = Date.parse(event!.payload.expiresAt) - Date.parse(event!.payload.reservedAt);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1_000);
    expect(rejectedFor(orderId)).toEqual([]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 3 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 5, reserved: 5 });
    expect((await reservationsOf(inventory.runtime, orderId)).map((r) => r.status)).toEqual([
      'RESERVED',
      'RESERVED',
    ]);
    // The stock.changed events of the reservation were published too.
    await waitFor(() => seen.changed.some((e) => e.payload.productId === b && e.payload.available === 0));
  });

  it('rejects an order it cannot cover: stock.rejected.v1 with the shortages, nothing held', async () => {
    const a = await product(10);
    const b = await product(2);
    const unknown = randomUUID();
    const orderId = randomUUID();

    await placeAndWait(orderId, [
      { productId: a, quantity: 4 },
      { productId: b, quantity: 3 },
      { productId: unknown, quantity: 1 },
    ]);

    expect(reservedFor(orderId)).toEqual([]);
    const [event] = rejectedFor(orderId);
    expect(event!.key).toBe(orderId);
    expect(event!.payload.shortages).toEqual(
      [
        { productId: b, requested: 3, available: 2 },
        { productId: unknown, requested: 1, available: 0 },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    );
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 0 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 2, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([]);
  });

  it('applies a redelivered order.placed once: one reservation, one stock.reserved event', async () => {
    const a = await product(10);
    const orderId = randomUUID();
    const event = envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 2 }]));
    // The same envelope twice (a redelivery), and the same order again under a new event id (a re-publication).
    const republished = envelope(ORDER_PLACED_V1, orderId, event.payload);
    const before = await processedCount(inventory.runtime);
    await publish(event);
    await publish(event, republished);

    // Both distinct event ids were applied (the redelivery was not), then a marker event proves the
    // partition has moved past them.
    await waitFor(() => reservedFor(orderId).length > 0);
    const marker = randomUUID();
    await placeAndWait(marker, [{ productId: a, quantity: 1 }]);
    await waitFor(async () => (await processedCount(inventory.runtime)) >= before + 3);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(reservedFor(orderId)).toHaveLength(1);
    expect(rejectedFor(orderId)).toEqual([]);
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([
      { productId: a, quantity: 2, status: 'RESERVED' },
    ]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 3 });
  });

  it('does not publish a second rejection for a redelivered order it rejected', async () => {
    const a = await product(1);
    const orderId = randomUUID();
    const event = envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 2 }]));
    await publish(event);
    await waitFor(() => rejectedFor(orderId).length > 0);
    // Stock arrives in between: a re-publication of the rejected order still holds nothing.
    await setStock(inventory.runtime, a, 5);
    const before = await processedCount(inventory.runtime);
    await publish(event, envelope(ORDER_PLACED_V1, orderId, event.payload));
    await waitFor(async () => (await processedCount(inventory.runtime)) >= before + 1);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(rejectedFor(orderId)).toHaveLength(1);
    expect(reservedFor(orderId)).toEqual([]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 5, reserved: 0 });
  });

  it('commits on payment.succeeded: stock on hand and reserved both drop, once', async () => {
    const a = await product(10);
    const orderId = randomUUID();
    await placeAndWait(orderId, [{ productId: a, quantity: 4 }]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 4 });

    const event = envelope(PAYMENT_SUCCEEDED_V1, orderId, paid(orderId));
    await publish(event, event);
    await waitFor(async () => (await stockRow(inventory.runtime, a))?.onHand === 6, 30_000, 'the commit');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 6, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([
      { productId: a, quantity: 4, status: 'COMMITTED' },
    ]);
  });

  it('releases on payment.declined: the units are available again', async () => {
    const a = await product(3);
    const orderId = randomUUID();
    await placeAndWait(orderId, [{ productId: a, quantity: 3 }]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 3, reserved: 3 });

    await publish(envelope(PAYMENT_DECLINED_V1, orderId, declined(orderId)));
    await waitFor(async () => (await stockRow(inventory.runtime, a))?.reserved === 0, 30_000, 'the release');

    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 3, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([
      { productId: a, quantity: 3, status: 'RELEASED' },
    ]);
    // Another order can have the units now.
    const next = randomUUID();
    await placeAndWait(next, [{ productId: a, quantity: 3 }]);
    expect(reservedFor(next)).toHaveLength(1);
  });

  it('releases on order.cancelled of a RESERVED order', async () => {
    const a = await product(8);
    const orderId = randomUUID();
    await placeAndWait(orderId, [{ productId: a, quantity: 5 }]);

    await publish(envelope(ORDER_CANCELLED_V1, orderId, cancelled(orderId, 'RESERVED')));
    await waitFor(async () => (await stockRow(inventory.runtime, a))?.reserved === 0, 30_000, 'the release');

    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 8, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([
      { productId: a, quantity: 5, status: 'RELEASED' },
    ]);
  });

  it('returns the stock of a cancelled CONFIRMED order to on hand, once', async () => {
    const a = await product(8);
    const orderId = randomUUID();
    await placeAndWait(orderId, [{ productId: a, quantity: 5 }]);
    await publish(envelope(PAYMENT_SUCCEEDED_V1, orderId, paid(orderId)));
    await waitFor(async () => (await stockRow(inventory.runtime, a))?.onHand === 3, 30_000, 'the commit');

    const event = envelope(ORDER_CANCELLED_V1, orderId, cancelled(orderId, 'CONFIRMED'));
    await publish(event, event, envelope(ORDER_CANCELLED_V1, orderId, event.payload));
    await waitFor(async () => (await stockRow(inventory.runtime, a))?.onHand === 8, 30_000, 'the return');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 8, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual([
      { productId: a, quantity: 5, status: 'RETURNED' },
    ]);
    await waitFor(() => seen.changed.some((e) => e.payload.productId === a && e.payload.available === 8));
  });

  it.each(['CUSTOMER_CANCELLED', 'EXPIRED'] as const)(
    'holds nothing for an order whose cancellation (%s) arrived before its placement',
    async (reason) => {
      const a = await product(4);
      const orderId = randomUUID();
      await publish(envelope(ORDER_CANCELLED_V1, orderId, cancelled(orderId, 'PENDING', reason)));
      await waitFor(
        async () =>
          (
            await inventory.runtime.orm.em
              .fork()
              .execute<{ outcome: string }[]>('select outcome from order_decision where order_id = ?', [
                orderId,
              ])
          )[0]?.outcome === 'CANCELLED',
      );
      const after = await processedCount(inventory.runtime);
      await publish(envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 2 }])));
      await waitFor(async () => (await processedCount(inventory.runtime)) >= after + 1);
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 4, reserved: 0 });
      expect(await reservationsOf(inventory.runtime, orderId)).toEqual([]);
      expect(reservedFor(orderId)).toEqual([]);
      expect(rejectedFor(orderId)).toEqual([]);
    },
  );

  it('gives 10 units to exactly 10 of 50 orders placed at once, never going below zero', async () => {
    const a = await product(10);
    const orders = Array.from({ length: 50 }, () => randomUUID());
    await publish(
      ...orders.map((orderId) =>
        envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 1 }])),
      ),
    );
    await waitFor(
      () => orders.every((o) => reservedFor(o).length + rejectedFor(o).length > 0),
      60_000,
      'answers to all 50 orders',
    );

    const won = orders.filter((o) => reservedFor(o).length === 1);
    const lost = orders.filter((o) => rejectedFor(o).length === 1);
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(40);
    expect(orders.every((o) => reservedFor(o).length + rejectedFor(o).length === 1)).toBe(true);
    for (const o of lost) {
      expect(rejectedFor(o)[0]!.payload.shortages).toEqual([{ productId: a, requested: 1, available: 0 }]);
    }
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 10 });
    // Every level inventory published on the way: reserved never above on hand.
    await waitFor(() => seen.changed.filter((e) => e.payload.productId === a).length >= 10);
    const levels = seen.changed.filter((e) => e.payload.productId === a).map((e) => e.payload);
    expect(levels.every((l) => l.reserved <= l.onHand)).toBe(true);
    expect(Math.max(...levels.map((l) => l.reserved))).toBe(10);
  });
});

describe('placeOrder inside the consumer transaction (truly concurrent, without Kafka in between)', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url, consumers: false });
    await inventory.runtime.relay.stop();
  });

  afterAll(async () => {
    await inventory?.runtime.orm.em.fork().execute('delete from outbox_message', [], 'run');
    await inventory?.stop();
    await products?.stop();
  });

  const outboxFor = async (orderId: string) =>
    (
      await inventory.runtime.orm.em
        .fork()
        .execute<{ topic: string }[]>('select topic from outbox_message where key = ? order by seq', [
          orderId,
        ])
    ).map((r) => r.topic);

  it('lets 10 of 40 concurrent placements (plus concurrent duplicates) have 10 units, one event each', async () => {
    const { runtime } = inventory;
    const reservations = createReservationService({ orm: runtime.orm, relay: runtime.relay });
    const a = await knownProduct(runtime);
    await setStock(runtime, a, 10);
    const orders = Array.from({ length: 40 }, () => randomUUID());
    // Each order arrives twice under different event ids, all at once.
    const events = orders.flatMap((orderId) =>
      [0, 1].map(() => envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 1 }]))),
    );
    await Promise.all(
      events.map((event) =>
        applyOnce(runtime.orm, 'inventory', event, async (em) => {
          await reservations.placeOrder(
            em,
            { orderId: event.payload.orderId, lines: event.payload.items },
            60_000,
          );
        }),
      ),
    );

    const topics = await Promise.all(orders.map(outboxFor));
    const reservedOrders = topics.filter((t) => t.length === 1 && t[0] === STOCK_RESERVED_V1);
    const rejectedOrders = topics.filter((t) => t.length === 1 && t[0] === STOCK_REJECTED_V1);
    expect(reservedOrders).toHaveLength(10);
    expect(rejectedOrders).toHaveLength(30);
    expect(await stockRow(runtime, a)).toEqual({ onHand: 10, reserved: 10 });
  });

  it('releases whole orders, once, while two backstop sweepers (replicas) race payments committing them', async () => {
    const { runtime } = inventory;
    const replicaA = createReservationService({ orm: runtime.orm, relay: runtime.relay });
    // A second replica: its own connection pool on the same database.
    const secondOrm = await openDatabase({
      url: testDatabaseUrl(),
      dbName: runtime.orm.config.get('dbName')!,
      entities,
      migrations,
    });
    try {
      const replicaB = createReservationService({ orm: secondOrm, relay: { nudge: () => undefined } });
      const products = [
        await knownProduct(runtime),
        await knownProduct(runtime),
        await knownProduct(runtime),
      ];
      for (const p of products) await setStock(runtime, p, 100);
      const lines = products.map((productId, i) => ({ productId, quantity: i + 1 }));
      const orders = Array.from({ length: 20 }, () => randomUUID());
      for (const orderId of orders) await replicaA.reserveAll(orderId, lines, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));

      // Both sweepers drain the expired orders two at a time while half the orders are being paid.
      const drain = async (replica: typeof replicaA) => {
        let released = 0;
        for (;;) {
          const batch = await replica.releaseExpired(new Date(), { limit: 2 });
          released += batch.length;
          if (batch.length === 0) return released;
        }
      };
      const paidOrders = orders.filter((_, i) => i % 2 === 0);
      const [releasedA, releasedB, ...committed] = await Promise.all([
        drain(replicaA),
        drain(replicaB),
        ...paidOrders.map((orderId, i) => (i % 2 ? replicaB : replicaA).commit(orderId)),
      ]);

      let releasedOrders = 0;
      let committedOrders = 0;
      for (const orderId of orders) {
        const statuses = new Set((await reservationsOf(runtime, orderId)).map((r) => r.status));
        // Never split: every line of the order went the same way.
        expect(statuses.size).toBe(1);
        const released = await runtime.orm.em
          .fork()
          .execute<{ envelope: EventEnvelope<StockReleasedV1> }[]>(
            'select envelope from outbox_message where topic = ? and key = ?',
            [STOCK_RELEASED_V1, orderId],
          );
        if (statuses.has('RELEASED')) {
          releasedOrders++;
          expect(released).toHaveLength(1);
          expect(stockReleasedV1.parse(released[0]!.envelope.payload)).toEqual({
            orderId,
            reason: 'EXPIRED',
            items: expect.arrayContaining(lines),
            releasedAt: expect.any(String),
          });
        } else {
          expect([...statuses]).toEqual(['COMMITTED']);
          expect(paidOrders).toContain(orderId);
          committedOrders++;
          expect(released).toEqual([]);
        }
      }
      expect(releasedOrders + committedOrders).toBe(20);
      // Nothing released twice, nothing committed twice.
      expect(releasedA + releasedB).toBe(releasedOrders * lines.length);
      expect(committed.reduce((n, c) => n + c.length, 0)).toBe(committedOrders * lines.length);
      for (const { productId, quantity } of lines) {
        expect(await stockRow(runtime, productId)).toEqual({
          onHand: 100 - committedOrders * quantity,
          reserved: 0,
        });
      }
    } finally {
      await secondOrm.close(true);
    }
  });

  it('commits nothing of a placement whose transaction fails: no hold, no event, no processed row', async () => {
    const { runtime } = inventory;
    const reservations = createReservationService({ orm: runtime.orm, relay: runtime.relay });
    const a = await knownProduct(runtime);
    await setStock(runtime, a, 10);
    const orderId = randomUUID();
    const event = envelope(ORDER_PLACED_V1, orderId, placed(orderId, [{ productId: a, quantity: 3 }]));

    await expect(
      applyOnce(runtime.orm, 'inventory', event, async (em) => {
        const result = await reservations.placeOrder(em, { orderId, lines: event.payload.items }, 60_000);
        expect(result.outcome).toBe('RESERVED');
        throw new Error('crash after the reservation');
      }),
    ).rejects.toThrow('crash after the reservation');

    expect(await stockRow(runtime, a)).toEqual({ onHand: 10, reserved: 0 });
    expect(await reservationsOf(runtime, orderId)).toEqual([]);
    expect(await outboxFor(orderId)).toEqual([]);
    expect(await outboxFor(a)).toEqual([]);
    // The event is retried as new and now succeeds, once.
    expect(
      await applyOnce(runtime.orm, 'inventory', event, async (em) => {
        await reservations.placeOrder(em, { orderId, lines: event.payload.items }, 60_000);
      }),
    ).toBe(true);
    expect(await outboxFor(orderId)).toEqual([STOCK_RESERVED_V1]);
    expect(await stockRow(runtime, a)).toEqual({ onHand: 10, reserved: 3 });
  });
});

describe('reservation expiry', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;
  let seen: Awaited<ReturnType<typeof observe>>;

  beforeAll(async () => {
    products = await startProductsStandIn();
    // Short TTL and sweep: a reservation lapses within seconds.
    inventory = await startInventory({
      productsUrl: products.url,
      reservationTtlMs: 2_000,
      sweepIntervalMs: 200,
    });
    seen = await observe(inventory.runtime);
  });

  afterAll(async () => {
    await seen?.consumer.stop();
    await inventory?.stop();
    await products?.stop();
  });

  it('releases an unpaid reservation when it expires with stock.released.v1; a payment after that commits nothing', async () => {
    const a = await knownProduct(inventory.runtime);
    const b = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, a, 5);
    await setStock(inventory.runtime, b, 2);
    const orderId = randomUUID();
    await inventory.runtime.producer.publish([
      envelope(
        ORDER_PLACED_V1,
        orderId,
        placed(orderId, [
          { productId: a, quantity: 4 },
          { productId: b, quantity: 2 },
        ]),
      ),
    ]);
    await waitFor(() => seen.reserved.some((e) => e.payload.orderId === orderId), 30_000, 'the reservation');
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 5, reserved: 4 });

    await waitFor(async () => (await stockRow(inventory.runtime, a))?.reserved === 0, 10_000, 'the expiry');
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 2, reserved: 0 });
    expect(await reservationsOf(inventory.runtime, orderId)).toEqual(
      [
        { productId: a, quantity: 4, status: 'RELEASED' },
        { productId: b, quantity: 2, status: 'RELEASED' },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    );
    // Orders is told, once, with the whole order's lines.
    const releasedFor = () => seen.released.filter((e) => e.payload.orderId === orderId);
    await waitFor(() => releasedFor().length > 0, 30_000, 'the released event');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(releasedFor()).toHaveLength(1);
    expect(releasedFor()[0]!.key).toBe(orderId);
    expect(releasedFor()[0]!.payload).toEqual({
      orderId,
      reason: 'EXPIRED',
      items: expect.arrayContaining([
        { productId: a, quantity: 4 },
        { productId: b, quantity: 2 },
      ]),
      releasedAt: expect.any(String),
    });
    expect(releasedFor()[0]!.payload.items).toHaveLength(2);

    const before = await processedCount(inventory.runtime);
    await inventory.runtime.producer.publish([envelope(PAYMENT_SUCCEEDED_V1, orderId, paid(orderId))]);
    await waitFor(async () => (await processedCount(inventory.runtime)) >= before + 1);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 5, reserved: 0 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 2, reserved: 0 });
    expect((await reservationsOf(inventory.runtime, orderId)).map((r) => r.status)).toEqual([
      'RELEASED',
      'RELEASED',
    ]);
  });
});
