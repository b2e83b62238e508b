import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The sandbox payment provider's own ledger of charges: what the provider side remembers, apart
 * from payments' tables and committed in its own transactions (as a real provider's would be), so
 * that "at most one charge per order" can be checked here. One row per idempotency key.
 */
export const SandboxCharge = defineEntity({
  name: 'SandboxCharge',
  tableName: 'sandbox_charge',
  properties: {
    /** The caller's idempotency key (payments uses the order id). */
    idempotencyKey: p.string().primary(),
    providerRef: p.string().unique(),
    amountMinor: p.integer(),
    currencyCode: p.string().length(3),
    token: p.text(),
    outcome: p.enum(['succeeded', 'declined'] as const),
    reason: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SandboxCharge = InferEntity<typeof SandboxCharge>;

/** The sandbox provider's refunds: at most one per idempotency key and one (full) per charge. */
export const SandboxRefund = defineEntity({
  name: 'SandboxRefund',
  tableName: 'sandbox_refund',
  properties: {
    idempotencyKey: p.string().primary(),
    refundRef: p.string().unique(),
    /** The refunded charge; unique: a charge is refunded in full, once. */
    chargeRef: p.string().unique(),
    amountMinor: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type SandboxRefund = InferEntity<typeof SandboxRefund>;
