import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * How many confirmed orders contained both `productId` and `otherId`. Stored in both directions (a
 * pair of an order writes (a, b) and (b, a)) so "bought together with X" is one primary-key range scan.
 * Written only with `insert ... on conflict do update set order_count = order_count + excluded...`.
 */
export const CoPurchase = defineEntity({
  name: 'CoPurchase',
  tableName: 'co_purchase',
  properties: {
    productId: p.uuid().primary(),
    otherId: p.uuid().primary(),
    /** Confirmed (and not since cancelled) orders holding both products. */
    orderCount: p.integer().default(0),
  },
  primaryKeys: ['productId', 'otherId'],
});
export type CoPurchase = InferEntity<typeof CoPurchase>;

/** Units of a product sold in confirmed (and not since cancelled) orders: the best-seller ranking. */
export const ProductSales = defineEntity({
  name: 'ProductSales',
  tableName: 'product_sales',
  properties: {
    productId: p.uuid().primary(),
    unitsSold: p.integer().default(0),
  },
});
export type ProductSales = InferEntity<typeof ProductSales>;

/**
 * The projection of each product's category, fed by `products.product.created.v1`/`updated.v1`
 * (newer `changedAt` wins, so a late older event never overwrites a newer category).
 */
export const ProductCategory = defineEntity({
  name: 'ProductCategory',
  tableName: 'product_category',
  properties: {
    productId: p.uuid().primary(),
    categoryId: p.uuid().index('product_category_category_id_index'),
    /** `occurredAt` of the event that set this row. */
    changedAt: p.datetime(),
  },
});
export type ProductCategory = InferEntity<typeof ProductCategory>;

/** What a customer bought in confirmed (and not since cancelled) orders. */
export const CustomerPurchase = defineEntity({
  name: 'CustomerPurchase',
  tableName: 'customer_purchase',
  properties: {
    customerId: p.uuid().primary(),
    productId: p.uuid().primary(),
    unitsBought: p.integer().default(0),
  },
  primaryKeys: ['customerId', 'productId'],
});
export type CustomerPurchase = InferEntity<typeof CustomerPurchase>;

/** One order line as counted: the product and its units. */
export interface CountedLine {
  productId: string;
  quantity: number;
}

/**
 * Every order the statistics have heard of: a confirmed order's lines as they were counted (so its
 * cancellation can take exactly them back out), or a tombstone (`cancelled`, no lines) when the
 * cancellation of a confirmed order arrived before its confirmation (different topics are not
 * ordered against each other), so that the late confirmation is not counted.
 */
export const CountedOrder = defineEntity({
  name: 'CountedOrder',
  tableName: 'counted_order',
  properties: {
    orderId: p.uuid().primary(),
    customerId: p.uuid(),
    lines: p.json<CountedLine[]>(),
    cancelled: p.boolean().default(false),
  },
});
export type CountedOrder = InferEntity<typeof CountedOrder>;
