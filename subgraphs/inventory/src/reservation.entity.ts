import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Where a reservation stands: held, turned into a sale (COMMITTED), given back before the sale
 * (RELEASED: declined, cancelled or expired), or given back after it (RETURNED: the confirmed order was
 * cancelled, its units went back on hand).
 */
export const ReservationStatus = ['RESERVED', 'COMMITTED', 'RELEASED', 'RETURNED'] as const;
export type ReservationStatus = (typeof ReservationStatus)[number];

/**
 * Units of one product held for one order while the order is settled. While RESERVED its quantity
 * counts in `stock.reserved`; COMMITTED takes it off the stock on hand (sold), RELEASED gives it back,
 * RETURNED puts a COMMITTED one back on hand.
 */
export const StockReservation = defineEntity({
  name: 'StockReservation',
  tableName: 'stock_reservation',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    productId: p.uuid(),
    quantity: p.integer(),
    status: p.enum(ReservationStatus),
    /** A RESERVED reservation past this instant is released by `releaseExpired`. */
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ name: 'stock_reservation_order_product_unique', properties: ['orderId', 'productId'] }],
  indexes: [{ name: 'stock_reservation_status_expires_at_index', properties: ['status', 'expiresAt'] }],
  checks: [{ name: 'stock_reservation_quantity_positive', expression: 'quantity > 0' }],
});
export type StockReservation = InferEntity<typeof StockReservation>;

/** What inventory decided for an order of the order flow. */
export const OrderOutcome = ['RESERVED', 'REJECTED', 'CANCELLED'] as const;
export type OrderOutcome = (typeof OrderOutcome)[number];

/**
 * One row per order the order flow has told inventory about, written in the transaction that
 * decided it: RESERVED / REJECTED by `orders.order.placed.v1`, CANCELLED by a cancellation that
 * arrived before the placement. It makes the placement idempotent per ORDER (not only per event id):
 * a second `order.placed` of a decided order (a re-publication with a new event id, or one arriving
 * after its cancellation) holds nothing and publishes nothing.
 */
export const OrderDecision = defineEntity({
  name: 'OrderDecision',
  tableName: 'order_decision',
  properties: {
    orderId: p.uuid().primary(),
    outcome: p.enum(OrderOutcome),
    decidedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OrderDecision = InferEntity<typeof OrderDecision>;
