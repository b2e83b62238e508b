import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createLogger, envelope, openDatabase, type Database, type EventEnvelope } from '@shop/platform';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  testDatabaseUrl,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import {
  PAYMENT_SUCCEEDED_V1,
  STOCK_RELEASED_V1,
  STOCK_RESERVED_V1,
  type PaymentSucceededV1,
  type StockReleasedV1,
  type StockReservedV1,
} from '@shop/schema';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { OrderService } from '../src/order.service.js';
import { startOrderSweeper } from '../src/order.sweeper.js';
import { createPriceLookup } from '../src/product-price.js';
import {
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
 * Orders that never settle: orders' settlement sweeper cancels them EXPIRED (also with replicas
 * racing each other and the consumer), inventory's backstop `stock.released` cancels them too, and
 * nothing that arrives later revives them. Real Postgres and Kafka; the test publishes inventory's
 * and payments' events and consumes what orders publishes.
 */

const now = () => new Date().toISOString();
const reserved = (orderId: string, productId: string): StockReservedV1 => ({
  orderId,
  items: [{ productId, quantity: 1 }],
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  reservedAt: now(),
});
const succeeded = (orderId: string): PaymentSucceededV1 => ({
  orderId,
  paymentId: randomUUID(),
  amountMinor: 250,
  currencyCode: 'USD',
  succeededAt: now(),
});
const released = (orderId: string, productId: string): StockReleasedV1 => ({
  orderId,
  reason: 'EXPIRED',
  items: [{ productId, quantity: 1 }],
  releasedAt: now(),
});

/** Reads and drives one orders instance the way these specs need. */
function driver(products: ProductsStandIn, orders: () => TestSubgraph, seen: () => Observed) {
  const publish = (...events: EventEnvelope[]) => orders().runtime.producer.publish(events);
  const sql = <R>(query: string, params: unknown[] = []) =>
    orders().runtime.orm.em.fork().execute<R[]>(query, params);
  return {
    publish,
    /** A fresh order of a fresh customer: its id, product and the customer's token. */
    async place() {
      const productId = products.createProduct(250);
      const token = await customerToken(orders());
      const res = await orders().request(
        PLACE_ORDER,
        { input: orderInput([{ productId, quantity: 1 }]) },
        token,
      );
      expect(res.errors).toBeUndefined();
      return { id: res.data.placeOrder.id as string, productId, token };
    },
    async read(id: string, token: string) {
      return (await orders().request(ORDER, { id }, token)).data.order as {
        status: string;
        cancellationReason: string | null;
        statusHistory: { status: string }[];
      };
    },
    /** status, reason, version and history straight from the database. */
    async row(id: string) {
      const [order] = await sql<{ status: string; cancellation_reason: string | null; version: number }>(
        'select status, cancellation_reason, version from customer_order where id = ?',
        [id],
      );
      const history = await sql<{ status: string }>(
        'select status from order_status_change where order_id = ? order by version',
        [id],
      );
      return { ...order!, history: history.map((h) => h.status) };
    },
    /** How long after its placement the order was cancelled (from the stored times). */
    async cancelledAfterMs(id: string) {
      const [row] = await sql<{ ms: string }>(
        `select extract(epoch from (h.at - o.created_at)) * 1000 as ms
           from order_status_change h join customer_order o on o.id = h.order_id
          where h.order_id = ? and h.status = 'CANCELLED'`,
        [id],
      );
      return Number(row!.ms);
    },
    async waitForStatus(id: string, status: string, timeoutMs = 30_000) {
      await waitFor(async () => (await this.row(id)).status === status, timeoutMs, `order ${id} ${status}`);
    },
    /** Resolves once orders' consumer has applied (or skipped) every event in `events`. */
    async waitForProcessed(...events: EventEnvelope[]) {
      const ids = events.map((e) => e.id);
      await waitFor(
        async () =>
          (
            await sql(
              `select 1 from processed_event where event_id in (${ids.map(() => '?').join(', ')})`,
              ids,
            )
          ).length === new Set(ids).size,
        30_000,
        'processed events',
      );
    },
    cancelledFor: (id: string) => seen().cancelled.filter((e) => e.payload.orderId === id),
    /** `orders.order.status-changed.v1` of the order as [status, previousStatus, reason, version]. */
    changesFor: (id: string) => statusChangesOf(seen(), id),
    confirmedFor: (id: string) => seen().confirmed.filter((e) => e.payload.orderId === id),
  };
}

