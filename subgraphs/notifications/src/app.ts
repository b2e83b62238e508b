import { readFileSync } from 'node:fs';
import { createGraphQLService, subgraphServiceOptions, type SubgraphRuntime } from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { gql } from 'graphql-tag';
import type { Context } from './context.js';
import { LogEmailChannel, type EmailChannel } from './email-channel.js';
import { startNotificationConsumer } from './notification.consumer.js';
import { notificationResolvers } from './notification.resolvers.js';
import { NotificationService } from './notification.service.js';
import { createUnreadCountCache } from './unread-count.cache.js';

export interface NotificationsOptions {
  /** Kafka consumer group of the notification consumer (default `notifications`). */
  consumerGroupId?: string;
  /** Where emails go (default a LogEmailChannel on the runtime's logger). */
  email?: EmailChannel;
  /** Seconds an unread count stays cached (default 3600; writes invalidate it at once). */
  unreadCountTtlSeconds?: number;
}

const typeDefs = gql(readFileSync(new URL('../notifications.graphql', import.meta.url), 'utf8'));

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
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: notificationResolvers(notifications),
  });
  return {
    service,
    async startConsumers() {
      const consumer = await startNotificationConsumer(
        runtime,
        notifications,
        options.consumerGroupId ? { groupId: options.consumerGroupId } : {},
      );
      return [{ name: consumer.name, stop: () => consumer.stop() }];
    },
  };
}
