import { DecimalScalar, requireViewer } from '@shop/platform';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { CartService, Caller } from './cart.service.js';
import type { Context } from './context.js';

/** The signed-in caller (UNAUTHENTICATED when anonymous) and what products must hear from them. */
function callerOf(ctx: Context): Caller {
  const viewer = requireViewer(ctx.viewer);
  return {
    customerId: viewer.id,
    headers: {
      'x-request-id': ctx.requestId,
      ...(ctx.authorization ? { authorization: ctx.authorization } : {}),
    },
  };
}

/**
 * `cart` and the cart mutations. Every root field checks the caller first; Cart, CartItem and Money
 * are plain values the service returns (lines priced once per cart).
 */
export function cartResolvers(carts: CartService): Resolvers {
  return {
    Decimal: DecimalScalar,
    Query: {
      cart: (_parent, _args, ctx) => carts.get(callerOf(ctx)),
    },
    Mutation: {
      addToCart: (_parent, { productId, quantity }, ctx) => carts.add(callerOf(ctx), productId, quantity),
      updateCartItem: (_parent, { productId, quantity }, ctx) =>
        carts.update(callerOf(ctx), productId, quantity),
      removeFromCart: (_parent, { productId }, ctx) => carts.remove(callerOf(ctx), productId),
      clearCart: (_parent, _args, ctx) => carts.clear(callerOf(ctx)),
    },
  };
}
