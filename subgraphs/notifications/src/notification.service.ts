import { randomUUID } from 'node:crypto';
import { notFound, recordEvent, type EntityManager, type Logger, type Viewer } from '@shop/platform';
import { NOTIFICATION_CREATED_V1, type NotificationCreatedV1 } from '@shop/schema';
import type { EmailChannel } from './email-channel.js';
import type { NotificationPosition } from './notification-cursor.js';
import { Notification, Recipient, type NotificationType } from './notification.entity.js';
import type { UnreadCountCache } from './unread-count.cache.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isAdmin = (viewer: Viewer) => viewer.roles.includes('ADMIN');

/** A notification to create. */
export interface NewNotification {
  userId: string;
  type: NotificationType;
  orderId: string | null;
  title: string;
  body: string;
}

/** A page of one user's notifications, newest first. */
export interface NotificationPage {
  /** Every notification matching the filter, not only this page. */
  totalCount: number;
  notifications: Notification[];
  hasNextPage: boolean;
}

export interface NotificationServiceDeps {
  unreadCounts: UnreadCountCache;
  email: EmailChannel;
  logger: Logger;
}

/**
 * Notifications: creating them (once per user, type and order), listing them, counting the unread
 * ones (cached in Redis, invalidated after every write commits) and marking them read.
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {}

  /**
   * Inserts `notification` in `em`'s transaction unless the user already has one of this type for
   * this order (the unique index decides, so concurrent or re-published events cannot duplicate),
   * with its `notifications.notification.created.v1` event in the outbox.
   * Returns the new row, or null when it already existed. Call `afterCommit` after the commit.
   */
  async create(em: EntityManager, notification: NewNotification): Promise<Notification | null> {
    const id = randomUUID();
    const createdAt = new Date();
    const inserted = await em.getConnection().execute<{ id: string }[]>(
      `insert into notification (id, user_id, type, order_id, title, body, read, created_at)
       values (?, ?, ?, ?, ?, ?, false, ?) on conflict do nothing returning id`,
      [
        id,
        notification.userId,
        notification.type,
        notification.orderId,
        notification.title,
        notification.body,
        createdAt,
      ],
      'all',
      em.getTransactionContext(),
    );
    if (inserted.length === 0) return null;
    // In the same transaction: subscribers on every replica hear of it once it is committed.
    recordEvent<NotificationCreatedV1>(em, NOTIFICATION_CREATED_V1, notification.userId, {
      notificationId: id,
      userId: notification.userId,
      type: notification.type,
      orderId: notification.orderId,
      title: notification.title,
      body: notification.body,
      createdAt: createdAt.toISOString(),
    });
    return { ...notification, id, read: false, createdAt, readAt: null } as Notification;
  }

  /** Remembers (or updates) where `userId`'s emails go. */
  async saveRecipient(em: EntityManager, recipient: Recipient): Promise<void> {
    await em.upsert(Recipient, recipient);
  }

  /**
   * What follows an event's committed transaction: `userId`'s unread count is invalidated (always,
   * also when the event was a duplicate, so a retry after a failed invalidation repairs it), then
   * the new notification's email goes out (best effort: a failed email is logged, the in-app
   * notification stands).
   */
  async afterCommit(
    em: EntityManager,
    userId: string,
    notification: Notification | null,
    email?: string,
  ): Promise<void> {
    await this.deps.unreadCounts.invalidate(userId);
    if (!notification) return;
    const to = email ?? (await em.findOne(Recipient, { userId }))?.email;
    if (!to) {
      this.deps.logger.warn({ userId }, 'no email address known; email skipped');
      return;
    }
    try {
      await this.deps.email.send({
        id: notification.id,
        to,
        subject: notification.title,
        text: notification.body,
      });
    } catch (error) {
      this.deps.logger.error({ err: error, notificationId: notification.id }, 'email not sent');
    }
  }

  findByIds(em: EntityManager, ids: readonly string[]): Promise<Notification[]> {
    const valid = ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase());
    return valid.length ? em.find(Notification, { id: { $in: valid } }) : Promise.resolve([]);
  }

  /** One page of `userId`'s notifications, newest first, after `after` (keyset on createdAt, id). */
  async page(
    em: EntityManager,
    userId: string,
    { first, after, unreadOnly }: { first: number; after?: NotificationPosition; unreadOnly: boolean },
  ): Promise<NotificationPage> {
    const filter = unreadOnly ? { userId, read: false } : { userId };
    const where = after
      ? {
          ...filter,
          $or: [
            { createdAt: { $lt: after.createdAt } },
            { createdAt: after.createdAt, id: { $lt: after.id } },
          ],
        }
      : filter;
    const [rows, totalCount] = await Promise.all([
      em.find(Notification, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 }),
      em.fork().count(Notification, filter),
    ]);
    return { totalCount, notifications: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** How many of `userId`'s notifications are unread (Redis first, Postgres on a miss). */
  unreadCount(em: EntityManager, userId: string): Promise<number> {
    return this.deps.unreadCounts.get(userId, () => em.fork().count(Notification, { userId, read: false }));
  }

  /** `markNotificationRead`: the viewer's own notification, read. NOT_FOUND for anyone else's. */
  async markRead(em: EntityManager, viewer: Viewer, id: string): Promise<Notification> {
    if (!UUID.test(id)) throw notFound('No such notification');
    const own = { id: id.toLowerCase(), userId: viewer.id };
    const changed = await em.nativeUpdate(
      Notification,
      { ...own, read: false },
      { read: true, readAt: new Date() },
    );
    if (changed > 0) await this.deps.unreadCounts.invalidate(viewer.id);
    const row = await em.findOne(Notification, own);
    if (!row) throw notFound('No such notification');
    return row;
  }

  /** `markAllNotificationsRead`: marks every unread notification of the viewer; how many it marked. */
  async markAllRead(em: EntityManager, viewer: Viewer): Promise<number> {
    const changed = await em.nativeUpdate(
      Notification,
      { userId: viewer.id, read: false },
      { read: true, readAt: new Date() },
    );
    if (changed > 0) await this.deps.unreadCounts.invalidate(viewer.id);
    return changed;
  }
}
