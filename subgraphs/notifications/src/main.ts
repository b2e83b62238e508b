import { createLogger, openRuntime, runService, runtimeOptionsFromConfig } from '@shop/platform';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { createSmtpEmailChannel, LogEmailChannel } from './email-channel.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

const config = readConfig();
const logger = createLogger('notifications', { level: config.LOG_LEVEL });

await runService(logger, async () => {
  // Before any connection: SMTP_URL set without an SMTP client fails start-up (see email-channel.ts).
  const email = config.SMTP_URL
    ? createSmtpEmailChannel(config.SMTP_URL)
    : new LogEmailChannel(logger.child({ component: 'email' }));
  const dbName = config.DATABASE_NAME ?? 'notifications';
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('notifications', logger, config),
    entities,
    migrations,
    redisUrl: config.REDIS_URL,
    // Stacks sharing a Redis (an isolated test stack beside the dev one) keep their counts apart.
    redisKeyPrefix: dbName === 'notifications' ? 'notifications:' : `notifications:${dbName}:`,
  });
  const app = buildApp(runtime, {
    consumerGroupId: config.NOTIFICATIONS_CONSUMER_GROUP,
    email,
    unreadCountTtlSeconds: config.UNREAD_COUNT_TTL_SECONDS,
  });
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables];
});