describe('the settlement sweeper running in orders', () => {
  let products: ProductsStandIn;
  let orders: TestSubgraph;
  let seen: Observed;
  let d: ReturnType<typeof driver>;
  // Long enough for an order to be reserved or confirmed first on a loaded machine.
  const TIMEOUT_MS = 5_000;

  beforeAll(async () => {
    products = await startProductsStandIn();
    orders = await startOrders(products.url, {
      settlementTimeoutMs: TIMEOUT_MS,
      settlementSweepIntervalMs: 200,
    });
    seen = await observe(orders.runtime);
    d = driver(
      products,
      () => orders,
      () => seen,
    );
  });

  afterAll(async () => {
    await seen?.consumer.stop();
    await orders?.stop();
    await products?.stop();
  });

  it('cancels a stuck RESERVED order EXPIRED after the timeout, once; a late payment.succeeded leaves it CANCELLED', async () => {
    const { id, productId, token } = await d.place();
    await d.publish(envelope(STOCK_RESERVED_V1, id, reserved(id, productId)));
    await d.waitForStatus(id, 'RESERVED');
    await d.waitForStatus(id, 'CANCELLED');
    // Not before the timeout.
    expect(await d.cancelledAfterMs(id)).toBeGreaterThanOrEqual(TIMEOUT_MS);

    expect(await d.read(id, token)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'EXPIRED' });
    expect(await d.row(id)).toEqual({
      status: 'CANCELLED',
      cancellation_reason: 'EXPIRED',
      version: 3,
      history: ['PENDING', 'RESERVED', 'CANCELLED'],
    });
    await waitFor(() => d.cancelledFor(id).length > 0, 30_000, 'the cancelled event');

    // The payment that payments took meanwhile arrives late: ignored (payments refunds it on the
    // cancellation), delivered twice for good measure.
    const late = envelope(PAYMENT_SUCCEEDED_V1, id, succeeded(id));
    await d.publish(late, late);
    await d.waitForProcessed(late);
    await sleep(1_000);
    expect(await d.row(id)).toMatchObject({
      status: 'CANCELLED',
      cancellation_reason: 'EXPIRED',
      version: 3,
    });
    expect(d.confirmedFor(id)).toEqual([]);
    expect(d.cancelledFor(id).map((e) => e.payload)).toEqual([
      {
        orderId: id,
        customerId: expect.any(String),
        reason: 'EXPIRED',
        previousStatus: 'RESERVED',
        cancelledAt: expect.any(String),
      },
    ]);
    // The sweeper's transition is announced like any other, once.
    expect(d.changesFor(id)).toEqual([
      ['PENDING', null, null, 1],
      ['RESERVED', 'PENDING', null, 2],
      ['CANCELLED', 'RESERVED', 'EXPIRED', 3],
    ]);
    // The customer cannot cancel it again.
    expect(errorCodes(await orders.request(CANCEL_ORDER, { id }, token))).toEqual(['BAD_USER_INPUT']);
  });

  it('expires a PENDING order too, and never a CONFIRMED one', async () => {
    const pending = await d.place();
    const confirmed = await d.place();
    // Payment processed before the reservation: PENDING -> RESERVED -> CONFIRMED at once.
    await d.publish(envelope(PAYMENT_SUCCEEDED_V1, confirmed.id, succeeded(confirmed.id)));
    await d.waitForStatus(confirmed.id, 'CONFIRMED');

    await d.waitForStatus(pending.id, 'CANCELLED');
    await waitFor(() => d.cancelledFor(pending.id).length > 0, 30_000, 'the cancelled event');
    expect(d.cancelledFor(pending.id)[0]!.payload).toMatchObject({
      reason: 'EXPIRED',
      previousStatus: 'PENDING',
    });
    expect(await d.row(pending.id)).toMatchObject({ version: 2, history: ['PENDING', 'CANCELLED'] });

    // Both were placed together, so the confirmed one has been past the timeout for as long.
    await sleep(1_000);
    expect(await d.row(confirmed.id)).toMatchObject({ status: 'CONFIRMED', cancellation_reason: null });
    expect(d.cancelledFor(confirmed.id)).toEqual([]);
  });
});

