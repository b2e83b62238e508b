import { applyOnce, type EventConsumer, type SubgraphRuntime } from '@shop/platform';
import { PRODUCT_CREATED_V1, productChangedV1 } from '@shop/schema';
import { learnProducts } from './stock.service.js';

export interface ProductConsumerOptions {
  /** Kafka consumer group (default `inventory`); tests pass their own so parallel runs do not share partitions. */
  groupId?: string;
}

/**
 * Keeps inventory's projection of the catalog: every `products.product.created.v1` creates the
 * product's stock row with nothing on hand. Idempotent (applyOnce): a redelivered event changes
 * nothing, and a row created earlier by the `_entities` fallback is left as it is.
 */
export function startProductConsumer(
  runtime: SubgraphRuntime,
  { groupId = 'inventory' }: ProductConsumerOptions = {},
): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId,
    // One dead-letter topic for the subgraph whatever the group, so test groups do not spawn topics.
    deadLetterTopic: 'inventory.dlq',
    handlers: {
      [PRODUCT_CREATED_V1]: {
        parse: productChangedV1.parse,
        handle: async (event) => {
          await applyOnce(runtime.orm, 'inventory', event, (em) =>
            learnProducts(em, [event.payload.productId]),
          );
        },
      },
    },
  });
}
