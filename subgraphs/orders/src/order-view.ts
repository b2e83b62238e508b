import { money } from '@shop/platform';
import type { OrderStatusChangedV1 } from '@shop/schema';
import type { Order as OrderType } from './__generated__/resolvers-types.js';
import type { Order } from './order.entity.js';

/**
 * The GraphQL parent of an Order (codegen.ts maps Order to it): the row's own fields plus its
 * `version` (not in the schema: it orders the `statusHistory` and joins `orderStatusChanged`'s
 * snapshot with its events). `items` and `statusHistory` are resolved by field resolvers (batched
 * per request) and `customer` is a User reference the users subgraph resolves.
 */
export type OrderView = Omit<OrderType, 'items' | 'statusHistory' | 'customer'> & {
  customer: { id: string };
  version: number;
};

/** An order row as the GraphQL parent every Order field resolves from (queries and subscriptions alike). */
export const toOrder = (row: Order): OrderView => ({
  id: row.id,
  status: row.status,
  cancellationReason: row.cancellationReason ?? null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  total: money(row.totalMinor, row.currencyCode),
  shippingAddress: {
    line1: row.line1,
    line2: row.line2 ?? null,
    city: row.city,
    postalCode: row.postalCode,
    country: row.country,
  },
  customer: { id: row.customerId },
  version: row.version,
});

/**
 * The order after a status change, from the order before it and the change's event: a transition
 * only ever moves `status`, `cancellationReason`, `updatedAt` (the event's `changedAt`) and
 * `version`, so this equals `toOrder` of the row re-read after the change (unit-tested), without a
 * read per event. Pure; the caller checks that the event is the next version of this order.
 */
export function applyStatusChange(previous: OrderView, change: OrderStatusChangedV1): OrderView {
  if (change.orderId !== previous.id)
    throw new Error(`a change of order ${change.orderId} for ${previous.id}`);
  return {
    ...previous,
    status: change.status,
    cancellationReason: change.cancellationReason,
    updatedAt: new Date(change.changedAt),
    version: change.version,
  };
}
