import { useMutation, useQuery } from '@apollo/client/react';
import type { Ref } from 'react';
import {
  ChangeCartQuantityDocument,
  RemoveCartLineDocument,
  StorefrontCartDocument,
  type CartLinesFragment,
} from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { formatMoney } from '../app/money';
import { Link } from '../app/router';
import { withQuantity } from './optimistic';

export const MAX_QUANTITY = 100;

/** The cart: each line with its quantity (changed optimistically), the subtotal, and checkout. */
export function CartPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { data, loading, error } = useQuery(StorefrontCartDocument);
  const [change, changing] = useMutation(ChangeCartQuantityDocument);
  const [remove, removing] = useMutation(RemoveCartLineDocument);
  const cart = data?.cart;
  const mutationError = changing.error ?? removing.error;

  const setQuantity = (current: CartLinesFragment, productId: string, quantity: number) => {
    const optimistic = withQuantity(current, productId, quantity);
    if (quantity <= 0)
      void remove({ variables: { productId }, optimisticResponse: { removeFromCart: optimistic } });
    else
      void change({
        variables: { productId, quantity },
        optimisticResponse: { updateCartItem: optimistic },
      });
  };

  return (
    <section aria-labelledby="cart-heading">
      <h1 id="cart-heading" ref={headingRef} tabIndex={-1}>
        Your cart
      </h1>
      {loading && !cart && <p role="status">Loading your cart…</p>}
      {error && (
        <p role="alert" className="error">
          {shopperMessage(error)}
        </p>
      )}
      {mutationError && (
        <p role="alert" className="error">
          {shopperMessage(mutationError)}
        </p>
      )}
      {cart && cart.items.length === 0 && (
        <p className="empty">
          Your cart is empty. <Link href="/">Browse the catalog</Link>
        </p>
      )}
      {cart && cart.items.length > 0 && (
        <>
          <ul className="lines" aria-label="Cart items">
            {cart.items.map((item) => (
              <li key={item.product.id} className="line">
                <Link href={`/products/${encodeURIComponent(item.product.id)}`}>{item.product.name}</Link>
                <span className="muted">{formatMoney(item.product.price)} each</span>
                <span className="quantity" role="group" aria-label={`Quantity of ${item.product.name}`}>
                  <button
                    type="button"
                    aria-label={`One less ${item.product.name}`}
                    onClick={() => setQuantity(cart, item.product.id, item.quantity - 1)}
                  >
                    −
                  </button>
                  <output aria-live="polite">{item.quantity}</output>
                  <button
                    type="button"
                    aria-label={`One more ${item.product.name}`}
                    disabled={item.quantity >= MAX_QUANTITY}
                    onClick={() => setQuantity(cart, item.product.id, item.quantity + 1)}
                  >
                    +
                  </button>
                </span>
                <span className="price">{formatMoney(item.lineTotal)}</span>
                <button type="button" onClick={() => setQuantity(cart, item.product.id, 0)}>
                  Remove <span className="visually-hidden">{item.product.name}</span>
                </button>
              </li>
            ))}
          </ul>
          <p className="total">
            Subtotal ({cart.totalQuantity} {cart.totalQuantity === 1 ? 'item' : 'items'}):{' '}
            <strong>{formatMoney(cart.subtotal)}</strong>
          </p>
          <Link href="/checkout" className="button">
            Check out
          </Link>
        </>
      )}
    </section>
  );
}
