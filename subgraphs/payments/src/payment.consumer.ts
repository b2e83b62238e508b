import { applyOnce, type EntityManager, type EventConsumer, type SubgraphRuntime } from '@shop/platform';
import {
  ORDER_CANCELLED_V1,
  ORDER_PLACED_V1,
  STOCK_RESERVED_V1,
  orderCancelledV1,
  orderPlacedV1,
  stockReservedV1,
} from '@shop/schema';
import type { PaymentService } from './payment.service.js';

/** Payments' consumer group (also the `applyOnce` consumer name). */
export const CONSUMER = 'payments';

/**
 * Drives payments from the order flow: `orders.order.placed.v1` (the PENDING payment),
 * `inventory.stock.reserved.v1` (charge once) and `orders.order.cancelled.v1` (refund, or never
 * charge). `inventory.stock.rejected.v1` is not consumed: a rejected order is cancelled by orders,
 * and the cancellation closes its payment. Every event is applied once (`applyOnce`, consumer
 * `payments`); an invalid payload goes to `payments.dlq` and the next message is processed.
 */
export function startPaymentConsumer(
  runtime: SubgraphRuntime,
  payments: PaymentService,
): Promise<EventConsumer> {
  const apply = async (event: { id: string }, effect: (em: EntityManager) => Promise<void>) => {
    if (await applyOnce(runtime.orm, CONSUMER, event, effect)) payments.published();
  };
  return runtime.kafka.consume({
    groupId: CONSUMER,
    deadLetterTopic: 'payments.dlq',
    handlers: {
      [ORDER_PLACED_V1]: {
        parse: orderPlacedV1.parse,
        handle: (event) => apply(event, (em) => payments.orderPlaced(em, event.payload)),
      },
      [STOCK_RESERVED_V1]: {
        parse: stockReservedV1.parse,
        handle: (event) => apply(event, (em) => payments.stockReserved(em, event.payload)),
      },
      [ORDER_CANCELLED_V1]: {
        parse: orderCancelledV1.parse,
        handle: (event) => apply(event, (em) => payments.orderCancelled(em, event.payload)),
      },
    },
  });
}
