import { useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, type Ref } from 'react';
import { StorefrontOrderDocument, TrackOrderDocument } from '../__generated__/graphql';
import { shopperMessage } from '../app/errors';
import { formatMoney } from '../app/money';
import { describeStatus, FINAL_STATUSES } from './order-status';

/**
 * One order, followed live: `orderStatusChanged` updates the cached Order until it reaches a final
 * status. The order is read again once the subscription is running, for a change that happened between
 * the first read and the subscription's start.
 */
export function OrderPage({ id, headingRef }: { id: string; headingRef: Ref<HTMLHeadingElement> }) {
  const { data, loading, error, refetch } = useQuery(StorefrontOrderDocument, { variables: { id } });
  const order = data?.order;
  const final = order ? FINAL_STATUSES.includes(order.status) : false;
  const live = useSubscription(TrackOrderDocument, { variables: { orderId: id }, skip: !order || final });
  useEffect(() => {
    if (!order || final) return;
    const timer = setTimeout(() => void refetch(), 1_000);
    return () => clearTimeout(timer);
    // Once per order: the subscription carries every later change.
  }, [id, Boolean(order)]);

  if (loading && !order) return <p role="status">Loading your order…</p>;
  if (error)
    return (
      <p role="alert" className="error">
        {shopperMessage(error)}
      </p>
    );
  if (!order)
    return (
      <h1 ref={headingRef} tabIndex={-1}>
        Order not found
      </h1>
    );
  const declined = order.cancellationReason === 'PAYMENT_DECLINED';
  return (
    <section aria-labelledby="order-heading">
      <h1 id="order-heading" ref={headingRef} tabIndex={-1}>
        {/* The reference the order's notifications and emails give it. */}
        Order {order.id.slice(0, 8).toUpperCase()}
      </h1>
      <p role="status" aria-live="polite" className={declined ? 'error' : 'status'}>
        <strong>{order.status}</strong> {describeStatus(order.status, order.cancellationReason)}
      </p>
      {!final && (
        <p className="muted">
          {live.error ? 'Live updates paused; reload to see changes.' : 'Updating live…'}
        </p>
      )}
      <ul className="lines" aria-label="Order items">
        {order.items.map((item) => (
          <li key={item.product.id} className="line">
            <span>{item.product.name}</span>
            <span>× {item.quantity}</span>
            <span className="price">{formatMoney(item.unitPrice)}</span>
          </li>
        ))}
      </ul>
      <p className="total">
        Total: <strong>{formatMoney(order.total)}</strong>
      </p>
      <p className="muted">
        Shipping to {order.shippingAddress.line1}, {order.shippingAddress.postalCode}{' '}
        {order.shippingAddress.city}, {order.shippingAddress.country}
      </p>
    </section>
  );
}
