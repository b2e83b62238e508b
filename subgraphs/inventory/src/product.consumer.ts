import {
  applyOnce,
  type EventConsumer,
  type EventEnvelope,
  type SubgraphRuntime,
  type TopicHandler,
} from '@shop/platform';
import { PRODUCT_CREATED_V1, productChangedV1 } from '@shop/schema';
import { learnProducts } from './stock.service.js';

/**
 * The handler keeping inventory's projection of the catalog: every `products.product.created.v1` creates the
 * product's stock row with nothing on hand. Idempotent (applyOnce): a redelivered event changes
 * nothing, and a row created earlier by the `_entities` fallback is left as it is.
 */
export function productHandlers(runtime: SubgraphRuntime): Record<string, TopicHandler<any>> {
  return {
    [PRODUCT_CREATED_V1]: {
      parse: productChangedV1.parse,
      handle: async (event: EventEnvelope<ReturnType<typeof productChangedV1.parse>>) => {
        await applyOnce(runtime.orm, 'inventory', event, (em) =>
          learnProducts(em, [event.payload.productId]),
        );
      },
    },
  };
}

/**
 * Starts inventory's one consumer group, `inventory`, on `handlers` (the product projection's and
 * the order flow's topics), dead-lettering to `inventory.dlq`.
 */
export function startInventoryConsumer(
  runtime: SubgraphRuntime,
  handlers: Record<string, TopicHandler<any>>,
): Promise<EventConsumer> {
  return runtime.kafka.consume({ groupId: 'inventory', deadLetterTopic: 'inventory.dlq', handlers });
}
