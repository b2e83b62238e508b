/**
 * The order state machine, as a pure function (no database, no clock): which statuses an order
 * enters when something happens to it. `order.service.ts` applies the steps it returns (one history
 * row and one `version` increment each) and refuses what it refuses.
 *
 *   PENDING  --stock reserved-->      RESERVED
 *   RESERVED --payment succeeded-->   CONFIRMED
 *   PENDING  --stock rejected-->      CANCELLED (OUT_OF_STOCK)
 *   RESERVED --payment declined-->    CANCELLED (PAYMENT_DECLINED)
 *   not CANCELLED --cancelOrder-->    CANCELLED (CUSTOMER_CANCELLED)
 *   PENDING|RESERVED --settlement timeout-->     CANCELLED (EXPIRED)
 *   not CANCELLED    --stock released (expired)--> CANCELLED (EXPIRED)
 *
 * Cross-topic ordering: stock and payment events travel on different topics, so a payment outcome
 * may be processed before the `stock.reserved` that preceded it (payments only charges a reserved
 * order). A payment success on a PENDING order therefore applies RESERVED then CONFIRMED (two history
 * rows); a decline on a PENDING order cancels it PAYMENT_DECLINED. The late `stock.reserved` is then
 * stale and ignored.
 *
 * Expiry: orders is the only writer of an order's status, so orders decides when an order that
 * never settled is given up: its settlement sweeper cancels a PENDING or RESERVED order past
 * `ORDER_SETTLEMENT_TIMEOUT_SECONDS` (a CONFIRMED one has settled and is left alone). Inventory's
 * own expiry is a much later backstop; when it does release an order's stock on its own
 * (`inventory.stock.released.v1`), that reservation can never be committed any more, so the order
 * is cancelled EXPIRED from any status short of CANCELLED: also from CONFIRMED (the payment raced
 * ahead of inventory's lagging consumer), which would otherwise stay confirmed without stock, i.e.
 * oversold; its cancellation refunds the payment. Every event arriving after an expiry is for a
 * CANCELLED order and changes nothing.
 */
export const ORDER_STATUSES = ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const CANCELLATION_REASONS = [
  'OUT_OF_STOCK',
  'PAYMENT_DECLINED',
  'CUSTOMER_CANCELLED',
  'EXPIRED',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** What can happen to an order. */
export type OrderTrigger =
  | 'STOCK_RESERVED'
  | 'STOCK_REJECTED'
  | 'PAYMENT_SUCCEEDED'
  | 'PAYMENT_DECLINED'
  | 'CUSTOMER_CANCELLED'
  /** Orders' settlement sweeper: the order is still unsettled after the timeout. */
  | 'SETTLEMENT_TIMED_OUT'
  /** `inventory.stock.released.v1`: inventory's backstop gave the order's stock back. */
  | 'STOCK_RELEASED';

/** One status the order enters (with the reason when it is CANCELLED). */
export interface TransitionStep {
  status: OrderStatus;
  cancellationReason?: CancellationReason;
}

export type TransitionResult =
  /** Enter these statuses, in order (never empty). */
  | { kind: 'apply'; steps: TransitionStep[] }
  /** Already there, or a stale event the order has moved past: change nothing. */
  | { kind: 'ignore'; why: string }
  /** Not allowed from this status: change nothing (cancelOrder reports it as BAD_USER_INPUT). */
  | { kind: 'illegal'; why: string };

const cancel = (cancellationReason: CancellationReason): TransitionResult => ({
  kind: 'apply',
  steps: [{ status: 'CANCELLED', cancellationReason }],
});

/** The statuses an order in `status` enters on `trigger`. Pure. */
export function transition(status: OrderStatus, trigger: OrderTrigger): TransitionResult {
  if (status === 'CANCELLED') {
    return trigger === 'CUSTOMER_CANCELLED'
      ? { kind: 'illegal', why: 'the order is already cancelled' }
      : { kind: 'ignore', why: `${trigger} for a cancelled order` };
  }
  switch (trigger) {
    case 'CUSTOMER_CANCELLED':
      return cancel('CUSTOMER_CANCELLED');
    case 'STOCK_RESERVED':
      return status === 'PENDING'
        ? { kind: 'apply', steps: [{ status: 'RESERVED' }] }
        : { kind: 'ignore', why: `stock reserved for a ${status} order` };
    case 'STOCK_REJECTED':
      return status === 'PENDING'
        ? cancel('OUT_OF_STOCK')
        : { kind: 'illegal', why: `stock rejected for a ${status} order` };
    case 'PAYMENT_SUCCEEDED':
      if (status === 'PENDING')
        return { kind: 'apply', steps: [{ status: 'RESERVED' }, { status: 'CONFIRMED' }] };
      if (status === 'RESERVED') return { kind: 'apply', steps: [{ status: 'CONFIRMED' }] };
      return { kind: 'ignore', why: 'payment succeeded for a CONFIRMED order' };
    case 'PAYMENT_DECLINED':
      return status === 'CONFIRMED'
        ? { kind: 'illegal', why: 'payment declined for a CONFIRMED order' }
        : cancel('PAYMENT_DECLINED');
    case 'SETTLEMENT_TIMED_OUT':
      return status === 'CONFIRMED'
        ? { kind: 'ignore', why: 'a CONFIRMED order has settled' }
        : cancel('EXPIRED');
    case 'STOCK_RELEASED':
      // From CONFIRMED too: the released units are gone, so the order is refunded, not oversold.
      return cancel('EXPIRED');
  }
}
