import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { CANCELLATION_REASONS, ORDER_STATUSES } from './order-state.js';

/**
 * A customer's order: its status (moved only through `order-state.ts`), its total, the shipping
 * address as given, and what makes `placeOrder` idempotent: one row per (customer, idempotency key),
 * enforced by Postgres, with the request's fingerprint to tell a replay from a reuse.
 */
export const Order = defineEntity({
  name: 'Order',
  tableName: 'customer_order',
  properties: {
    id: p.uuid().primary(),
    customerId: p.uuid(),
    idempotencyKey: p.string().length(100),
    /** sha256 of the normalized request (items, address, token): same key + same fingerprint = replay. */
    requestFingerprint: p.string().length(64),
    status: p.enum(ORDER_STATUSES),
    cancellationReason: p.enum(CANCELLATION_REASONS).nullable(),
    /** Sum of the lines, in minor units of `currencyCode`. */
    totalMinor: p.integer(),
    currencyCode: p.string().length(3),
    /** The provider token, kept for the placed event (payments charges it). */
    paymentToken: p.string().length(200),
    line1: p.string().length(200),
    line2: p.string().length(200).nullable(),
    city: p.string().length(100),
    postalCode: p.string().length(20),
    country: p.string().length(2),
    /** Incremented by every status transition. */
    version: p.integer().default(1),
    createdAt: p.datetime(6),
    updatedAt: p.datetime(6),
  },
  uniques: [
    { name: 'customer_order_customer_idempotency_key_unique', properties: ['customerId', 'idempotencyKey'] },
  ],
  indexes: [
    // Keyset listing of one customer's orders, newest first.
    { name: 'customer_order_customer_created_index', properties: ['customerId', 'createdAt', 'id'] },
    // The settlement sweeper: unsettled (PENDING/RESERVED) orders placed before the cutoff, oldest first.
    { name: 'customer_order_status_created_index', properties: ['status', 'createdAt'] },
  ],
  checks: [{ name: 'customer_order_total_non_negative', expression: 'total_minor >= 0' }],
});
export type Order = InferEntity<typeof Order>;

/** One line of an order with the catalog price it was placed at. */
export const OrderLine = defineEntity({
  name: 'OrderLine',
  tableName: 'order_line',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid().index(),
    /** The line's place in the order (0-based), as the client gave the lines. */
    position: p.integer(),
    productId: p.uuid(),
    quantity: p.integer(),
    unitPriceMinor: p.integer(),
    currencyCode: p.string().length(3),
  },
  uniques: [{ name: 'order_line_order_product_unique', properties: ['orderId', 'productId'] }],
  // Written as Postgres prints it back (it rewrites `between`), so schema diffs see no change.
  checks: [{ name: 'order_line_quantity_range', expression: '(quantity >= 1) AND (quantity <= 100)' }],
});
export type OrderLine = InferEntity<typeof OrderLine>;

/** One status an order entered, and when (the order's `statusHistory`). */
export const OrderStatusChange = defineEntity({
  name: 'OrderStatusChange',
  tableName: 'order_status_change',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid().index(),
    status: p.enum(ORDER_STATUSES),
    at: p.datetime(6),
    /** The order's version this change produced (1 for PENDING): orders the history. */
    version: p.integer(),
  },
  uniques: [{ name: 'order_status_change_order_version_unique', properties: ['orderId', 'version'] }],
});
export type OrderStatusChange = InferEntity<typeof OrderStatusChange>;

/**
 * Orders' projection of the catalog's prices, fed by `products.product.created.v1`/`updated.v1`
 * (newer-only by occurredAt) and, on a miss, by the products subgraph's `_entities`.
 */
export const ProductPrice = defineEntity({
  name: 'ProductPrice',
  tableName: 'product_price',
  properties: {
    productId: p.uuid().primary(),
    priceMinor: p.integer(),
    currencyCode: p.string().length(3),
    /** When the catalog last changed the product (the event's occurredAt or the product's updatedAt). */
    changedAt: p.datetime(6),
  },
});
export type ProductPrice = InferEntity<typeof ProductPrice>;
