import cluster from 'node:cluster';
import { createLogger, loadConfig, runService, startTracing } from '@shop/platform/edge';
import { routerEnv, routerOptionsFrom } from './config.js';
import { clusterMetricsText, isRouterWorker, onShutdownRequest, runWorkers } from './workers.js';

// The only file that reads the environment.
const config = loadConfig(routerEnv);
const rootLogger = createLogger('router', { level: config.LOG_LEVEL });

if (config.ROUTER_WORKERS > 1 && !isRouterWorker()) {
  // The primary: forks the workers (this same file) and supervises them; it serves nothing itself.
  runWorkers({ count: config.ROUTER_WORKERS, logger: rootLogger });
} else {
  // Imported here, not above: the primary of the workers never loads the gateway.
  const [{ buildRouter }, { createRouterMetrics }] = await Promise.all([
    import('./app.js'),
    import('./router-metrics.js'),
  ]);
  const logger = isRouterWorker() ? rootLogger.child({ worker: cluster.worker!.id }) : rootLogger;
  // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
  const tracing = await startTracing('router', { logger });
  const metrics = createRouterMetrics();
  await runService(logger, async () => {
    const router = buildRouter({
      ...routerOptionsFrom(config, logger),
      metrics,
      // A worker's /metrics answers for every worker.
      ...(isRouterWorker() ? { metricsText: clusterMetricsText(metrics.registry) } : {}),
    });
    await router.listen(config.PORT, config.HOST);
    // SIGTERM: fail readiness, wait SHUTDOWN_DELAY_MS, stop accepting, drain, stop the gateway and the file watch.
    return [{ name: 'router', stop: () => router.close() }, tracing];
  });
  // The primary asks its workers to stop as SIGTERM would stop a single router.
  if (isRouterWorker()) onShutdownRequest(() => process.emit('SIGTERM' as never));
}
