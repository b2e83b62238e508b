import { z } from 'zod';

/**
 * A product's stock on hand or reserved quantity changed. Keyed by `productId`; carries the complete
 * new numbers, so a consumer only needs the latest one.
 */
export const STOCK_CHANGED_V1 = 'inventory.stock.changed.v1';

export const stockChangedV1 = z.object({
  productId: z.guid(),
  onHand: z.number().int().min(0),
  reserved: z.number().int().min(0),
  /** `onHand - reserved`, never negative; `available > 0` is `Product.inStock`. */
  available: z.number().int().min(0),
  /** ISO-8601 instant of the change; orders one product's events. */
  changedAt: z.iso.datetime({ offset: true }),
});
export type StockChangedV1 = z.infer<typeof stockChangedV1>;

/** Every line of an order is reserved (all or none). Keyed by `orderId`. Payments charges next. */
export const STOCK_RESERVED_V1 = 'inventory.stock.reserved.v1';

export const stockReservedV1 = z.object({
  orderId: z.guid(),
  items: z.array(z.object({ productId: z.guid(), quantity: z.number().int().min(1) })).min(1),
  /** When an unsettled reservation is released on its own. */
  expiresAt: z.iso.datetime({ offset: true }),
  reservedAt: z.iso.datetime({ offset: true }),
});
export type StockReservedV1 = z.infer<typeof stockReservedV1>;

/** An order could not be reserved; nothing was held. Keyed by `orderId`. The order is cancelled OUT_OF_STOCK. */
export const STOCK_REJECTED_V1 = 'inventory.stock.rejected.v1';

export const stockRejectedV1 = z.object({
  orderId: z.guid(),
  /** The lines that could not be served (unknown products have `available` 0). */
  shortages: z
    .array(
      z.object({
        productId: z.guid(),
        requested: z.number().int().min(1),
        available: z.number().int().min(0),
      }),
    )
    .min(1),
  rejectedAt: z.iso.datetime({ offset: true }),
});
export type StockRejectedV1 = z.infer<typeof stockRejectedV1>;

/** Why inventory released a reservation on its own. */
export const stockReleaseReason = z.enum(['EXPIRED']);

/**
 * Inventory released an order's reservation on its own (not because orders or payments told it to):
 * `EXPIRED` is the backstop sweeper giving back units held past `expiresAt` (`RESERVATION_TTL_SECONDS`,
 * much longer than orders' own settlement timeout, so orders normally cancels first). Keyed by
 * `orderId`. Every line of the order is released in the transaction that records this event, and
 * the reservation can never be committed afterwards, so orders cancels the order (`EXPIRED`)
 * whatever its status short of CANCELLED; a payment already taken is then refunded.
 */
export const STOCK_RELEASED_V1 = 'inventory.stock.released.v1';

export const stockReleasedV1 = z.object({
  orderId: z.guid(),
  reason: stockReleaseReason,
  /** The lines given back (the whole order). */
  items: z.array(z.object({ productId: z.guid(), quantity: z.number().int().min(1) })).min(1),
  releasedAt: z.iso.datetime({ offset: true }),
});
export type StockReleasedV1 = z.infer<typeof stockReleasedV1>;
