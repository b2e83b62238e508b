import {
  createGraphQLService,
  loadTypeDefs,
  remoteEntities,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import type { Context } from './context.js';
import { productHandlers, startInventoryConsumer } from './product.consumer.js';
import { reservationHandlers } from './reservation.consumer.js';
import { createReservationService } from './reservation.service.js';
import { startReservationSweeper } from './reservation.sweeper.js';
import { stockResolvers } from './stock.resolvers.js';
import { createStockService } from './stock.service.js';

export interface InventoryOptions {
  /** The products subgraph's /graphql URL, asked through `_entities` about products not seen yet. */
  productsUrl: string;
  /** How long a placed order's reservation holds its units before the backstop releases it (default 1 h). */
  reservationTtlMs?: number;
  /** How often expired reservations are released (default 10 s). */
  sweepIntervalMs?: number;
}

const typeDefs = loadTypeDefs(new URL('../inventory.graphql', import.meta.url));

/** The inventory subgraph, wired to an open runtime. No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: InventoryOptions): SubgraphApp {
  const stock = createStockService({
    relay: runtime.relay,
    fetchProducts: remoteEntities<{ id: string }>({
      url: options.productsUrl,
      typename: 'Product',
      selection: 'id',
    }),
  });
  const reservations = createReservationService({ orm: runtime.orm, relay: runtime.relay });
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: stockResolvers(stock),
  });
  return {
    service,
    /** The consumer group (product projection + order flow) and the expired-reservation backstop sweeper. */
    async startConsumers() {
      const consumer = await startInventoryConsumer(runtime, {
        ...productHandlers(runtime),
        ...reservationHandlers(runtime, reservations, { ttlMs: options.reservationTtlMs ?? 3_600_000 }),
      });
      const sweeper = startReservationSweeper(reservations, {
        intervalMs: options.sweepIntervalMs ?? 10_000,
        logger: runtime.logger,
      });
      return [consumer, { name: sweeper.name, stop: () => sweeper.stop() }];
    },
  };
}
