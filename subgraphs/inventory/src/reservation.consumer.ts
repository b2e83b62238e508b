import { applyOnce, type EventEnvelope, type SubgraphRuntime, type TopicHandler } from '@shop/platform';
import {
  ORDER_CANCELLED_V1,
  ORDER_PLACED_V1,
  orderCancelledV1,
  orderPlacedV1,
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  paymentDeclinedV1,
  paymentSucceededV1,
} from '@shop/schema';
import type { ReservationService } from './reservation.service.js';

export interface ReservationHandlersOptions {
  /** How long a placed order's reservation holds its units. */
  ttlMs: number;
}

/**
 * The order flow's topics, for inventory's consumer group: `orders.order.placed.v1` reserves (and
 * publishes `inventory.stock.reserved.v1` / `.rejected.v1`), `payments.payment.succeeded.v1`
 * commits, `payments.payment.declined.v1` releases, `orders.order.cancelled.v1` releases or returns.
 * Each event is applied once (applyOnce: the processed-event row, the reservations, the stock rows
 * and the outbox rows commit together); the relay is nudged after the commit.
 */
export function reservationHandlers(
  runtime: SubgraphRuntime,
  reservations: ReservationService,
  { ttlMs }: ReservationHandlersOptions,
): Record<string, TopicHandler<any>> {
  const log = runtime.logger.child({ component: 'reservation-consumer' });
  /** Applies `effect` once for `event`, then wakes the relay so the recorded events leave at once. */
  const once = async (event: EventEnvelope, effect: Parameters<typeof applyOnce>[3]) => {
    if (await applyOnce(runtime.orm, 'inventory', event, effect)) runtime.relay.nudge();
  };
  return {
    [ORDER_PLACED_V1]: {
      parse: orderPlacedV1.parse,
      handle: (event: EventEnvelope<ReturnType<typeof orderPlacedV1.parse>>) =>
        once(event, async (em) => {
          const { orderId, items } = event.payload;
          const result = await reservations.placeOrder(em, { orderId, lines: items }, ttlMs);
          log.info({ orderId, outcome: result.outcome }, 'order placed');
        }),
    },
    [PAYMENT_SUCCEEDED_V1]: {
      parse: paymentSucceededV1.parse,
      handle: (event: EventEnvelope<ReturnType<typeof paymentSucceededV1.parse>>) =>
        once(event, async (em) => {
          const { orderId } = event.payload;
          const committed = await reservations.commitOrder(em, orderId);
          // Nothing RESERVED: the order was cancelled (orders' settlement timeout, the customer) or
          // the backstop released it, before the payment got here. Orders cancels the order on either
          // (order.cancelled / stock.released) and payments refunds the charge on the cancellation.
          if (committed.length === 0) log.warn({ orderId }, 'payment succeeded but no reservation is held');
        }),
    },
    [PAYMENT_DECLINED_V1]: {
      parse: paymentDeclinedV1.parse,
      handle: (event: EventEnvelope<ReturnType<typeof paymentDeclinedV1.parse>>) =>
        once(event, async (em) => {
          await reservations.releaseOrder(em, event.payload.orderId);
        }),
    },
    [ORDER_CANCELLED_V1]: {
      parse: orderCancelledV1.parse,
      handle: (event: EventEnvelope<ReturnType<typeof orderCancelledV1.parse>>) =>
        once(event, async (em) => {
          await reservations.cancelOrder(em, event.payload.orderId);
        }),
    },
  };
}
