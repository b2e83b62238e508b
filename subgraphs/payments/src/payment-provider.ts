/**
 * The payment provider as payments uses it. Both calls are idempotent by `idempotencyKey`: calling
 * again with a key already used returns the first call's result and moves no money, which is what
 * makes a redelivered event or a crash between the provider's answer and payments' commit safe.
 */
export interface PaymentProvider {
  /** Charges `amountMinor` of `currencyCode` to `token`. A decline is a result, not an error. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds a succeeded charge in full. Rejects for an unknown or declined charge. */
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface ChargeRequest {
  idempotencyKey: string;
  amountMinor: number;
  currencyCode: string;
  token: string;
}

export interface ChargeResult {
  /** The provider's id of the charge (also for a decline). */
  providerRef: string;
  outcome: 'succeeded' | 'declined';
  /** Why a charge was declined, e.g. `card_declined`. */
  reason?: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** The charge to refund. */
  providerRef: string;
  amountMinor: number;
}

export interface RefundResult {
  refundRef: string;
}
