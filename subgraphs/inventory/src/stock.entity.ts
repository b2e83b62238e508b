import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The stock of one product. A row exists for every product inventory knows of (learned from
 * `products.product.created.v1` or from the products subgraph on a miss), so this table is also
 * inventory's projection of the catalog. `onHand - reserved` is what can be sold.
 */
export const Stock = defineEntity({
  name: 'Stock',
  tableName: 'stock',
  properties: {
    /** The products subgraph's id for the product. */
    productId: p.uuid().primary(),
    /** Units physically in stock. */
    onHand: p.integer().default(0),
    /** Units promised to orders being settled (reservations in status RESERVED). */
    reserved: p.integer().default(0),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  // The invariant every writer relies on, enforced by Postgres itself so that no code path (or a
  // race between two) can oversell: available = on_hand - reserved is never negative.
  checks: [{ name: 'stock_on_hand_covers_reserved', expression: 'on_hand >= reserved and reserved >= 0' }],
});
export type Stock = InferEntity<typeof Stock>;

/** What callers see of a product's stock (the numbers of a row, or zeros when there is none). */
export interface StockLevel {
  productId: string;
  onHand: number;
  reserved: number;
}

/** Units that can be sold: on hand less reserved, never negative. */
export const availableOf = (level: StockLevel): number => Math.max(0, level.onHand - level.reserved);

/** The level of a product inventory has no row for: nothing on hand, nothing reserved. */
export const emptyLevel = (productId: string): StockLevel => ({ productId, onHand: 0, reserved: 0 });
