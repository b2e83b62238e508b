import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent, type Ref } from 'react';
import { CheckoutDocument, StorefrontCartDocument } from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { formatMoney } from '../app/money';
import { Link, navigate } from '../app/router';
import { withoutProducts } from '../cart/optimistic';

/** A fresh idempotency key per checkout attempt: a retried submit places the order once. */
const newKey = () => crypto.randomUUID();

/** Shipping address and payment token for the cart's items; places the order and opens its page. */
export function CheckoutPage({ headingRef }: { headingRef: Ref<HTMLHeadingElement> }) {
  const { data, loading } = useQuery(StorefrontCartDocument);
  const client = useApolloClient();
  const [placeOrder, placing] = useMutation(CheckoutDocument);
  const [key] = useState(newKey);
  const [error, setError] = useState<string>();
  const cart = data?.cart;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!cart) return;
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    setError(undefined);
    try {
      const result = await placeOrder({
        variables: {
          input: {
            idempotencyKey: key,
            items: cart.items.map((item) => ({ productId: item.product.id, quantity: item.quantity })),
            paymentToken: field('paymentToken'),
            shippingAddress: {
              line1: field('line1'),
              city: field('city'),
              postalCode: field('postalCode'),
              country: field('country').toUpperCase(),
            },
          },
        },
      });
      const order = result.data?.placeOrder;
      if (order) {
        // The ordered lines leave the cart, as the server's cart does once it handled the order.
        const ordered = cart.items.map((item) => item.product.id);
        client.cache.updateQuery({ query: StorefrontCartDocument }, (cached) =>
          cached ? { ...cached, cart: withoutProducts(cached.cart, ordered) } : cached,
        );
        navigate(`/orders/${encodeURIComponent(order.id)}`);
      }
    } catch (caught) {
      setError(shopperMessage(caught));
    }
  };

  return (
    <section aria-labelledby="checkout-heading" className="narrow">
      <h1 id="checkout-heading" ref={headingRef} tabIndex={-1}>
        Checkout
      </h1>
      {loading && !cart && <p role="status">Loading your cart…</p>}
      {cart && cart.items.length === 0 && (
        <p className="empty">
          Your cart is empty. <Link href="/">Browse the catalog</Link>
        </p>
      )}
      {cart && cart.items.length > 0 && (
        <form onSubmit={submit} className="stack-form">
          <p>
            {cart.totalQuantity} {cart.totalQuantity === 1 ? 'item' : 'items'}, {formatMoney(cart.subtotal)}
          </p>
          <fieldset>
            <legend>Shipping address</legend>
            <label>
              Street and number
              <input name="line1" autoComplete="address-line1" required maxLength={200} />
            </label>
            <label>
              City
              <input name="city" autoComplete="address-level2" required />
            </label>
            <label>
              Postal code
              <input name="postalCode" autoComplete="postal-code" required />
            </label>
            <label>
              Country code
              <input
                name="country"
                autoComplete="country"
                required
                pattern="[A-Za-z]{2}"
                title="Two letters, e.g. US"
                defaultValue="US"
              />
            </label>
          </fieldset>
          <fieldset>
            <legend>Payment</legend>
            <label>
              Card token
              <input name="paymentToken" required defaultValue="tok_visa" aria-describedby="token-help" />
            </label>
            <p id="token-help" className="muted">
              The sandbox provider&apos;s token for your card (tok_chargeDeclined is declined).
            </p>
          </fieldset>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <button type="submit" disabled={placing.loading}>
            {placing.loading ? 'Placing your order…' : 'Place order'}
          </button>
        </form>
      )}
    </section>
  );
}
