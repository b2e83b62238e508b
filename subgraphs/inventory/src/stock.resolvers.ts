import { entityLoader, requireRole } from '@shop/platform';
import type { Product, Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { availableOf, emptyLevel, type StockLevel } from './stock.entity.js';
import { findStockLevels, isProductId, normalizeProductId, type StockService } from './stock.service.js';

/** Inventory's fields of Product, from a stock level (a product with no row has zeros). */
const toProduct = (id: string, level: StockLevel): Product => {
  const availableQuantity = availableOf(level);
  return { id, availableQuantity, inStock: availableQuantity > 0 };
};

/** Per request: all the stock rows `_entities` asks for in one tick come from ONE select. */
const stockLevels = entityLoader<Context, string, StockLevel>(
  (ctx, ids) => findStockLevels(ctx.em, ids),
  (level) => level.productId,
);

export function stockResolvers(stock: StockService): Resolvers {
  return {
    Product: {
      async __resolveReference(reference, ctx) {
        // A malformed id names no product: zeros, without a query (the loader would skip it anyway).
        const key = isProductId(reference.id) ? normalizeProductId(reference.id) : reference.id;
        const level = await stockLevels(ctx).load(key);
        return toProduct(reference.id, level ?? emptyLevel(key));
      },
    },
    Mutation: {
      async adjustStock(_parent, { productId, delta }, ctx) {
        requireRole(ctx.viewer, 'ADMIN');
        const level = await stock.adjust(ctx.em, productId, delta, { requestId: ctx.requestId });
        return toProduct(level.productId, level);
      },
    },
  };
}
