import type { CancellationReason, OrderStatus } from '../__generated__/graphql';

/** Statuses after which an order changes no more (the contract's state machine ends there). */
export const FINAL_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'CANCELLED'];

/** What a shopper reads for an order's status and, when cancelled, its reason. */
export function describeStatus(status: OrderStatus, reason?: CancellationReason | null): string {
  switch (status) {
    case 'PENDING':
      return 'Received: we are checking stock.';
    case 'RESERVED':
      return 'Stock reserved: charging your card.';
    case 'CONFIRMED':
      return 'Confirmed: your order is on its way.';
    case 'CANCELLED':
      if (reason === 'PAYMENT_DECLINED') return 'Cancelled: your card was declined. Nothing was charged.';
      if (reason === 'OUT_OF_STOCK') return 'Cancelled: an item ran out of stock. Nothing was charged.';
      return 'Cancelled.';
    default:
      return String(status);
  }
}
