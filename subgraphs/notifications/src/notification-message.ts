import type { NotificationType } from './notification.entity.js';

/** What a notification says. */
export interface NotificationText {
  title: string;
  body: string;
}

const REASONS: Record<string, string> = {
  OUT_OF_STOCK: 'some items were out of stock',
  PAYMENT_DECLINED: 'the payment was declined',
  CUSTOMER_CANCELLED: 'it was cancelled at your request',
  EXPIRED: 'it could not be settled in time (any payment taken is refunded)',
};

/** A short, human reference to an order: the first 8 characters of its id. */
export const orderReference = (orderId: string) => orderId.slice(0, 8).toUpperCase();

/** The title and body of a notification of `type` (pure; the consumer supplies the facts). */
export function notificationText(
  type: NotificationType,
  facts: { name?: string; orderId?: string; total?: string; reason?: string },
): NotificationText {
  const ref = facts.orderId ? orderReference(facts.orderId) : '';
  switch (type) {
    case 'WELCOME':
      return {
        title: 'Welcome to the shop',
        body: `Hello ${facts.name ?? 'there'}, your account is ready. Happy shopping!`,
      };
    case 'ORDER_PLACED':
      return {
        title: `Order ${ref} placed`,
        body: `We received your order ${ref}${facts.total ? ` of ${facts.total}` : ''}. We are reserving your items and will charge your payment next.`,
      };
    case 'ORDER_CONFIRMED':
      return {
        title: `Order ${ref} confirmed`,
        body: `Your order ${ref}${facts.total ? ` of ${facts.total}` : ''} is confirmed: your items are reserved and your payment succeeded.`,
      };
    case 'ORDER_CANCELLED': {
      const reason = facts.reason ?? 'UNKNOWN';
      return {
        title: `Order ${ref} cancelled`,
        body: `Your order ${ref} was cancelled because ${REASONS[reason] ?? 'of an unexpected problem'} (reason: ${reason}).`,
      };
    }
  }
}
