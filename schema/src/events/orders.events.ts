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
  /** ISO-8601 instant the order was stored. */
  placedAt: z.iso.datetime({ offset: true }),
});
export type OrderPlacedV1 = z.infer<typeof orderPlacedV1>;
