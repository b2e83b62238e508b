import { readFileSync } from 'node:fs';
import { createGraphQLService, remoteEntities, type SubgraphRuntime } from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { gql } from 'graphql-tag';
import type { Context } from './context.js';
import { startProductConsumer } from './product.consumer.js';
import { stockResolvers } from './stock.resolvers.js';
import { createStockService } from './stock.service.js';

export interface InventoryOptions {
  /** The products subgraph's /graphql URL, asked through `_entities` about products not seen yet. */
  productsUrl: string;
  /** Kafka consumer group of the product projection (default `inventory`). */
  consumerGroupId?: string;
}

const typeDefs = gql(readFileSync(new URL('../inventory.graphql', import.meta.url), 'utf8'));

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
  const service = createGraphQLService<Context>({
    name: 'inventory',
    typeDefs,
    resolvers: stockResolvers(stock),
    logger: runtime.logger,
    verifyToken: runtime.verifyToken,
    context: (base) => ({ ...base, em: runtime.orm.em.fork() }),
    readiness: runtime.readiness,
    metrics: runtime.metrics,
  });
  return {
    service,
    async startConsumers() {
      const products = await startProductConsumer(
        runtime,
        options.consumerGroupId ? { groupId: options.consumerGroupId } : {},
      );
      return [{ name: 'product-consumer', stop: () => products.stop() }];
    },
  };
}
