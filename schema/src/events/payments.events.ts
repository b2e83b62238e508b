import { z } from 'zod';

const paymentFacts = {
  orderId: z.guid(),
  paymentId: z.guid(),
  amountMinor: z.number().int().min(0),
  currencyCode: z.string().length(3),
};

/** The order's charge succeeded (at most one per order). Keyed by `orderId`. The order is confirmed. */
export const PAYMENT_SUCCEEDED_V1 = 'payments.payment.succeeded.v1';

export const paymentSucceededV1 = z.object({
  ...paymentFacts,
  succeededAt: z.iso.datetime({ offset: true }),
});
export type PaymentSucceededV1 = z.infer<typeof paymentSucceededV1>;

/** The order's charge was declined. Keyed by `orderId`. The order is cancelled PAYMENT_DECLINED. */
export const PAYMENT_DECLINED_V1 = 'payments.payment.declined.v1';

export const paymentDeclinedV1 = z.object({
  ...paymentFacts,
  /** The provider's reason, e.g. `card_declined`, `insufficient_funds`. */
  reason: z.string(),
  declinedAt: z.iso.datetime({ offset: true }),
});
export type PaymentDeclinedV1 = z.infer<typeof paymentDeclinedV1>;

/** A succeeded charge was refunded (the confirmed order was cancelled). Keyed by `orderId`. */
export const PAYMENT_REFUNDED_V1 = 'payments.payment.refunded.v1';

export const paymentRefundedV1 = z.object({ ...paymentFacts, refundedAt: z.iso.datetime({ offset: true }) });
export type PaymentRefundedV1 = z.infer<typeof paymentRefundedV1>;
