import {
  createLogger,
  openRuntime,
  runService,
  runtimeOptionsFromConfig,
  startTracing,
} from '@shop/platform';
import { buildApp } from './app.js';
import { loadUsersConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

const config = loadUsersConfig();
const logger = createLogger('users', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('users', { logger });

await runService(logger, async () => {
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('users', logger, config),
    entities,
    migrations,
  });
  const app = buildApp(runtime, { authUrl: config.AUTH_URL });
  await app.service.listen(config.PORT, config.HOST);
  const consumers = (await app.startConsumers?.()) ?? [];
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables, tracing];
});
