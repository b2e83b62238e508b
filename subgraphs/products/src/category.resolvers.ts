import type { MutationCreateCategoryArgs, QueryCategoryArgs } from './__generated__/resolvers-types.js';
import type { Category } from './category.entity.js';
import { categoryLoader, productCountLoader, type CategoryService } from './category.service.js';
import type { Context } from './context.js';

/**
 * Category fields. Parents are `Category` entities; argument types come from the generated
 * resolver types (see README, "Typed resolvers", for why parents are not generated too).
 */
export function categoryResolvers(categories: CategoryService) {
  return {
    Query: {
      categories: (_: unknown, __: unknown, ctx: Context) => categories.list(ctx),
      category: (_: unknown, args: QueryCategoryArgs, ctx: Context) => categories.find(ctx, args),
    },
    Mutation: {
      createCategory: (_: unknown, { input }: MutationCreateCategoryArgs, ctx: Context) =>
        categories.create(ctx, input),
    },
    Category: {
      __resolveReference: (reference: { id: string }, ctx: Context) => categoryLoader(ctx).load(reference.id),
      productCount: (category: Category, _: unknown, ctx: Context) =>
        productCountLoader(ctx).load(category.id),
    },
  };
}
