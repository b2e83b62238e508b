import {
  badUserInput,
  DateTimeScalar,
  DecimalScalar,
  entityLoader,
  forbidden,
  money,
  perRequest,
  requireViewer,
} from '@shop/platform';
import DataLoader from 'dataloader';
import type {
  Order as OrderType,
  OrderItem,
  Resolvers,
  StatusChange,
  User as UserType,
} from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor.js';
import type { Order } from './order.entity.js';
import { isAdmin, mayAccess, type OrderService } from './order.service.js';
import type { PlaceOrderRequest } from './order.validation.js';

/**
 * The GraphQL parent of an Order: the row's own fields. `items` and `statusHistory` are resolved
 * by the field resolvers below (batched per request), `customer` is a User reference, so the cast
 * only states that those fields come later.
 */
const toOrder = (row: Order): OrderType =>
  ({
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
    customer: { id: row.customerId } as UserType,
  }) as OrderType;

/**
 * Orders' GraphQL resolvers: thin, over OrderService. Another customer's order is never shown:
 * `order(id)` and the Order entity resolve it to null (no existence leak), `cancelOrder` says NOT_FOUND.
 */
export function orderResolvers(orders: OrderService): Resolvers {
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
      new DataLoader<string, StatusChange[]>(async (ids) => {
        const changes = await orders.historyOf(ctx.em, ids);
        return ids.map((id) =>
          changes.filter((c) => c.orderId === id).map((c) => ({ status: c.status, at: c.at })),
        );
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
    Order: {
      __resolveReference: (reference, ctx) => visibleOrder(ctx, reference.id),
      items: (order, _args, ctx) => linesOf(ctx).load(order.id),
      statusHistory: (order, _args, ctx) => historyOf(ctx).load(order.id),
    },
    User: {
      __resolveReference: (reference) => ({ id: reference.id }) as UserType,
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
