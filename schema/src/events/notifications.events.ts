import { z } from 'zod';

/**
 * A notification was created for a customer (committed with it, through the outbox). Keyed by
 * `userId`, so one customer's notifications keep their order. Feeds `notificationAdded` live on
 * every notifications replica.
 */
export const NOTIFICATION_CREATED_V1 = 'notifications.notification.created.v1';

export const notificationCreatedV1 = z.object({
  notificationId: z.guid(),
  userId: z.guid(),
  type: z.enum(['WELCOME', 'ORDER_PLACED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED']),
  orderId: z.guid().nullable(),
  title: z.string(),
  body: z.string(),
  /** ISO-8601 instant the notification was created. */
  createdAt: z.iso.datetime({ offset: true }),
});
export type NotificationCreatedV1 = z.infer<typeof notificationCreatedV1>;
