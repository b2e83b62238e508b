import {
  DateTimeScalar,
  DecimalScalar,
  entityLoader,
  money,
  requireOwnerOrAdmin,
  requireViewer,
} from '@shop/platform';
import type { Payment, Resolvers } from './__generated__/resolvers-types.js';
import type { Context } from './context.js';
import type { PaymentService, PaymentView } from './payment.service.js';

const toPayment = (p: PaymentView): Payment => ({
  id: p.id,
  status: p.status,
  amount: money(p.amountMinor, p.currencyCode),
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

/** `Payment` (by id) and `Order.payment`, visible to the order's customer and to admins only. */
export function paymentResolvers(payments: PaymentService): Resolvers {
  // One query per request tick, however many representations `_entities` resolves.
  const byId = entityLoader<Context, string, PaymentView>(
    (ctx, ids) => payments.findByIds(ctx.em, ids),
    (p) => p.id,
  );
  const byOrderId = entityLoader<Context, string, PaymentView>(
    (ctx, ids) => payments.findByOrderIds(ctx.em, ids),
    (p) => p.orderId,
  );
  return {
    DateTime: DateTimeScalar,
    Decimal: DecimalScalar,
    Payment: {
      async __resolveReference(reference, ctx) {
        // Signed out is refused before looking, so existence is not revealed either.
        requireViewer(ctx.viewer);
        const payment = await byId(ctx).load(reference.id.toLowerCase());
        if (!payment) return null;
        requireOwnerOrAdmin(ctx.viewer, payment.customerId);
        return toPayment(payment);
      },
    },
    Order: {
      __resolveReference: (reference) => ({ id: reference.id }),
      async payment(order, _args, ctx) {
        requireViewer(ctx.viewer);
        const payment = await byOrderId(ctx).load(order.id.toLowerCase());
        if (!payment) return null;
        requireOwnerOrAdmin(ctx.viewer, payment.customerId);
        return toPayment(payment);
      },
    },
  };
}
