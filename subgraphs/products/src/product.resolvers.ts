import { money } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { categoryLoader } from './category.service.js';
import { productLoader, type ProductService } from './product.service.js';

/**
 * Product fields. Parents are `Product` entities (codegen.ts maps Product to the entity); `category`
 * goes through the per-request category loader, so N products cost one category query, not N.
 * `satisfies` rather than a `Resolvers` return type: app.ts takes `Query`, `Mutation` and `Product`
 * from this map, so they stay present in its type.
 */
export function productResolvers(products: ProductService) {
  return {
    Query: {
      products: (_parent, args, ctx) => products.list(ctx, args),
      product: (_parent, args, ctx) => products.find(ctx, args),
    },
    Mutation: {
      createProduct: (_parent, { input }, ctx) => products.create(ctx, input),
      updateProduct: (_parent, { id, input }, ctx) => products.update(ctx, id, input),
    },
    Product: {
      __resolveReference: (reference, ctx) => productLoader(ctx).load(reference.id),
      price: (product) => money(product.priceMinor, products.currency),
      category: async (product, _args, ctx) => {
        const category = await categoryLoader(ctx).load(product.category.id);
        if (!category)
          throw new Error(`product ${product.id} references missing category ${product.category.id}`);
        return category;
      },
    },
  } satisfies Resolvers;
}
