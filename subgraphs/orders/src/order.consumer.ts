import {
  applyOnce,
  type EventConsumer,
  type EventEnvelope,
  type SubgraphRuntime,
  type TopicHandler,
} from '@shop/platform';
import {
  PAYMENT_DECLINED_V1,
  PAYMENT_SUCCEEDED_V1,
  paymentDeclinedV1,
  paymentSucceededV1,
  PRODUCT_CREATED_V1,
  PRODUCT_UPDATED_V1,
  productChangedV1,
  STOCK_REJECTED_V1,
  STOCK_RELEASED_V1,
  STOCK_RESERVED_V1,
  stockRejectedV1,
  stockReleasedV1,
  stockReservedV1,
  type ProductChangedV1,
} from '@shop/schema';
import type { OrderTrigger } from './order-state.js';
import type { OrderService } from './order.service.js';
import { priceFromEvent, savePrices } from './product-price.js';

/** The `consumer` name of orders' processed-event rows (whatever the Kafka group). */
export const CONSUMER = 'orders';

/**
 * Orders' handlers: the order flow (stock reserved/rejected/released, payment succeeded/declined move
 * orders through the state machine; the events of the transition go out through the outbox) and the price
 * projection (product created/updated, newer-only). Each event is applied once (applyOnce).
 */
export function orderHandlers(
  runtime: SubgraphRuntime,
  orders: OrderService,
): Record<string, TopicHandler<any>> {
  const flow = <P extends { orderId: string }>(parse: (payload: unknown) => P, trigger: OrderTrigger) => ({
    parse,
    handle: async (event: EventEnvelope<P>) => {
      const applied = await applyOnce(runtime.orm, CONSUMER, event, (em) =>
        orders.applyEvent(em, event.payload.orderId, trigger),
      );
      if (applied) runtime.relay.nudge();
    },
  });
  const price = {
    parse: productChangedV1.parse,
    handle: async (event: EventEnvelope<ProductChangedV1>) => {
      await applyOnce(runtime.orm, CONSUMER, event, (em) => savePrices(em, [priceFromEvent(event.payload)]));
    },
  };
  return {
    [STOCK_RESERVED_V1]: flow(stockReservedV1.parse, 'STOCK_RESERVED'),
    [STOCK_REJECTED_V1]: flow(stockRejectedV1.parse, 'STOCK_REJECTED'),
    [PAYMENT_SUCCEEDED_V1]: flow(paymentSucceededV1.parse, 'PAYMENT_SUCCEEDED'),
    [PAYMENT_DECLINED_V1]: flow(paymentDeclinedV1.parse, 'PAYMENT_DECLINED'),
    [STOCK_RELEASED_V1]: flow(stockReleasedV1.parse, 'STOCK_RELEASED'),
    [PRODUCT_CREATED_V1]: price,
    [PRODUCT_UPDATED_V1]: price,
  };
}

/** Starts orders' consumer group `orders`, dead-lettering to `orders.dlq`. */
export function startOrderConsumer(runtime: SubgraphRuntime, orders: OrderService): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER,
    deadLetterTopic: 'orders.dlq',
    handlers: orderHandlers(runtime, orders),
  });
}
