import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Category } from './category.entity.js';

/**
 * The full-text document of a product, computed by Postgres (a stored generated column) so the
 * index can never drift from the row. Punctuation becomes a space before parsing so that
 * `ELEC-0012`, `USB-C` or `3.5mm` split into the same words the search box sends; the SKU is
 * also indexed with its punctuation removed (`elec0012`), so it matches as one token too.
 * Name and SKU weigh A, description B: a name match ranks above a description-only match.
 */
export const PRODUCT_SEARCH_DOCUMENT = [
  `setweight(to_tsvector('simple'::regconfig, regexp_replace("name", '[[:punct:]]+', ' ', 'g')), 'A')`,
  `setweight(to_tsvector('simple'::regconfig, regexp_replace("sku", '[[:punct:]]+', ' ', 'g') || ' ' || regexp_replace("sku", '[[:punct:]]+', '', 'g')), 'A')`,
  `setweight(to_tsvector('simple'::regconfig, regexp_replace(coalesce("description", ''), '[[:punct:]]+', ' ', 'g')), 'B')`,
].join(' || ');

/**
 * A product of the catalog. Prices are integers of the store currency's minor units. `inStock` is
 * not the truth (inventory owns stock): it is a projection kept from `inventory.stock.changed.v1`
 * so that listings can filter on it; `stockChangedAt` orders those events.
 */
export const Product = defineEntity({
  name: 'Product',
  tableName: 'product',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    /** As entered (trimmed); unique case-insensitively through the `product_sku_lower_unique` index. */
    sku: p.string().length(64),
    /** Derived from the name at creation and kept stable afterwards; unique. */
    slug: p.string().length(200).unique(),
    name: p.string().length(200),
    description: p.text().nullable(),
    priceMinor: p.integer().check('price_minor > 0'),
    category: () => p.manyToOne(Category).index(),
    inStock: p.boolean().default(false),
    /** `changedAt` of the newest stock event applied; older events are ignored. */
    stockChangedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
    /** Written by Postgres only (generated column); never loaded with the entity. */
    searchVector: p
      .type('tsvector')
      .generated(`(${PRODUCT_SEARCH_DOCUMENT}) stored`)
      .lazy()
      .hidden()
      .nullable()
      .ignoreSchemaChanges('type', 'extra'),
  },
  uniques: [
    {
      name: 'product_sku_lower_unique',
      expression: 'create unique index "product_sku_lower_unique" on "product" (lower("sku"))',
    },
  ],
  indexes: [
    { name: 'product_search_vector_index', properties: ['searchVector'], type: 'fulltext' },
    // Keyset pagination: one index per sort order, each ending with the id tie-breaker.
    { name: 'product_created_at_id_index', properties: ['createdAt', 'id'] },
    { name: 'product_price_minor_id_index', properties: ['priceMinor', 'id'] },
    {
      name: 'product_name_lower_id_index',
      expression: 'create index "product_name_lower_id_index" on "product" (lower("name"), "id")',
    },
  ],
});
export type Product = InferEntity<typeof Product>;
