import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The contract's NotificationType values. */
export const NOTIFICATION_TYPES = ['WELCOME', 'ORDER_PLACED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * A message to one user. At most one per (user, type, order): `order_id` is null for WELCOME, and
 * the unique index treats nulls as equal (Postgres 15 `nulls not distinct`), so one user gets one
 * WELCOME and one ORDER_PLACED per order even when an event is re-published under a new id.
 */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    type: p.enum(NOTIFICATION_TYPES),
    orderId: p.uuid().nullable(),
    title: p.string().length(200),
    body: p.text(),
    read: p.boolean().default(false),
    createdAt: p.datetime(6),
    readAt: p.datetime(6).nullable(),
  },
  uniques: [
    {
      name: 'notification_user_type_order_unique',
      expression:
        'create unique index "notification_user_type_order_unique" on "notification" ("user_id", "type", "order_id") nulls not distinct',
    },
  ],
  // Keyset listing of one user's notifications, newest first (all, or unread only).
  indexes: [
    { name: 'notification_user_created_index', properties: ['userId', 'createdAt', 'id'] },
    {
      name: 'notification_user_unread_index',
      expression:
        'create index "notification_user_unread_index" on "notification" ("user_id", "created_at", "id") where not "read"',
    },
  ],
});
export type Notification = InferEntity<typeof Notification>;

/**
 * Where notification emails go: the address each user registered with (from
 * `auth.user.registered.v1`). Order events carry only the customer's id.
 */
export const Recipient = defineEntity({
  name: 'Recipient',
  tableName: 'recipient',
  properties: {
    userId: p.uuid().primary(),
    email: p.string().length(320),
    name: p.string().length(100),
  },
});
export type Recipient = InferEntity<typeof Recipient>;
