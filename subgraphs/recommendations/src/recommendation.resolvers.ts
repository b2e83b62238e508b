import { badUserInput, perRequest, requireOwnerOrAdmin } from '@shop/platform';
import DataLoader from 'dataloader';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import type { RecommendationRequest, RecommendationService } from './recommendation.service.js';

/** `first` of both fields: 1 to 20. */
const MAX_FIRST = 20;
const checkFirst = (first: number) => {
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST)
    throw badUserInput(`first must be 1 to ${MAX_FIRST}`, 'first');
};

/** A Product reference (`{ id }`): the router resolves its name, price and the rest from products. */
const productRef = (id: string) => ({ id });

/**
 * Recommendations' GraphQL resolvers: thin, over the statistics service. `Product.recommendations`
 * for every product of a request goes through one DataLoader keyed by (productId, first), so a page
 * of N products costs one SQL query, not N.
 */
export function recommendationResolvers(stats: RecommendationService): Resolvers {
  const recommendationsOf = perRequest(
    (ctx: Context) =>
      new DataLoader<RecommendationRequest, string[], string>(
        async (requests) => {
          const byProduct = await stats.forProducts(ctx.em, requests);
          return requests.map((r) => (byProduct.get(r.productId.toLowerCase()) ?? []).slice(0, r.first));
        },
        { cacheKeyFn: (r) => `${r.productId.toLowerCase()}:${r.first}` },
      ),
  );

  return {
    Product: {
      __resolveReference: (reference) => productRef(reference.id),
      async recommendations(product, { first }, ctx) {
        checkFirst(first);
        const ids = await recommendationsOf(ctx).load({ productId: product.id, first });
        return ids.map(productRef);
      },
    },
    User: {
      // No data of our own to look up: the viewer check is on the field, where the data is.
      __resolveReference: (reference) => ({ id: reference.id }),
      async recommendedProducts(user, { first }, ctx) {
        requireOwnerOrAdmin(ctx.viewer, user.id);
        checkFirst(first);
        return (await stats.forCustomer(ctx.em, user.id, first)).map(productRef);
      },
    },
  };
}
