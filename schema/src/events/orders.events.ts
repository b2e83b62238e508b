import { z } from 'zod';

/** One line of an order with its price as charged. */
export const orderLineV1 = z.object({
  productId: z.guid(),
  quantity: z.number().int().min(1),
  /** Catalog price when the order was placed, in minor units of `currencyCode`. */
  unitPriceMinor: z.number().int().min(0),
});

/**
 * An order was placed (stored PENDING). Keyed by `orderId`. Inventory reserves its lines, the cart
 * removes the ordered products, notifications tell the customer.
 */
export const ORDER_PLACED_V1 = 'orders.order.placed.v1';

export const orderPlacedV1 = z.object({
  orderId: z.guid(),
  customerId: z.guid(),
  items: z.array(orderLineV1).min(1),
  totalMinor: z.number().int().min(0),
  currencyCode: z.string().length(3),
  /** The payment provider's token for this order (sandbox: `tok_...`); payments charges it once. */
  paymentToken: z.string().min(1),
  /** ISO-8601 instant the order was stored. */
  placedAt: z.iso.datetime({ offset: true }),
});
export type OrderPlacedV1 = z.infer<typeof orderPlacedV1>;

/**
 * Why an order was cancelled (the contract's CancellationReason). `EXPIRED`: the order was not
 * settled in time (orders' settlement timeout, or inventory's backstop released its stock).
 */
export const cancellationReason = z.enum([
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'CUSTOMER_CANCELLED',
  'EXPIRED',
]);

/** An order reached CONFIRMED (stock reserved and payment succeeded). Keyed by `orderId`. */
export const ORDER_CONFIRMED_V1 = 'orders.order.confirmed.v1';

export const orderConfirmedV1 = z.object({
  orderId: z.guid(),
  customerId: z.guid(),
  items: z.array(orderLineV1).min(1),
  totalMinor: z.number().int().min(0),
  currencyCode: z.string().length(3),
  confirmedAt: z.iso.datetime({ offset: true }),
});
export type OrderConfirmedV1 = z.infer<typeof orderConfirmedV1>;

/**
 * An order was cancelled. Keyed by `orderId`. Inventory releases its reservation (or, when the
 * placement has not reached it yet, remembers the cancellation so the placement holds nothing);
 * payments refunds a succeeded charge and never charges a payment it has not charged yet. Consumers
 * must not rely on `previousStatus` to decide a refund: after an `EXPIRED` cancellation of a RESERVED
 * order, the payment may have succeeded meanwhile.
 */
export const ORDER_CANCELLED_V1 = 'orders.order.cancelled.v1';

export const orderCancelledV1 = z.object({
  orderId: z.guid(),
  customerId: z.guid(),
  reason: cancellationReason,
  previousStatus: z.enum(['PENDING', 'RESERVED', 'CONFIRMED']),
  cancelledAt: z.iso.datetime({ offset: true }),
});
export type OrderCancelledV1 = z.infer<typeof orderCancelledV1>;

/** Where an order stands (the contract's OrderStatus). */
export const orderStatus = z.enum(['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED']);

/**
 * An order entered a status: recorded in the same transaction as every transition, including its
 * creation (PENDING, `previousStatus` null, `version` 1). Keyed by `orderId`, so one order's changes
 * keep their order. `version` is the order's own version after the change: it grows by exactly one
 * per transition, so a reader joining a snapshot with this stream (`orderStatusChanged`) skips what
 * the snapshot already holds and notices a gap. `cancellationReason` is set exactly when `status` is
 * CANCELLED. A transition into two statuses at once (a payment success reaching a PENDING order)
 * records two events, RESERVED then CONFIRMED. Feeds `orderStatusChanged` live on every orders replica.
 */
export const ORDER_STATUS_CHANGED_V1 = 'orders.order.status-changed.v1';

export const orderStatusChangedV1 = z
  .object({
    orderId: z.guid(),
    customerId: z.guid(),
    status: orderStatus,
    previousStatus: orderStatus.nullable(),
    cancellationReason: cancellationReason.nullable(),
    version: z.number().int().min(1),
    /** ISO-8601 instant of the change (the order's `updatedAt` after it). */
    changedAt: z.iso.datetime({ offset: true }),
  })
  .refine((e) => (e.status === 'CANCELLED') === (e.cancellationReason !== null), {
    message: 'cancellationReason is set exactly when status is CANCELLED',
    path: ['cancellationReason'],
  })
  .refine((e) => (e.version === 1) === (e.previousStatus === null), {
    message: 'previousStatus is null exactly for the first version',
    path: ['previousStatus'],
  });
export type OrderStatusChangedV1 = z.infer<typeof orderStatusChangedV1>;
