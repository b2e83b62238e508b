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

export interface PaymentConsumerOptions {
  /** Kafka consumer group (default `payments`); tests pass their own so parallel runs never share partitions. */
  groupId?: string;
}

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
  { groupId = 'payments' }: PaymentConsumerOptions = {},
): Promise<EventConsumer> {
  const apply = async (event: { id: string }, effect: (em: EntityManager) => Promise<void>) => {
    if (await applyOnce(runtime.orm, 'payments', event, effect)) payments.published();
  };
  return runtime.kafka.consume({
    groupId,
    // One dead-letter topic for the subgraph whatever the group, so test groups do not spawn topics.
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
