import { createLogger, loadConfig, runService, startTracing } from '@shop/platform/edge';
import { buildRouter } from './app.js';
import { routerEnv, routerOptionsFrom } from './config.js';

// The only file that reads the environment.
const config = loadConfig(routerEnv);
const logger = createLogger('router', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('router', { logger });

await runService(logger, async () => {
  const router = buildRouter(routerOptionsFrom(config, logger));
  await router.listen(config.PORT, config.HOST);
  // SIGTERM: fail readiness, wait SHUTDOWN_DELAY_MS, stop accepting, drain, stop the gateway and the file watch.
  return [{ name: 'router', stop: () => router.close() }, tracing];
});
