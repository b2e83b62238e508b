import { z } from 'zod';

/**
 * Published (through the outbox, in the transaction of the change) every time a product's stock on
 * hand or reserved quantity changes. Keyed by productId, so one product's changes stay in order;
 * each carries the complete new numbers, so a consumer only needs the latest one.
 */
export const STOCK_CHANGED_V1 = 'inventory.stock.changed.v1';

export const stockChangedV1 = z.object({
  productId: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  /** `onHand - reserved`, never negative; `available > 0` is `Product.inStock`. */
  available: z.number().int().min(0),
  /** ISO-8601 instant of the change. */
  changedAt: z.string(),
});
export type StockChangedV1 = z.infer<typeof stockChangedV1>;
