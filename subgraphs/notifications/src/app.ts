import {
  createGraphQLService,
  createLiveEvents,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import { NOTIFICATION_CREATED_V1, notificationCreatedV1 } from '@shop/schema';
import type { SubgraphApp } from '@shop/platform/testing';
import type { Context } from './context.js';
import { LogEmailChannel, type EmailChannel } from './email-channel.js';
import { startNotificationConsumer } from './notification.consumer.js';
import { notificationResolvers } from './notification.resolvers.js';
import { NotificationService } from './notification.service.js';
import { createUnreadCountCache } from './unread-count.cache.js';

export interface NotificationsOptions {
  /** Where emails go (default a LogEmailChannel on the runtime's logger). */
  email?: EmailChannel;
  /** Seconds an unread count stays cached (default 3600; writes invalidate it at once). */
  unreadCountTtlSeconds?: number;
}

const typeDefs = loadTypeDefs(new URL('../notifications.graphql', import.meta.url));

/** The notifications subgraph, wired to an open runtime (with Redis). No side effects until `listen`/`startConsumers`. */
export function buildApp(runtime: SubgraphRuntime, options: NotificationsOptions = {}): SubgraphApp {
  const { redis } = runtime;
  if (!redis) throw new Error('notifications caches unread counts in Redis: open the runtime with redisUrl');
  const logger = runtime.logger.child({ component: 'notifications' });
  const notifications = new NotificationService({
    unreadCounts: createUnreadCountCache(redis, { ttlSeconds: options.unreadCountTtlSeconds ?? 3600 }),
    email: options.email ?? new LogEmailChannel(logger),
    logger,
  });
  // Every replica follows the created topic itself, so a subscriber hears of every notification of
  // its customer whichever replica created it (see README, "Subscriptions").
  const live = createLiveEvents({
    kafka: runtime.kafka,
    name: 'notifications',
    topics: { [NOTIFICATION_CREATED_V1]: notificationCreatedV1.parse },
    logger,
    registry: runtime.metrics.registry,
  });
  const base = subgraphServiceOptions(runtime);
  const service = createGraphQLService<Context>({
    ...base,
    readiness: { ...base.readiness, liveEvents: live.ready },
    typeDefs,
    resolvers: notificationResolvers(notifications, live),
  });
  return {
    service,
    async startConsumers() {
      const liveEvents = await live.start();
      const consumer = await startNotificationConsumer(runtime, notifications);
      return [liveEvents, consumer];
    },
  };
}
