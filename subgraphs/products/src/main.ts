import {
  createLogger,
  openRuntime,
  runService,
  runtimeOptionsFromConfig,
  startTracing,
} from '@shop/platform';
import { buildApp } from './app.js';
import { loadProductsConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

const config = loadProductsConfig();
const logger = createLogger('products', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('products', { logger });

await runService(logger, async () => {
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('products', logger, config),
    entities,
    migrations,
  });
  const app = buildApp(runtime, { currency: config.CURRENCY });
  await app.service.listen(config.PORT, config.HOST);
  const consumers = (await app.startConsumers?.()) ?? [];
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables, tracing];
});
