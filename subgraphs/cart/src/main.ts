import {
  createLogger,
  openRuntime,
  runService,
  runtimeOptionsFromConfig,
  startTracing,
} from '@shop/platform';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

const config = readConfig();
const logger = createLogger('cart', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('cart', { logger });

await runService(logger, async () => {
  const dbName = config.DATABASE_NAME ?? 'cart';
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('cart', logger, config),
    // Postgres holds only the kit's bookkeeping tables; carts and prices are in Redis.
    entities,
    migrations,
    redisUrl: config.REDIS_URL,
    // Stacks sharing a Redis (an isolated test stack beside the dev one) keep their carts apart.
    redisKeyPrefix: dbName === 'cart' ? 'cart:' : `cart:${dbName}:`,
  });
  const app = buildApp(runtime, {
    productsUrl: config.PRODUCTS_URL,
    currency: config.CURRENCY,
    cartTtlSeconds: config.CART_TTL_SECONDS,
  });
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables, tracing];
});
