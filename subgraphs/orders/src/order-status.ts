import type { OrderStatusChangedV1 } from '@shop/schema';
import type { Order } from './order.entity.js';
import type { OrderStatus } from './order-state.js';

/** Statuses after which an order never changes again (`orderStatusChanged` completes after them). */
export const FINAL_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'CANCELLED'];

/** True for CONFIRMED and CANCELLED. */
export const isFinalStatus = (status: OrderStatus) => FINAL_STATUSES.includes(status);

/**
 * The `orders.order.status-changed.v1` payload for `order` as it is right after a transition from
 * `previousStatus` (null when the order was just created). Pure: the caller records it in the
 * transition's own transaction. `changedAt` is the order's `updatedAt`, so a subscriber that applies
 * the event shows the same `updatedAt` as a fresh read of the order.
 */
export function statusChangedPayload(
  order: Pick<Order, 'id' | 'customerId' | 'status' | 'cancellationReason' | 'version' | 'updatedAt'>,
  previousStatus: OrderStatus | null,
): OrderStatusChangedV1 {
  return {
    orderId: order.id,
    customerId: order.customerId,
    status: order.status,
    previousStatus,
    cancellationReason: order.cancellationReason ?? null,
    version: order.version,
    changedAt: order.updatedAt.toISOString(),
  };
}
