import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { recordEvent, type Database, type EntityManager, type OutboxRelay } from '@shop/platform';
import {
  STOCK_REJECTED_V1,
  STOCK_RELEASED_V1,
  STOCK_RESERVED_V1,
  type StockRejectedV1,
  type StockReleasedV1,
  type StockReservedV1,
} from '@shop/schema';
import { StockReservation, type OrderOutcome, type ReservationStatus } from './reservation.entity.js';
import { availableOf, Stock } from './stock.entity.js';
import { isProductId, normalizeProductId, recordStockChanged } from './stock.service.js';

/** One line of an order to reserve. */
export interface ReservationLine {
  productId: string;
  /** A positive integer. */
  quantity: number;
}

/** A reservation as callers see it (no ORM entity leaves this service). */
export interface ReservationView {
  id: string;
  orderId: string;
  productId: string;
  quantity: number;
  status: ReservationStatus;
  expiresAt: Date;
}

/** A line that could not be reserved: `available` is what was left (0 for a product inventory does not know). */
export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

export type ReserveResult =
  /** Every line is held. `replayed` when the order had been reserved before (nothing changed this time). */
  | { reserved: true; reservations: ReservationView[]; replayed: boolean }
  /** Nothing is held: at least one line could not be covered. */
  | { reserved: false; shortages: Shortage[] };

/** What `placeOrder` did with an `orders.order.placed.v1`. */
export type PlaceOutcome =
  /** Every line is held; `inventory.stock.reserved.v1` recorded. */
  | { outcome: 'RESERVED'; reservations: ReservationView[]; expiresAt: Date }
  /** Nothing is held; `inventory.stock.rejected.v1` recorded with the shortages. */
  | { outcome: 'REJECTED'; shortages: Shortage[] }
  /** The order had been decided before (placed again, or cancelled first): nothing changed, nothing recorded. */
  | { outcome: 'ALREADY_DECIDED'; previous: OrderOutcome };

/** A reservation's move out of a status, and what it does to the stock row. */
type Transitions = Partial<Record<'RESERVED' | 'COMMITTED', Exclude<ReservationStatus, 'RESERVED'>>>;

export interface ReservationServiceOptions {
  orm: Database;
  /** Woken after each commit so the `stock.changed` events leave at once. */
  relay: Pick<OutboxRelay, 'nudge'>;
}

export type ReservationService = ReturnType<typeof createReservationService>;

const view = (r: StockReservation): ReservationView => ({
  id: r.id,
  orderId: r.orderId,
  productId: r.productId,
  quantity: r.quantity,
  status: r.status,
  expiresAt: r.expiresAt,
});

/**
 * Locks the stock rows of `productIds` FOR UPDATE in one fixed order (ascending product id, in the
 * statement's ORDER BY: Postgres locks rows as the sorted scan returns them). Every writer that
 * locks several stock rows goes through here, so two transactions sharing products always queue
 * on the first shared row instead of deadlocking. Rows of unknown products are simply absent.
 */
