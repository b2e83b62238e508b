import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Where a reservation stands: held, turned into a sale, or given back. */
export const ReservationStatus = ['RESERVED', 'COMMITTED', 'RELEASED'] as const;
export type ReservationStatus = (typeof ReservationStatus)[number];

/**
 * Units of one product held for one order while the order is settled. While RESERVED its quantity
 * counts in `stock.reserved`; COMMITTED takes it off the stock on hand (sold), RELEASED gives it back.
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
