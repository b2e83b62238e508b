import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** Where a payment stands (the contract's PaymentStatus). */
export const PaymentStatus = ['PENDING', 'SUCCEEDED', 'DECLINED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PaymentStatus)[number];

/**
 * The payment of one order (at most one per order). Created PENDING from `orders.order.placed.v1`
 * with what is needed to charge it; charged once through the provider (idempotency key = order id)
 * when the order's stock is reserved. `cancelledAt` is internal: an order cancelled before it was
 * charged keeps status PENDING (the contract has no other value for "never charged") and is never
 * charged afterwards.
 */
export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid().unique(),
    /** The order's customer: the only non-admin who may read the payment. */
    customerId: p.uuid(),
    /** The order's total in minor units of `currencyCode`. */
    amountMinor: p.integer(),
    currencyCode: p.string().length(3),
    /** The provider's token from `placeOrder` (sandbox: `tok_...`). */
    paymentToken: p.text(),
    status: p.enum(PaymentStatus),
    /** The provider's id of the charge, once charged (succeeded or declined). */
    providerRef: p.string().nullable(),
    /** The provider's reason for a decline. */
    declineReason: p.string().nullable(),
    /** The provider's id of the refund, once refunded. */
    refundRef: p.string().nullable(),
    /** The order's stock was reserved: the payment is due (charged at once unless cancelled). */
    stockReservedAt: p.datetime().nullable(),
    /** The order was cancelled; a PENDING payment is then never charged. */
    cancelledAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ name: 'payment_customer_id_index', properties: ['customerId'] }],
  checks: [{ name: 'payment_amount_minor_not_negative', expression: 'amount_minor >= 0' }],
});
export type Payment = InferEntity<typeof Payment>;

/**
 * Facts about an order that reached payments before the order itself: `inventory.stock.reserved.v1`
 * and `orders.order.cancelled.v1` travel on other topics than `orders.order.placed.v1`, so nothing
 * orders them. When the placed event arrives, the payment is created with these facts applied (and
 * charged at once if the stock was reserved and the order not cancelled); the row is then deleted.
 */
export const PaymentSignal = defineEntity({
  name: 'PaymentSignal',
  tableName: 'payment_signal',
  properties: {
    orderId: p.uuid().primary(),
    stockReservedAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PaymentSignal = InferEntity<typeof PaymentSignal>;
