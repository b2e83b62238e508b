import { z } from 'zod';

/** Published when `createProduct` commits. Keyed by `productId`. */
export const PRODUCT_CREATED_V1 = 'products.product.created.v1';
/** Published when `updateProduct` commits a change. Keyed by `productId`. */
export const PRODUCT_UPDATED_V1 = 'products.product.updated.v1';

/** The payload of both product topics: the product's catalog data after the change. */
export const productChangedV1 = z.object({
  productId: z.guid(),
  sku: z.string(),
  name: z.string(),
  slug: z.string(),
  /** Unit price in minor units of `currencyCode` (an integer, never a float). */
  priceMinor: z.number().int().positive(),
  currencyCode: z.string().length(3),
  categoryId: z.guid(),
  /** ISO-8601 instant of the change; orders one product's events. */
  occurredAt: z.iso.datetime({ offset: true }),
});
export type ProductChangedV1 = z.infer<typeof productChangedV1>;
