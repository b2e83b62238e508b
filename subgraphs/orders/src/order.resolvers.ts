import {
  badUserInput,
  DateTimeScalar,
  DecimalScalar,
  entityLoader,
  forbidden,
  money,
  notFound,
  perRequest,
  requireViewer,
  snapshotThenStream,
  type EventEnvelope,
} from '@shop/platform';
import type { OrderStatusChangedV1 } from '@shop/schema';
import DataLoader from 'dataloader';
import type { OrderItem, Resolvers, StatusChange } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor.js';
import type { Order, OrderStatusChange } from './order.entity.js';
import { isFinalStatus } from './order-status.js';
import { applyStatusChange, toOrder, type OrderView } from './order-view.js';
import { isAdmin, mayAccess, type OrderService } from './order.service.js';
import type { PlaceOrderRequest } from './order.validation.js';

/** Where `orderStatusChanged` gets its events: this replica's live view of the status-changed topic, by order id. */
export interface OrderStatusFeed {
  subscribe(options: { key: string }): AsyncIterableIterator<EventEnvelope<OrderStatusChangedV1>>;
}

/**
 * Orders' GraphQL resolvers: thin, over OrderService. Another customer's order is never shown:
 * `order(id)` and the Order entity resolve it to null (no existence leak), `cancelOrder` and
 * `orderStatusChanged` say NOT_FOUND.
 */
export function orderResolvers(orders: OrderService, feed: OrderStatusFeed): Resolvers {
  const byId = entityLoader<Context, string, Order>(
    (ctx, ids) => orders.findByIds(ctx.em, ids),
    (o) => o.id,
  );
  const linesOf = perRequest(
    (ctx: Context) =>
      new DataLoader<string, OrderItem[]>(async (ids) => {
        const lines = await orders.linesOf(ctx.em, ids);
        return ids.map((id) =>
          lines
            .filter((l) => l.orderId === id)
            .map((l) => ({
              quantity: l.quantity,
              unitPrice: money(l.unitPriceMinor, l.currencyCode),
              lineTotal: money(l.unitPriceMinor * l.quantity, l.currencyCode),
              product: { id: l.productId },
            })),
        );
      }),
  );
  const historyOf = perRequest(
    (ctx: Context) =>
      new DataLoader<string, OrderStatusChange[]>(async (ids) => {
        const changes = await orders.historyOf(ctx.em, ids);
        return ids.map((id) => changes.filter((c) => c.orderId === id));
      }),
  );
  /** The order when the viewer may see it, else null. UNAUTHENTICATED when signed out. */
  const visibleOrder = async (ctx: Context, id: string) => {
    const viewer = requireViewer(ctx.viewer);
    const row = await byId(ctx).load(id.toLowerCase());
    return row && mayAccess(viewer, row) ? toOrder(row) : null;
  };

  return {
    DateTime: DateTimeScalar,
    Decimal: DecimalScalar,
    Query: {
      order: (_parent, { id }, ctx) => visibleOrder(ctx, id),
    },
    Mutation: {
      async placeOrder(_parent, { input }, ctx) {
        const viewer = requireViewer(ctx.viewer);
        return toOrder(await orders.place(ctx.em, viewer, input as PlaceOrderRequest));
      },
      async cancelOrder(_parent, { id }, ctx) {
        const viewer = requireViewer(ctx.viewer);
        return toOrder(await orders.cancel(ctx.em, viewer, id));
      },
    },
    Subscription: {
      orderStatusChanged: {
        async subscribe(_parent, { orderId }, ctx) {
          const viewer = requireViewer(ctx.viewer);
          // Refused before anything streams, with no data: NOT_FOUND for an unknown id and for
          // someone else's order alike, as `order(id)` hides them.
          const { id } = await orders.findVisible(ctx.em, viewer, orderId);
          return snapshotThenStream<OrderView, EventEnvelope<OrderStatusChangedV1>>({
            subscribe: () => feed.subscribe({ key: id }),
            // A fresh fork per load (the snapshot, and again on a version gap); access checked each time.
            load: async () => toOrder(await orders.findVisible(ctx.em.fork(), viewer, id)),
            version: (order) => order.version,
            eventVersion: (event) => event.payload.version,
            apply: (event, previous) => {
              // Per event: an order's customer never changes, so this is a comparison, not a read.
              if (!mayAccess(viewer, { customerId: event.payload.customerId }))
                throw notFound('Order not found');
              return applyStatusChange(previous, event.payload);
            },
            isFinal: (order) => isFinalStatus(order.status),
          });
        },
        // Each state is the Order itself; its items and history resolve with the event's fresh context.
        resolve: (order: OrderView) => order,
      },
    },
    Order: {
      __resolveReference: (reference, ctx) => visibleOrder(ctx, reference.id),
      items: (order, _args, ctx) => linesOf(ctx).load(order.id),
      // Up to the parent's version: a state sent by `orderStatusChanged` (or read just before a
      // concurrent transition committed) never shows a later status in its history.
      async statusHistory(order, _args, ctx) {
        const changes = await historyOf(ctx).load(order.id);
        return changes
          .filter((c) => c.version <= order.version)
          .map((c): StatusChange => ({ status: c.status, at: c.at }));
      },
    },
    User: {
      __resolveReference: (reference) => ({ id: reference.id }),
      async orders(user, { first, after }, ctx) {
        const viewer = requireViewer(ctx.viewer);
        if (viewer.id !== user.id && !isAdmin(viewer))
          throw forbidden('Only the user themself may list their orders');
        if (!Number.isInteger(first) || first < 1 || first > 100)
          throw badUserInput('first must be 1 to 100', 'first');
        const position = after != null ? decodeOrderCursor(after) : undefined;
        const page = await orders.page(ctx.em, user.id.toLowerCase(), first, position);
        const edges = page.orders.map((row) => ({ cursor: encodeOrderCursor(row), node: toOrder(row) }));
        return {
          totalCount: page.totalCount,
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
