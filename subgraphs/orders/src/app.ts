import {
  createGraphQLService,
  createLiveEvents,
  loadTypeDefs,
  subgraphServiceOptions,
  type SubgraphRuntime,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { ORDER_STATUS_CHANGED_V1, orderStatusChangedV1, type OrderStatusChangedV1 } from '@shop/schema';
import type { Context } from './context.js';
import { startOrderConsumer } from './order.consumer.js';
import { orderResolvers } from './order.resolvers.js';
import { createOrderAdmission } from './order-admission.js';
import { Order } from './order.entity.js';
import { OrderService } from './order.service.js';
import { startOrderSweeper } from './order.sweeper.js';
import { createPriceLookup } from './product-price.js';

export interface OrdersOptions {
  /** The products subgraph's /graphql URL, asked through `_entities` for prices not projected yet. */
  productsUrl: string;
  /** An order still PENDING or RESERVED this long after placement is cancelled EXPIRED (default 900 s). */
  settlementTimeoutMs?: number;
  /** How often the settlement sweeper runs (default 10 s). */
  settlementSweepIntervalMs?: number;
  /** Tests only (UNSAFE_SKIP_IDEMPOTENCY): placeOrder ignores idempotency keys. Default false. */
  unsafeSkipIdempotency?: boolean;
  /**
   * Most orders PENDING or RESERVED at once before placeOrder answers SERVICE_UNAVAILABLE
   * (ORDER_MAX_UNSETTLED; 0 = no bound). Default 200.
   */
  maxUnsettledOrders?: number;
  /** How long one count of the unsettled orders is used (ORDER_ADMISSION_COUNT_MS). Default 250 ms. */
  admissionCountMs?: number;
}

const typeDefs = loadTypeDefs(new URL('../orders.graphql', import.meta.url));

/** The orders subgraph, wired to an open runtime. No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: OrdersOptions): SubgraphApp {
  const orders = new OrderService({
    relay: runtime.relay,
    prices: createPriceLookup(options.productsUrl),
    logger: runtime.logger.child({ component: 'orders' }),
    unsafeSkipIdempotency: options.unsafeSkipIdempotency ?? false,
    admission: createOrderAdmission({
      maxUnsettled: options.maxUnsettledOrders ?? 200,
      countTtlMs: options.admissionCountMs ?? 250,
      count: () => runtime.orm.em.fork().count(Order, { status: { $in: ['PENDING', 'RESERVED'] } }),
      registry: runtime.metrics.registry,
    }),
  });
  // Every replica follows the status-changed topic itself (a consumer group of its own, from the
  // latest offset), so a subscriber hears of every transition whichever replica's durable consumer,
  // sweeper or mutation made it (see README, "Subscriptions").
  const live = createLiveEvents<{ [ORDER_STATUS_CHANGED_V1]: OrderStatusChangedV1 }>({
    kafka: runtime.kafka,
    name: 'orders',
    topics: { [ORDER_STATUS_CHANGED_V1]: orderStatusChangedV1.parse },
    logger: runtime.logger,
    registry: runtime.metrics.registry,
  });
  const base = subgraphServiceOptions(runtime);
  const service = createGraphQLService<Context>({
    ...base,
    readiness: { ...base.readiness, liveEvents: live.ready },
    typeDefs,
    resolvers: orderResolvers(orders, live),
  });
  return {
    service,
    /**
     * This replica's live events (joined first, so subscriptions served once the service listens
     * get every event committed after their snapshot), the one durable consumer group (order flow
     * + price projection) and the settlement sweeper.
     */
    async startConsumers() {
      const liveEvents = await live.start();
      const consumer = await startOrderConsumer(runtime, orders);
      const sweeper = startOrderSweeper(orders, {
        timeoutMs: options.settlementTimeoutMs ?? 900_000,
        intervalMs: options.settlementSweepIntervalMs ?? 10_000,
        fork: () => runtime.orm.em.fork(),
        logger: runtime.logger,
      });
      return [liveEvents, consumer, { name: sweeper.name, stop: () => sweeper.stop() }];
    },
  };
}
