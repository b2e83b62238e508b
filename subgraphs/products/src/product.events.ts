import { z } from 'zod';

/**
 * Event contracts of the products subgraph (to move to `schema/` with the others). Topics are
 * `<producer>.<entity>.<event>.v<N>`; payloads only ever gain fields.
 */

/** Published when `createProduct` commits; keyed by `productId`. */
export const PRODUCT_CREATED = 'products.product.created.v1';
/** Published when `updateProduct` commits a change; keyed by `productId`. */
export const PRODUCT_UPDATED = 'products.product.updated.v1';

/** The payload of both product topics: the product's catalog data as it is after the change. */
export const productChangedPayload = z.object({
  productId: z.uuid(),
  sku: z.string(),
  name: z.string(),
  slug: z.string(),
  /** Unit price in minor units of `currencyCode` (an integer). */
  priceMinor: z.number().int().positive(),
  currencyCode: z.string().length(3),
  categoryId: z.uuid(),
  /** ISO-8601 instant of the change. */
  occurredAt: z.iso.datetime({ offset: true }),
});
export type ProductChangedPayload = z.infer<typeof productChangedPayload>;
export const productCreatedPayload = productChangedPayload;
export type ProductCreatedPayload = ProductChangedPayload;
export const productUpdatedPayload = productChangedPayload;
export type ProductUpdatedPayload = ProductChangedPayload;

/**
 * Consumed: published by inventory whenever a product's stock changes; keyed by `productId`.
 * Products keeps only `available > 0` of it (the `in_stock` projection behind `filter.inStock`).
 * This is inventory's contract, copied here until event contracts live in `schema/`.
 */
export const STOCK_CHANGED = 'inventory.stock.changed.v1';

export const stockChangedPayload = z.object({
  /** A UUID of any version (the id this subgraph gave the product). */
  productId: z.guid(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  /** ISO-8601 instant of the change; orders the events of one product. */
  changedAt: z.iso.datetime({ offset: true }),
});
export type StockChangedPayload = z.infer<typeof stockChangedPayload>;