describe('orders replicas and inventory’s backstop', () => {
  let products: ProductsStandIn;
  let orders: TestSubgraph;
  let seen: Observed;
  let d: ReturnType<typeof driver>;
  let replicaOrm: Database;

  beforeAll(async () => {
    products = await startProductsStandIn();
    // The app's own sweeper waits an hour: here the sweeps are the test's.
    orders = await startOrders(products.url);
    seen = await observe(orders.runtime);
    d = driver(
      products,
      () => orders,
      () => seen,
    );
    // A second orders replica: its own connection pool on the same database.
    replicaOrm = await openDatabase({
      url: testDatabaseUrl(),
      dbName: orders.runtime.orm.config.get('dbName')!,
      entities,
      migrations,
    });
  });

  afterAll(async () => {
    await replicaOrm?.close(true);
    await seen?.consumer.stop();
    await orders?.stop();
    await products?.stop();
  });

  it('expires each stuck order exactly once with two replicas sweeping at once, racing the payments', async () => {
    const placed: Awaited<ReturnType<typeof d.place>>[] = [];
    for (let i = 0; i < 24; i++) placed.push(await d.place());
    // Two thirds RESERVED, a third left PENDING.
    const toReserve = placed.filter((_, i) => i % 3 !== 2);
    await d.publish(...toReserve.map((o) => envelope(STOCK_RESERVED_V1, o.id, reserved(o.id, o.productId))));
    for (const o of toReserve) await d.waitForStatus(o.id, 'RESERVED');

    const sweepErrors: unknown[] = [];
    // Collects the sweepers' error logs instead of printing them.
    const logger = createLogger('orders', {
      level: 'error',
      hooks: { logMethod: (args) => void sweepErrors.push(args) },
    });
    const replica = (orm: Database) => {
      const service = new OrderService({
        relay: { nudge: () => undefined },
        prices: createPriceLookup(products.url),
        logger,
      });
      // The timeout has passed for every order placed so far.
      return startOrderSweeper(service, {
        timeoutMs: 1,
        intervalMs: 3_600_000,
        fork: () => orm.em.fork(),
        logger,
        batch: 3,
      });
    };
    const a = replica(orders.runtime.orm);
    const b = replica(replicaOrm);
    try {
      // Payments succeed for every fourth order while both replicas sweep, several rounds each.
      const paid = placed.filter((_, i) => i % 4 === 0);
      const payments = paid.map((o) => envelope(PAYMENT_SUCCEEDED_V1, o.id, succeeded(o.id)));
      const rounds = async (sweeper: typeof a) => {
        let expired = 0;
        for (let i = 0; i < 4; i++) expired += await sweeper.sweep();
        return expired;
      };
      const [expiredA, expiredB] = await Promise.all([rounds(a), rounds(b), d.publish(...payments)]);
      await d.waitForProcessed(...payments);
      // Whatever is left (an order locked by the consumer is skipped, not waited for) goes now.
      const rest = (await a.sweep()) + (await b.sweep());

      const rows = await Promise.all(placed.map((o) => d.row(o.id)));
      const cancelled = placed.filter((_, i) => rows[i]!.status === 'CANCELLED');
      const confirmedOrders = placed.filter((_, i) => rows[i]!.status === 'CONFIRMED');
      // Every order ended settled one way: expired by exactly one sweep, or confirmed first.
      expect(cancelled.length + confirmedOrders.length).toBe(placed.length);
      expect(expiredA! + expiredB! + rest).toBe(cancelled.length);
      for (const o of confirmedOrders) expect(paid).toContain(o);
      for (const row of rows) {
        const history = row.history;
        if (row.status === 'CANCELLED') {
          expect(row.cancellation_reason).toBe('EXPIRED');
          expect(history.filter((s) => s === 'CANCELLED')).toHaveLength(1);
          expect(history).not.toContain('CONFIRMED');
        } else {
          expect(history.at(-1)).toBe('CONFIRMED');
        }
        expect(row.version).toBe(history.length);
        expect(history[0]).toBe('PENDING');
      }
      // No sweep failed (a lost race would surface as a failed transaction, logged).
      expect(sweepErrors).toEqual([]);

      // One event per outcome, none for the other.
      await waitFor(
        () =>
          cancelled.every((o) => d.cancelledFor(o.id).length > 0) &&
          confirmedOrders.every((o) => d.confirmedFor(o.id).length > 0),
        30_000,
        'the outcome events',
      );
      await sleep(1_000);
      for (const o of cancelled) {
        expect(d.cancelledFor(o.id)).toHaveLength(1);
        expect(d.cancelledFor(o.id)[0]!.payload.reason).toBe('EXPIRED');
        expect(d.confirmedFor(o.id)).toEqual([]);
      }
      for (const o of confirmedOrders) {
        expect(d.confirmedFor(o.id)).toHaveLength(1);
        expect(d.cancelledFor(o.id)).toEqual([]);
      }
      // Each status each order entered was announced once, in version order, whoever moved it.
      await waitFor(
        () => placed.every((o, i) => d.changesFor(o.id).length >= rows[i]!.history.length),
        30_000,
        'the status changes',
      );
      placed.forEach((o, i) => {
        const changes = d.changesFor(o.id);
        expect(changes.map((c) => c[0])).toEqual(rows[i]!.history);
        expect(changes.map((c) => c[3])).toEqual(rows[i]!.history.map((_, v) => v + 1));
      });
      // Nothing left to expire.
      expect((await a.sweep()) + (await b.sweep())).toBe(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('cancels EXPIRED on inventory.stock.released.v1: a RESERVED order, and a CONFIRMED one (refund, no oversell), once', async () => {
    const r = await d.place();
    await d.publish(envelope(STOCK_RESERVED_V1, r.id, reserved(r.id, r.productId)));
    await d.waitForStatus(r.id, 'RESERVED');
    const c = await d.place();
    await d.publish(envelope(PAYMENT_SUCCEEDED_V1, c.id, succeeded(c.id)));
    await d.waitForStatus(c.id, 'CONFIRMED');
    const x = await d.place();
    expect((await orders.request(CANCEL_ORDER, { id: x.id }, x.token)).data.cancelOrder.status).toBe(
      'CANCELLED',
    );

    const events = [r, c, x].map((o) => envelope(STOCK_RELEASED_V1, o.id, released(o.id, o.productId)));
    // Each delivered twice.
    await d.publish(...events, ...events);
    await d.waitForProcessed(...events);
    await waitFor(
      () =>
        d.cancelledFor(r.id).length > 0 && d.cancelledFor(c.id).length > 0 && d.cancelledFor(x.id).length > 0,
      30_000,
      'the cancelled events',
    );
    await sleep(1_000);

    expect(await d.row(r.id)).toEqual({
      status: 'CANCELLED',
      cancellation_reason: 'EXPIRED',
      version: 3,
      history: ['PENDING', 'RESERVED', 'CANCELLED'],
    });
    expect(await d.read(r.id, r.token)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'EXPIRED' });
    expect(d.cancelledFor(r.id).map((e) => e.payload)).toEqual([
      expect.objectContaining({ reason: 'EXPIRED', previousStatus: 'RESERVED' }),
    ]);
    expect(await d.row(c.id)).toEqual({
      status: 'CANCELLED',
      cancellation_reason: 'EXPIRED',
      version: 4,
      history: ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'],
    });
    expect(d.cancelledFor(c.id).map((e) => e.payload)).toEqual([
      expect.objectContaining({ reason: 'EXPIRED', previousStatus: 'CONFIRMED' }),
    ]);
    // Already cancelled by its customer: the release changes nothing.
    expect(await d.row(x.id)).toMatchObject({ cancellation_reason: 'CUSTOMER_CANCELLED', version: 2 });
    expect(d.cancelledFor(x.id).map((e) => e.payload.reason)).toEqual(['CUSTOMER_CANCELLED']);
    expect(d.changesFor(r.id).at(-1)).toEqual(['CANCELLED', 'RESERVED', 'EXPIRED', 3]);
    expect(d.changesFor(c.id).at(-1)).toEqual(['CANCELLED', 'CONFIRMED', 'EXPIRED', 4]);
    expect(d.changesFor(c.id)).toHaveLength(4);
    expect(d.changesFor(x.id).map((e) => e[2])).toEqual([null, 'CUSTOMER_CANCELLED']);
  });
});
