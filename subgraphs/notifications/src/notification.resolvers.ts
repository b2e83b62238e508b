import {
  badUserInput,
  DateTimeScalar,
  entityLoader,
  forbidden,
  requireViewer,
  type EventEnvelope,
} from '@shop/platform';
import type { NotificationCreatedV1 } from '@shop/schema';
import type { Notification as NotificationType, Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { decodeNotificationCursor, encodeNotificationCursor } from './notification-cursor.js';
import type { Notification } from './notification.entity.js';
import { isAdmin, type NotificationService } from './notification.service.js';

/** The GraphQL parent of a Notification; `order` is an Order reference the orders subgraph resolves. */
const toNotification = (row: Notification): NotificationType => ({
  id: row.id,
  type: row.type,
  title: row.title,
  body: row.body,
  read: row.read,
  createdAt: row.createdAt,
  order: row.orderId ? { id: row.orderId } : null,
});

/** A live `notifications.notification.created.v1` event as the Notification it announces. */
const fromEvent = ({ payload }: EventEnvelope<NotificationCreatedV1>): NotificationType => ({
  id: payload.notificationId,
  type: payload.type,
  title: payload.title,
  body: payload.body,
  read: false,
  createdAt: new Date(payload.createdAt),
  order: payload.orderId ? { id: payload.orderId } : null,
});

/** Where `notificationAdded` gets its events: this replica's live view of the created topic, by user id. */
export interface NotificationFeed {
  subscribe(options: { key: string }): AsyncIterableIterator<EventEnvelope<NotificationCreatedV1>>;
}

/**
 * Notifications' GraphQL resolvers: thin, over NotificationService. Someone else's notification is
 * never shown: the Notification entity resolves it to null, `markNotificationRead` says NOT_FOUND.
 */
export function notificationResolvers(notifications: NotificationService, feed: NotificationFeed): Resolvers {
  const byId = entityLoader<Context, string, Notification>(
    (ctx, ids) => notifications.findByIds(ctx.em, ids),
    (n) => n.id,
  );

  return {
    DateTime: DateTimeScalar,
    Mutation: {
      async markNotificationRead(_parent, { id }, ctx) {
        const viewer = requireViewer(ctx.viewer);
        return toNotification(await notifications.markRead(ctx.em, viewer, id));
      },
      markAllNotificationsRead: (_parent, _args, ctx) =>
        notifications.markAllRead(ctx.em, requireViewer(ctx.viewer)),
    },
    Subscription: {
      notificationAdded: {
        // Events are keyed by the recipient: a subscriber only ever receives its own.
        subscribe: (_parent, _args, ctx) => feed.subscribe({ key: requireViewer(ctx.viewer).id }),
        resolve: (event: EventEnvelope<NotificationCreatedV1>) => fromEvent(event),
      },
    },
    Notification: {
      async __resolveReference(reference, ctx) {
        const viewer = requireViewer(ctx.viewer);
        const row = await byId(ctx).load(reference.id.toLowerCase());
        return row && (row.userId === viewer.id || isAdmin(viewer)) ? toNotification(row) : null;
      },
    },
    User: {
      __resolveReference: (reference) => ({ id: reference.id }),
      async notifications(user, { first, after, unreadOnly }, ctx) {
        const viewer = requireViewer(ctx.viewer);
        const userId = user.id.toLowerCase();
        if (viewer.id !== userId && !isAdmin(viewer))
          throw forbidden('Only the user themself may list their notifications');
        if (!Number.isInteger(first) || first < 1 || first > 100)
          throw badUserInput('first must be 1 to 100', 'first');
        const position = after != null ? decodeNotificationCursor(after) : undefined;
        const [page, unreadCount] = await Promise.all([
          notifications.page(ctx.em, userId, {
            first,
            unreadOnly: unreadOnly ?? false,
            ...(position ? { after: position } : {}),
          }),
          notifications.unreadCount(ctx.em, userId),
        ]);
        const edges = page.notifications.map((row) => ({
          cursor: encodeNotificationCursor(row),
          node: toNotification(row),
        }));
        return {
          totalCount: page.totalCount,
          unreadCount,
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: position !== undefined,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
  };
}
