import { z } from 'zod';

/**
 * The products subgraph's events inventory consumes (their producer owns the contract; this copy
 * validates what inventory relies on until the contracts move to `schema/`).
 */

/** A product was created: inventory starts its stock at zero. Keyed by productId. */
export const PRODUCT_CREATED_V1 = 'products.product.created.v1';

export const productCreatedV1 = z.object({
  /** A UUID (any version): inventory keys its stock rows by it, so anything else is refused. */
  productId: z.guid(),
  sku: z.string(),
  name: z.string(),
  slug: z.string(),
  priceMinor: z.number(),
  currencyCode: z.string(),
  categoryId: z.string(),
  occurredAt: z.string(),
});
export type ProductCreatedV1 = z.infer<typeof productCreatedV1>;
