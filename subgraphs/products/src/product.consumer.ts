import { applyOnce, type EventConsumer, type SubgraphRuntime } from '@shop/platform';
import { STOCK_CHANGED_V1, stockChangedV1, type StockChangedV1 } from '@shop/schema';
import type { ProductService } from './product.service.js';

/** The consumer group of the products subgraph, also its `applyOnce` consumer name. */
export const CONSUMER_GROUP = 'products';

/**
 * Consumes `inventory.stock.changed.v1` into the products' `in_stock` projection, in group
 * `products`. Each event is applied once (processed-event row in the same transaction); a payload
 * that does not parse goes to the dead-letter topic `products.dlq`.
 */
export function startProductConsumer(
  runtime: SubgraphRuntime,
  products: ProductService,
): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER_GROUP,
    handlers: {
      [STOCK_CHANGED_V1]: {
        parse: (payload) => stockChangedV1.parse(payload),
        handle: async (event: { id: string; payload: StockChangedV1 }) => {
          await applyOnce(runtime.orm, CONSUMER_GROUP, event, async (em) => {
            await products.recordStock(em, event.payload);
          });
        },
      },
    },
  });
}
