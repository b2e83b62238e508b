import {
  applyOnce,
  money,
  type EventConsumer,
  type EventEnvelope,
  type SubgraphRuntime,
  type TopicHandler,
} from '@shop/platform';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  orderCancelledV1,
  orderConfirmedV1,
  orderPlacedV1,
  USER_REGISTERED_V1,
  userRegisteredV1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderPlacedV1,
  type UserRegisteredV1,
} from '@shop/schema';
import { notificationText } from './notification-message.js';
import type { Notification } from './notification.entity.js';
import type { NewNotification, NotificationService } from './notification.service.js';

/** The `consumer` name of notifications' processed-event rows (whatever the Kafka group). */
export const CONSUMER = 'notifications';

const totalOf = (minor: number, currencyCode: string) => {
  const { amount } = money(minor, currencyCode);
  return `${amount} ${currencyCode}`;
};

/**
 * Notifications' handlers: one notification per event (applyOnce) and per (user, type, order) (the
 * unique index), created in the event's transaction; the unread count is invalidated and the email
 * sent after the commit.
 */
export function notificationHandlers(
  runtime: SubgraphRuntime,
  notifications: NotificationService,
): Record<string, TopicHandler<any>> {
  const handler = <P>(
    parse: (payload: unknown) => P,
    toNotification: (payload: P) => NewNotification,
    extra?: (payload: P) => { email: string; name: string; userId: string },
  ) => ({
    parse,
    handle: async (event: EventEnvelope<P>) => {
      let created: Notification | null = null;
      const notification = toNotification(event.payload);
      const recipient = extra?.(event.payload);
      await applyOnce(runtime.orm, CONSUMER, event, async (em) => {
        if (recipient) await notifications.saveRecipient(em, recipient);
        created = await notifications.create(em, notification);
      });
      if (created) runtime.relay.nudge();
      await notifications.afterCommit(runtime.orm.em.fork(), notification.userId, created, recipient?.email);
    },
  });

  return {
    [USER_REGISTERED_V1]: handler(
      userRegisteredV1.parse,
      (e: UserRegisteredV1) => ({
        userId: e.userId,
        type: 'WELCOME',
        orderId: null,
        ...notificationText('WELCOME', { name: e.name }),
      }),
      (e) => ({ userId: e.userId, email: e.email, name: e.name }),
    ),
    [ORDER_PLACED_V1]: handler(orderPlacedV1.parse, (e: OrderPlacedV1) => ({
      userId: e.customerId,
      type: 'ORDER_PLACED',
      orderId: e.orderId,
      ...notificationText('ORDER_PLACED', {
        orderId: e.orderId,
        total: totalOf(e.totalMinor, e.currencyCode),
      }),
    })),
    [ORDER_CONFIRMED_V1]: handler(orderConfirmedV1.parse, (e: OrderConfirmedV1) => ({
      userId: e.customerId,
      type: 'ORDER_CONFIRMED',
      orderId: e.orderId,
      ...notificationText('ORDER_CONFIRMED', {
        orderId: e.orderId,
        total: totalOf(e.totalMinor, e.currencyCode),
      }),
    })),
    [ORDER_CANCELLED_V1]: handler(orderCancelledV1.parse, (e: OrderCancelledV1) => ({
      userId: e.customerId,
      type: 'ORDER_CANCELLED',
      orderId: e.orderId,
      ...notificationText('ORDER_CANCELLED', { orderId: e.orderId, reason: e.reason }),
    })),
  };
}

/** Starts notifications' consumer group `notifications`, dead-lettering to `notifications.dlq`. */
export function startNotificationConsumer(
  runtime: SubgraphRuntime,
  notifications: NotificationService,
): Promise<EventConsumer> {
  return runtime.kafka.consume({
    groupId: CONSUMER,
    deadLetterTopic: 'notifications.dlq',
    handlers: notificationHandlers(runtime, notifications),
  });
}
