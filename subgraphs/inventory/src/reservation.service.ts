import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { Database, EntityManager, OutboxRelay } from '@shop/platform';
import { StockReservation, type ReservationStatus } from './reservation.entity.js';
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
 * Reservations of stock for orders: all of an order's lines or none, never below zero. Each method
 * is one transaction that changes the reservations, the stock rows and records one
 * `inventory.stock.changed.v1` per product it changed.
 */
export function createReservationService({ orm, relay }: ReservationServiceOptions) {
  /** Moves RESERVED reservations to `to`, adjusting their stock rows; returns the ones it moved. */
  async function settle(
    em: EntityManager,
    where: { orderId: string } | { ids: string[] },
    to: Exclude<ReservationStatus, 'RESERVED'>,
  ): Promise<StockReservation[]> {
    const filter = 'orderId' in where ? { orderId: where.orderId } : { id: { $in: where.ids } };
    // Product ids first, without locks, to lock the stock rows before the reservations (the same
    // order as reserveAll: stock, then reservations).
    const candidates = await em.find(
      StockReservation,
      { ...filter, status: 'RESERVED' },
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
      { ...filter, status: 'RESERVED' },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { productId: 'asc' } },
    );
    for (const reservation of held) {
      const row = stock.get(reservation.productId);
      // The stock row of a held reservation always exists (it was locked to reserve it).
      if (!row) throw new Error(`stock row missing for reserved product ${reservation.productId}`);
      row.reserved -= reservation.quantity;
      if (to === 'COMMITTED') row.onHand -= reservation.quantity;
      reservation.status = to;
    }
    const changedAt = new Date();
    for (const productId of new Set(held.map((r) => r.productId))) {
      const row = stock.get(productId)!;
      recordStockChanged(em, { productId, onHand: row.onHand, reserved: row.reserved }, changedAt);
    }
    return held;
  }

  return {
    /**
     * Reserves every line of `orderId` for `ttlMs` milliseconds, or nothing. Duplicate product lines
     * are merged. The stock rows are locked in product-id order, then every line is checked against
     * `onHand - reserved`; one short line (or an unknown product) rejects the whole order with the
     * shortages. Idempotent per order: when the order already has reservations (whatever their
     * status) they are returned unchanged with `replayed: true`. A rejection stores nothing, so a
     * later call for the same order may succeed. Throws (changing nothing) on a malformed order id,
     * no lines, a quantity that is not a positive integer or a non-positive ttl.
     */
    async reserveAll(
      orderId: string,
      lines: readonly ReservationLine[],
      ttlMs: number,
    ): Promise<ReserveResult> {
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
      const productIds = [...wanted.keys()].sort();

      const result = await orm.em.fork().transactional(async (em): Promise<ReserveResult> => {
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
      });
      if (result.reserved && !result.replayed) relay.nudge();
      return result;
    },

    /**
     * The order is paid: its RESERVED reservations become COMMITTED and their units leave the stock
     * on hand (and the reserved count). Idempotent: resolves the reservations it moved, none the
     * second time.
     */
    async commit(orderId: string): Promise<ReservationView[]> {
      if (!isProductId(orderId)) return [];
      const moved = await orm.em
        .fork()
        .transactional(async (em) => (await settle(em, { orderId }, 'COMMITTED')).map(view));
      if (moved.length) relay.nudge();
      return moved;
    },

    /**
     * The order will not be paid (declined, cancelled): its RESERVED reservations become RELEASED
     * and their units are available again. Idempotent: resolves the reservations it moved.
     */
    async release(orderId: string): Promise<ReservationView[]> {
      if (!isProductId(orderId)) return [];
      const moved = await orm.em
        .fork()
        .transactional(async (em) => (await settle(em, { orderId }, 'RELEASED')).map(view));
      if (moved.length) relay.nudge();
      return moved;
    },

    /**
     * Releases RESERVED reservations whose `expiresAt` is at or before `now`, oldest first, at most
     * `limit` (default 500) per call, in one transaction. Resolves the reservations it released;
     * call again while it returns `limit` of them.
     */
    async releaseExpired(
      now: Date = new Date(),
      { limit = 500 }: { limit?: number } = {},
    ): Promise<ReservationView[]> {
      const moved = await orm.em.fork().transactional(async (em) => {
        const due = await em.find(
          StockReservation,
          { status: 'RESERVED', expiresAt: { $lte: now } },
          { fields: ['id'], orderBy: { expiresAt: 'asc', id: 'asc' }, limit },
        );
        if (due.length === 0) return [];
        return (await settle(em, { ids: due.map((r) => r.id) }, 'RELEASED')).map(view);
      });
      if (moved.length) relay.nudge();
      return moved;
    },
  };
}
