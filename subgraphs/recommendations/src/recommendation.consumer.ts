import {
  applyOnce,
  type EventConsumer,
  type EventEnvelope,
  type SubgraphRuntime,
  type TopicHandler,
} from '@shop/platform';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  orderCancelledV1,
  orderConfirmedV1,
  PRODUCT_CREATED_V1,
  PRODUCT_UPDATED_V1,
  productChangedV1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type ProductChangedV1,
} from '@shop/schema';
import { recommendationService as stats } from './recommendation.service.js';

/** The `consumer` name of recommendations' processed-event rows (whatever the Kafka group). */
export const CONSUMER = 'recommendations';

/**
 * Recommendations' handlers: confirmed orders add to the co-purchase statistics, cancellations of
 * confirmed orders take them back out, product events keep the category projection. Each event is
 * applied once (applyOnce: a redelivered event changes nothing).
 */
export function recommendationHandlers(runtime: SubgraphRuntime): Record<string, TopicHandler<any>> {
  const product = {
    parse: productChangedV1.parse,
    handle: async (event: EventEnvelope<ProductChangedV1>) => {
      await applyOnce(runtime.orm, CONSUMER, event, (em) => stats.learnCategory(em, event.payload));
    },
  };
  return {
    [ORDER_CONFIRMED_V1]: {
      parse: orderConfirmedV1.parse,
      handle: async (event: EventEnvelope<OrderConfirmedV1>) => {
        await applyOnce(runtime.orm, CONSUMER, event, (em) => stats.countConfirmed(em, event.payload));
      },
    },
    [ORDER_CANCELLED_V1]: {
      parse: orderCancelledV1.parse,
      handle: async (event: EventEnvelope<OrderCancelledV1>) => {
        await applyOnce(runtime.orm, CONSUMER, event, (em) => stats.uncountCancelled(em, event.payload));
      },
    },
    [PRODUCT_CREATED_V1]: product,
    [PRODUCT_UPDATED_V1]: product,
  };
}

/** Starts recommendations' consumer group `recommendations`, dead-lettering to `recommendations.dlq`. */
export function startRecommendationConsumer(runtime: SubgraphRuntime): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER,
    deadLetterTopic: 'recommendations.dlq',
    handlers: recommendationHandlers(runtime),
  });
}
