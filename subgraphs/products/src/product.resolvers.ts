import { money } from '@shop/platform';
import type {
  MutationCreateProductArgs,
  MutationUpdateProductArgs,
  QueryProductArgs,
  QueryProductsArgs,
} from './__generated__/resolvers-types.js';
import { categoryLoader } from './category.service.js';
import type { Context } from './context.js';
import type { Product } from './product.entity.js';
import { productLoader, type ProductService } from './product.service.js';

/**
 * Product fields. Parents are `Product` entities; `category` goes through the per-request
 * category loader, so N products cost one category query, not N.
 */
export function productResolvers(products: ProductService) {
  return {
    Query: {
      products: (_: unknown, args: QueryProductsArgs, ctx: Context) => products.list(ctx, args),
      product: (_: unknown, args: QueryProductArgs, ctx: Context) => products.find(ctx, args),
    },
    Mutation: {
      createProduct: (_: unknown, { input }: MutationCreateProductArgs, ctx: Context) =>
        products.create(ctx, input),
      updateProduct: (_: unknown, { id, input }: MutationUpdateProductArgs, ctx: Context) =>
        products.update(ctx, id, input),
    },
    Product: {
      __resolveReference: (reference: { id: string }, ctx: Context) => productLoader(ctx).load(reference.id),
      price: (product: Product) => money(product.priceMinor, products.currency),
      category: async (product: Product, _: unknown, ctx: Context) => {
        const category = await categoryLoader(ctx).load(product.category.id);
        if (!category)
          throw new Error(`product ${product.id} references missing category ${product.category.id}`);
        return category;
      },
    },
  };
}
