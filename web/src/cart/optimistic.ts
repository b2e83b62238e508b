import type { CartLinesFragment } from '../__generated__/graphql';

/** Money times a quantity, as the server computes a line total (two decimals). */
const times = (money: { amount: string; currencyCode: string }, quantity: number) => ({
  ...money,
  amount: (Math.round(Number(money.amount) * 100 * quantity) / 100).toFixed(2),
});

/**
 * The cart the server will answer once `productId`'s quantity is `quantity` (0 removes the line): the
 * optimistic response of a quantity change, so the cart updates before the round trip.
 */
export function withQuantity(
  cart: CartLinesFragment,
  productId: string,
  quantity: number,
): CartLinesFragment {
  const items = cart.items
    .map((item) =>
      item.product.id === productId
        ? { ...item, quantity, lineTotal: times(item.product.price, quantity) }
        : item,
    )
    .filter((item) => item.quantity > 0);
  const cents = items.reduce((sum, item) => sum + Math.round(Number(item.lineTotal.amount) * 100), 0);
  return {
    ...cart,
    items,
    totalQuantity: items.reduce((sum, item) => sum + item.quantity, 0),
    subtotal: { ...cart.subtotal, amount: (cents / 100).toFixed(2) },
  };
}

/**
 * The cart once an order of `productIds` has been placed: the server removes the ordered products'
 * lines when it handles the order's event, a moment after `placeOrder` answered, so the storefront
 * shows that cart at once instead of the one it had before checkout.
 */
export function withoutProducts(cart: CartLinesFragment, productIds: readonly string[]): CartLinesFragment {
  return productIds.reduce((next, productId) => withQuantity(next, productId, 0), cart);
}
