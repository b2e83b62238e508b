import {
  createGraphQLService,
  loadTypeDefs,
  remoteEntities,
  subgraphServiceOptions,
  type SubgraphRuntime,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
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
}

const typeDefs = loadTypeDefs(new URL('../cart.graphql', import.meta.url));

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
    ...subgraphServiceOptions(runtime),
    // Carts live in Redis: no EntityManager per request.
    context: (base) => base,
    typeDefs,
    resolvers: cartResolvers(carts),
  });
  return {
    service,
    async startConsumers() {
      const consumer = await startCartConsumer(runtime, carts);
      return [consumer];
    },
  };
}
