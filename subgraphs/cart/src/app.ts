import { readFileSync } from 'node:fs';
import { createGraphQLService, remoteEntities, type SubgraphRuntime } from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { gql } from 'graphql-tag';
import { startCartConsumer } from './cart.consumer.js';
import { createCartRepository } from './cart.repository.js';
import { cartResolvers } from './cart.resolvers.js';
import {
  createCartService,
  MAX_LINES,
  MAX_QUANTITY,
  REMOTE_PRODUCT_SELECTION,
  type RemoteProduct,
} from './cart.service.js';
import type { Context } from './context.js';
import { createProductPriceRepository } from './product-price.repository.js';

export interface CartOptions {
  /** The products subgraph's /graphql URL, asked through `_entities` for prices not projected yet. */
  productsUrl: string;
  /** The store currency (an empty cart's subtotal); default `USD`. */
  currency?: string;
  /** A cart's time to live after its last change, in seconds (default 30 days). */
  cartTtlSeconds?: number;
  /** Kafka consumer group (default `cart`). */
  consumerGroupId?: string;
}

const typeDefs = gql(readFileSync(new URL('../cart.graphql', import.meta.url), 'utf8'));

/** The cart subgraph, wired to an open runtime (with Redis). No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: CartOptions): SubgraphApp {
  const { redis } = runtime;
  if (!redis) throw new Error('the cart subgraph keeps carts in Redis: open the runtime with redisUrl');
  const carts = createCartService({
    carts: createCartRepository({
      redis,
      ttlSeconds: options.cartTtlSeconds ?? 30 * 24 * 3600,
      maxQuantity: MAX_QUANTITY,
      maxLines: MAX_LINES,
    }),
    prices: createProductPriceRepository(redis),
    fetchProducts: remoteEntities<RemoteProduct>({
      url: options.productsUrl,
      typename: 'Product',
      selection: REMOTE_PRODUCT_SELECTION,
    }),
    currency: options.currency ?? 'USD',
  });
  const service = createGraphQLService<Context>({
    name: 'cart',
    typeDefs,
    resolvers: cartResolvers(carts),
    logger: runtime.logger,
    verifyToken: runtime.verifyToken,
    context: (base) => base,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
  });
  return {
    service,
    async startConsumers() {
      const consumer = await startCartConsumer(
        runtime,
        carts,
        options.consumerGroupId ? { groupId: options.consumerGroupId } : {},
      );
      return [{ name: consumer.name, stop: () => consumer.stop() }];
    },
  };
}
