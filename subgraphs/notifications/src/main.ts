import {
  createLogger,
  openRuntime,
  runService,
  runtimeOptionsFromConfig,
  startTracing,
} from '@shop/platform';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { LogEmailChannel } from './email-channel.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { createSmtpEmailChannel } from './smtp-email-channel.js';

const config = readConfig();
const logger = createLogger('notifications', { level: config.LOG_LEVEL });
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('notifications', { logger });

await runService(logger, async () => {
  const dbName = config.DATABASE_NAME ?? 'notifications';
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('notifications', logger, config),
    entities,
    migrations,
    redisUrl: config.REDIS_URL,
    // Stacks sharing a Redis (an isolated test stack beside the dev one) keep their counts apart.
    redisKeyPrefix: dbName === 'notifications' ? 'notifications:' : `notifications:${dbName}:`,
  });
  const emailLogger = logger.child({ component: 'email' });
  // SMTP_URL and EMAIL_FROM were validated by readConfig; no connection is opened until a send.
  const smtp = config.SMTP_URL
    ? createSmtpEmailChannel({
        url: config.SMTP_URL,
        from: config.EMAIL_FROM,
        logger: emailLogger,
        metrics: runtime.metrics,
      })
    : undefined;
  // An unreachable SMTP server does not stop notifications (emails are best effort): say so early.
  smtp?.verify().then(
    () => emailLogger.info('SMTP server reachable'),
    (error: unknown) =>
      emailLogger.warn({ err: error }, 'SMTP server check failed; emails will fail until it answers'),
  );
  const app = buildApp(runtime, {
    email: smtp ?? new LogEmailChannel(emailLogger),
    unreadCountTtlSeconds: config.UNREAD_COUNT_TTL_SECONDS,
  });
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  // The email channel closes after the consumers (their last sends finish) and before the runtime.
  const email = smtp ? [{ name: 'email', stop: () => smtp.close() }] : [];
  return [
    { name: 'http', stop: () => app.service.close() },
    ...consumers,
    ...email,
    ...runtime.stoppables,
    tracing,
  ];
});
