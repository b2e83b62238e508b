import type { EventConsumer, SubgraphRuntime } from '@shop/platform';
import {
  ORDER_PLACED_V1,
  orderPlacedV1,
  PRODUCT_CREATED_V1,
  PRODUCT_UPDATED_V1,
  productChangedV1,
  type OrderPlacedV1,
  type ProductChangedV1,
} from '@shop/schema';
import type { CartService } from './cart.service.js';

/** Cart's consumer group. */
export const CONSUMER = 'cart';

/** Where unprocessable messages go. */
export const CART_DLQ = 'cart.dlq';

/**
 * Cart's one consumer group:
 * - `products.product.created.v1` / `.updated.v1` keep the price projection. Idempotent by
 *   version: a price is written only when its change is at least as new as the stored one, so a
 *   redelivered or stale event never takes a price back.
 * - `orders.order.placed.v1` removes the ordered products from the customer's cart, once per event
 *   (the event id is recorded in Redis in the same script as the removal); an order placed more
 *   than 7 days ago (the record's lifetime) is skipped with a warning.
 * The effects live in Redis, so the kit's Postgres `applyOnce` is not what makes them idempotent.
 * A payload that does not parse goes to `cart.dlq` and the consumer goes on with the next message.
 */
export function startCartConsumer(runtime: SubgraphRuntime, carts: CartService): Promise<EventConsumer> {
  const log = runtime.logger.child({ component: 'cart-consumer' });
  const recordPrice = {
    parse: productChangedV1.parse,
    handle: async (event: { payload: ProductChangedV1 }) => {
      await carts.recordPrice(event.payload);
    },
  };
  return runtime.kafka.consume({
    groupId: CONSUMER,
    deadLetterTopic: CART_DLQ,
    handlers: {
      [PRODUCT_CREATED_V1]: recordPrice,
      [PRODUCT_UPDATED_V1]: recordPrice,
      [ORDER_PLACED_V1]: {
        parse: orderPlacedV1.parse,
        handle: async (event: { id: string; payload: OrderPlacedV1 }) => {
          const outcome = await carts.removeOrdered(event.id, event.payload);
          const fields = { eventId: event.id, orderId: event.payload.orderId, ...outcome };
          if ('skipped' in outcome && outcome.skipped === 'too-old') {
            log.warn(fields, 'order event older than the dedupe window: cart left as it is');
          } else {
            log.debug(fields, 'order event applied to the cart');
          }
        },
      },
    },
  });
}
