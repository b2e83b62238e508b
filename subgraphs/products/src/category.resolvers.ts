import type { Resolvers } from './__generated__/resolvers-types.js';
import { categoryLoader, productCountLoader, type CategoryService } from './category.service.js';

/**
 * Category fields. Parents are `Category` entities (codegen.ts maps Category to the entity).
 * `satisfies` rather than a `Resolvers` return type: app.ts takes `Query`, `Mutation` and
 * `Category` from this map, so they stay present in its type.
 */
export function categoryResolvers(categories: CategoryService) {
  return {
    Query: {
      categories: (_parent, _args, ctx) => categories.list(ctx),
      category: (_parent, args, ctx) => categories.find(ctx, args),
    },
    Mutation: {
      createCategory: (_parent, { input }, ctx) => categories.create(ctx, input),
    },
    Category: {
      __resolveReference: (reference, ctx) => categoryLoader(ctx).load(reference.id),
      productCount: (category, _args, ctx) => productCountLoader(ctx).load(category.id),
    },
  } satisfies Resolvers;
}
