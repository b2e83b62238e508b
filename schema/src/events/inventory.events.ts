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
