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
const logger = createLogger('orders', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('orders', { logger });

await runService(logger, async () => {
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('orders', logger, config),
    entities,
    migrations,
  });
  const app = buildApp(runtime, {
    productsUrl: config.PRODUCTS_URL,
    settlementTimeoutMs: config.ORDER_SETTLEMENT_TIMEOUT_SECONDS * 1000,
    settlementSweepIntervalMs: config.ORDER_SETTLEMENT_SWEEP_INTERVAL_MS,
    unsafeSkipIdempotency: config.UNSAFE_SKIP_IDEMPOTENCY,
    maxUnsettledOrders: config.ORDER_MAX_UNSETTLED,
    admissionCountMs: config.ORDER_ADMISSION_COUNT_MS,
  });
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables, tracing];
});