async function lockStock(em: EntityManager, productIds: readonly string[]): Promise<Map<string, Stock>> {
  const ids = [...new Set(productIds)].sort();
  if (ids.length === 0) return new Map();
  const rows = await em.find(
    Stock,
    { productId: { $in: ids } },
    { orderBy: { productId: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  return new Map(rows.map((row) => [row.productId, row]));
}

/**
 * Reservations of stock for orders: all of an order's lines or none, never below zero. Every write
 * changes the reservations and the stock rows and records one `inventory.stock.changed.v1` per
 * product it changed, in one transaction. The `*Order` methods are the order flow's: they run inside
 * the caller's transaction `em` (the consumer's `applyOnce`, so the processed-event row commits with
 * them) and record the flow's events there; the caller nudges the relay after the commit. The other
 * methods open their own transaction.
 */
export function createReservationService({ orm, relay }: ReservationServiceOptions) {
  /**
   * Moves the reservations matching `where` out of the statuses in `transitions`, adjusting their
   * stock rows: RESERVED -> COMMITTED takes the units off `reserved` and `onHand` (sold), RESERVED ->
   * RELEASED off `reserved` (available again), COMMITTED -> RETURNED puts them back on `onHand`.
   * Resolves the reservations it moved (none when already settled).
   */
  async function settle(
    em: EntityManager,
    where: { orderId: string } | { ids: string[] },
    transitions: Transitions,
  ): Promise<StockReservation[]> {
    const from = Object.keys(transitions) as (keyof Transitions)[];
    const filter = 'orderId' in where ? { orderId: where.orderId } : { id: { $in: where.ids } };
    // Product ids first, without locks, to lock the stock rows before the reservations (the same
    // order as reserveAll: stock, then reservations).
    const candidates = await em.find(
      StockReservation,
      { ...filter, status: { $in: from } },
      { fields: ['productId'] },
    );
    if (candidates.length === 0) return [];
    const stock = await lockStock(
      em,
      candidates.map((r) => r.productId),
    );
    // Re-read under lock: a concurrent commit/release may have settled some while we waited.
    const held = await em.find(
      StockReservation,
      { ...filter, status: { $in: from } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { productId: 'asc' } },
    );
    for (const reservation of held) {
      const row = stock.get(reservation.productId);
      // The stock row of a reservation always exists (it was locked to reserve it).
      if (!row) throw new Error(`stock row missing for reserved product ${reservation.productId}`);
      const to = transitions[reservation.status as keyof Transitions]!;
      if (reservation.status === 'RESERVED') {
        row.reserved -= reservation.quantity;
        if (to === 'COMMITTED') row.onHand -= reservation.quantity;
      } else {
        row.onHand += reservation.quantity;
      }
      reservation.status = to;
    }
    const changedAt = new Date();
    for (const productId of new Set(held.map((r) => r.productId))) {
      const row = stock.get(productId)!;
      recordStockChanged(em, { productId, onHand: row.onHand, reserved: row.reserved }, changedAt);
    }
    await em.flush();
    return held;
  }

  /** Checks an order's lines and merges duplicate products; throws, changing nothing, on bad input. */
  function wantedOf(orderId: string, lines: readonly ReservationLine[], ttlMs: number) {
    if (!isProductId(orderId)) throw new TypeError(`order id ${orderId} is not a UUID`);
    if (lines.length === 0) throw new RangeError('an order needs at least one line');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    const wanted = new Map<string, number>();
    for (const line of lines) {
      if (!Number.isInteger(line.quantity) || line.quantity <= 0) {
        throw new RangeError(`quantity of ${line.productId} must be a positive integer`);
      }
      // A malformed product id names no product: it is kept as is and comes out as a shortage.
      const id = isProductId(line.productId) ? normalizeProductId(line.productId) : line.productId;
      wanted.set(id, (wanted.get(id) ?? 0) + line.quantity);
    }
    return wanted;
  }

  /** reserveAll's work inside the caller's transaction (see reserveAll). */
  async function reserveIn(
    em: EntityManager,
    orderId: string,
    wanted: ReadonlyMap<string, number>,
    ttlMs: number,
  ): Promise<ReserveResult> {
    const productIds = [...wanted.keys()].sort();
    const stock = await lockStock(em, productIds.filter(isProductId));
    // Checked after the locks: a concurrent call for the same order has committed by now.
    const existing = await em.find(StockReservation, { orderId }, { orderBy: { productId: 'asc' } });
    if (existing.length > 0) return { reserved: true, reservations: existing.map(view), replayed: true };

    const shortages = productIds.flatMap((productId): Shortage[] => {
      const row = stock.get(productId);
      const available = row ? availableOf(row) : 0;
      const requested = wanted.get(productId)!;
      return available >= requested ? [] : [{ productId, requested, available }];
    });
    if (shortages.length > 0) return { reserved: false, shortages };

    const expiresAt = new Date(Date.now() + ttlMs);
    const changedAt = new Date();
    const reservations = productIds.map((productId) => {
      const row = stock.get(productId)!;
      const quantity = wanted.get(productId)!;
      row.reserved += quantity;
      recordStockChanged(em, { productId, onHand: row.onHand, reserved: row.reserved }, changedAt);
      return em.create(StockReservation, {
        id: randomUUID(),
        orderId,
        productId,
        quantity,
        status: 'RESERVED',
        expiresAt,
      });
    });
    await em.flush();
    return { reserved: true, reservations: reservations.map(view), replayed: false };
  }

  /**
   * Records that the order flow decided `orderId` (`outcome`) unless it was decided before; resolves
   * the earlier outcome then. A concurrent decision of the same order waits on the row's key until
   * the first commits, then sees it.
   */
  async function decide(em: EntityManager, orderId: string, outcome: OrderOutcome) {
    const connection = em.getConnection();
    const inserted = await connection.execute<{ order_id: string }[]>(
      `insert into order_decision (order_id, outcome, decided_at) values (?, ?, now())
         on conflict (order_id) do nothing returning order_id`,
      [orderId, outcome],
      'all',
      em.getTransactionContext(),
    );
    if (inserted.length > 0) return undefined;
    const [previous] = await connection.execute<{ outcome: OrderOutcome }[]>(
      'select outcome from order_decision where order_id = ?',
      [orderId],
      'all',
      em.getTransactionContext(),
    );
    return previous!.outcome;
  }

  /**
   * The order is paid (`payments.payment.succeeded.v1`), inside the caller's transaction: its
   * RESERVED reservations become COMMITTED and their units leave the stock on hand (and the
   * reserved count). Only RESERVED ones: a reservation already released (expired, declined,
   * cancelled) is not committed. Resolves the reservations it moved, none the second time.
   */
  async function commitOrder(em: EntityManager, orderId: string): Promise<ReservationView[]> {
    if (!isProductId(orderId)) return [];
    return (await settle(em, { orderId: orderId.toLowerCase() }, { RESERVED: 'COMMITTED' })).map(view);
  }

  /**
   * The order will not be paid (`payments.payment.declined.v1`), inside the caller's transaction:
   * its RESERVED reservations become RELEASED, their units available again.
   */
  async function releaseOrder(em: EntityManager, orderId: string): Promise<ReservationView[]> {
    if (!isProductId(orderId)) return [];
    return (await settle(em, { orderId: orderId.toLowerCase() }, { RESERVED: 'RELEASED' })).map(view);
  }

  return {
    /**
     * Reserves every line of `orderId` for `ttlMs` milliseconds, or nothing. Duplicate product lines
     * are merged. The stock rows are locked in product-id order, then every line is checked against
     * `onHand - reserved`; one short line (or an unknown product) rejects the whole order with the
     * shortages. Idempotent per order: when the order already has reservations (whatever their
     * status) they are returned unchanged with `replayed: true`. A rejection stores nothing, so a
     * later call for the same order may succeed. Throws (changing nothing) on a malformed order id,
     * no lines, a quantity that is not a positive integer or a non-positive ttl. Records only the
     * `stock.changed` events (the order flow's events are `placeOrder`'s).
     */
    async reserveAll(
      orderId: string,
      lines: readonly ReservationLine[],
      ttlMs: number,
    ): Promise<ReserveResult> {
      const wanted = wantedOf(orderId, lines, ttlMs);
      const result = await orm.em
        .fork()
        .transactional((em): Promise<ReserveResult> => reserveIn(em, orderId, wanted, ttlMs));
      if (result.reserved && !result.replayed) relay.nudge();
      return result;
    },

    /**
     * The order flow's reaction to `orders.order.placed.v1`, inside the caller's transaction `em`:
     * reserves every line for `ttlMs` (as reserveAll) and records `inventory.stock.reserved.v1`, or,
     * holding nothing, records `inventory.stock.rejected.v1` with the shortages (unknown products
     * are short of everything, `available` 0). Once per order: the decision is stored in
     * `order_decision` in the same transaction, so an order decided before (placed again under
     * another event id, or cancelled before its placement got here) changes and records nothing.
     */
    async placeOrder(
      em: EntityManager,
      order: { orderId: string; lines: readonly ReservationLine[] },
      ttlMs: number,
    ): Promise<PlaceOutcome> {
      const orderId = order.orderId.toLowerCase();
      const wanted = wantedOf(orderId, order.lines, ttlMs);
      const previous = await decide(em, orderId, 'RESERVED');
      if (previous) return { outcome: 'ALREADY_DECIDED', previous };
      const result = await reserveIn(em, orderId, wanted, ttlMs);
      const now = new Date().toISOString();
      if (!result.reserved) {
        await em
          .getConnection()
          .execute(
            `update order_decision set outcome = 'REJECTED' where order_id = ?`,
            [orderId],
            'run',
            em.getTransactionContext(),
          );
        const payload: StockRejectedV1 = { orderId, shortages: result.shortages, rejectedAt: now };
        recordEvent(em, STOCK_REJECTED_V1, orderId, payload);
        await em.flush();
        return { outcome: 'REJECTED', shortages: result.shortages };
      }
      // Reservations without a decision can only come from a direct reserveAll of the same id:
      // they are the order's, and the flow learns of them once, here.
      const expiresAt = result.reservations[0]!.expiresAt;
      const payload: StockReservedV1 = {
        orderId,
        items: result.reservations.map(({ productId, quantity }) => ({ productId, quantity })),
        expiresAt: expiresAt.toISOString(),
        reservedAt: now,
      };
      recordEvent(em, STOCK_RESERVED_V1, orderId, payload);
      await em.flush();
      return { outcome: 'RESERVED', reservations: result.reservations, expiresAt };
    },

    commitOrder,

    releaseOrder,

    /**
     * The order was cancelled (`orders.order.cancelled.v1`), inside the caller's transaction: its
     * RESERVED reservations are RELEASED (units available again) and its COMMITTED ones — the order
     * had been CONFIRMED — are RETURNED (units back on hand). Decided by the reservations' own
     * status rather than the event's `previousStatus`, so it is right whichever of payment.succeeded
     * and order.cancelled inventory sees first. An order with no decision yet (the cancellation
     * overtook its placement) is marked CANCELLED so its placement, when it comes, holds nothing.
     */
    async cancelOrder(em: EntityManager, orderId: string): Promise<ReservationView[]> {
      if (!isProductId(orderId)) return [];
      const id = orderId.toLowerCase();
      await decide(em, id, 'CANCELLED');
      return (await settle(em, { orderId: id }, { RESERVED: 'RELEASED', COMMITTED: 'RETURNED' })).map(view);
    },

    /**
     * The order is paid: its RESERVED reservations become COMMITTED and their units leave the stock
     * on hand (and the reserved count). Idempotent: resolves the reservations it moved, none the
     * second time. Its own transaction (commitOrder inside the caller's).
     */
    async commit(orderId: string): Promise<ReservationView[]> {
      const moved = await orm.em.fork().transactional((em) => commitOrder(em, orderId));
      if (moved.length) relay.nudge();
      return moved;
    },

    /**
     * The order will not be paid (declined, cancelled): its RESERVED reservations become RELEASED
     * and their units are available again. Idempotent: resolves the reservations it moved.
     */
    async release(orderId: string): Promise<ReservationView[]> {
      const moved = await orm.em.fork().transactional((em) => releaseOrder(em, orderId));
      if (moved.length) relay.nudge();
      return moved;
    },

    /**
     * The backstop expiry: releases the reservations of at most `limit` (default 100) orders that
     * still hold RESERVED reservations past `expiresAt` (at or before `now`), oldest first, in one
     * transaction, and records one `inventory.stock.released.v1` (reason EXPIRED, the lines released)
     * per order, with the `stock.changed` events, in the same transaction. An order is released
     * whole (all its lines share one `expiresAt`), never split between sweeps, so a concurrent
     * `payment.succeeded` either commits every line first or finds none to commit. Orders normally
     * cancels an unsettled order long before this (its settlement timeout is much shorter); this
     * only catches orders nobody settled or cancelled. Safe with concurrent sweepers and consumers:
     * `settle` locks the stock rows, re-reads the reservations under lock and moves only those still
     * RESERVED, and only what this call moved is published. Resolves the reservations it released;
     * call again while they span `limit` orders.
     */
    async releaseExpired(
      now: Date = new Date(),
      { limit = 100 }: { limit?: number } = {},
    ): Promise<ReservationView[]> {
      const moved = await orm.em.fork().transactional(async (em) => {
        const due = await em.getConnection().execute<{ order_id: string }[]>(
          `select order_id from stock_reservation
             where status = 'RESERVED' and expires_at <= ?
             group by order_id order by min(expires_at), order_id limit ?`,
          [now, limit],
          'all',
          em.getTransactionContext(),
        );
        if (due.length === 0) return [];
        const orderIds = due.map((r) => r.order_id);
        const lines = await em.find(
          StockReservation,
          { orderId: { $in: orderIds }, status: 'RESERVED', expiresAt: { $lte: now } },
          { fields: ['id'] },
        );
        const released = await settle(em, { ids: lines.map((r) => r.id) }, { RESERVED: 'RELEASED' });
        const byOrder = new Map<string, StockReservation[]>();
        for (const r of released) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), r]);
        const releasedAt = new Date().toISOString();
        for (const [orderId, rows] of byOrder) {
          recordEvent<StockReleasedV1>(em, STOCK_RELEASED_V1, orderId, {
            orderId,
            reason: 'EXPIRED',
            items: rows.map(({ productId, quantity }) => ({ productId, quantity })),
            releasedAt,
          });
        }
        await em.flush();
        return released.map(view);
      });
      if (moved.length) relay.nudge();
      return moved;
    },
  };
}
