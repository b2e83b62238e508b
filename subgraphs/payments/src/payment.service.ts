import { recordEvent, type EntityManager, type OutboxRelay } from '@shop/platform';
import {
  PAYMENT_DECLINED_V1,
  PAYMENT_REFUNDED_V1,
  PAYMENT_SUCCEEDED_V1,
  type OrderCancelledV1,
  type OrderPlacedV1,
  type PaymentDeclinedV1,
  type PaymentRefundedV1,
  type PaymentSucceededV1,
  type StockReservedV1,
} from '@shop/schema';
import { Payment, PaymentSignal, type PaymentStatus } from './payment.entity.js';
import type { PaymentProvider } from './payment-provider.js';

/** A payment as readers see it (no ORM entity leaves this service). */
export interface PaymentView {
  id: string;
  orderId: string;
  customerId: string;
  status: PaymentStatus;
  amountMinor: number;
  currencyCode: string;
  createdAt: Date;
  updatedAt: Date;
}

const view = (p: Payment): PaymentView => ({
  id: p.id,
  orderId: p.orderId,
  customerId: p.customerId,
  status: p.status,
  amountMinor: p.amountMinor,
  currencyCode: p.currencyCode,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that can name a row (a malformed id names none, and must not reach a uuid column). */
const uuids = (ids: readonly string[]) => [
  ...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase())),
];

/** The provider idempotency key of an order's refund (its charge's key is the order id itself). */
export const refundKey = (orderId: string) => `refund:${orderId}`;

export interface PaymentServiceOptions {
  provider: PaymentProvider;
  /** Woken after each commit so the payment events leave at once. */
  relay: Pick<OutboxRelay, 'nudge'>;
}

/**
 * Payments of orders, driven by the order flow's events. Every method runs inside the caller's
 * transaction (the consumer's `applyOnce`), so the status change and its outbox event commit
 * together, with the processed-event record.
 *
 * Ordering: the three inputs (order placed, stock reserved, order cancelled) arrive on different
 * topics, so any order is possible. Each method first takes a transaction-scoped advisory lock on
 * the order id, so one order's events are applied one after another even across replicas; a fact
 * about an order payments has not seen yet is kept in `payment_signal` and applied when the order
 * is placed.
 *
 * Charging: the provider is called inside the transaction, with the order id as idempotency key.
 * If the process dies (or the commit fails) after the provider charged, nothing of ours is
 * committed, the event is delivered again, and the provider answers the same charge again: at most
 * one charge per order.
 */
export class PaymentService {
  constructor(private readonly options: PaymentServiceOptions) {}

  /** `orders.order.placed.v1`: the PENDING payment (once per order), charged at once if already due. */
  async orderPlaced(em: EntityManager, placed: OrderPlacedV1): Promise<void> {
    await lockOrder(em, placed.orderId);
    if (await em.findOne(Payment, { orderId: placed.orderId })) return;
    const signal = await em.findOne(PaymentSignal, { orderId: placed.orderId });
    const payment = em.create(Payment, {
      id: crypto.randomUUID(),
      orderId: placed.orderId,
      customerId: placed.customerId,
      amountMinor: placed.totalMinor,
      currencyCode: placed.currencyCode,
      paymentToken: placed.paymentToken,
      status: 'PENDING',
      stockReservedAt: signal?.stockReservedAt ?? null,
      cancelledAt: signal?.cancelledAt ?? null,
    });
    if (signal) em.remove(signal);
    await em.flush();
    await this.chargeIfDue(em, payment);
  }

  /** `inventory.stock.reserved.v1`: the payment is due; charged once unless the order was cancelled. */
  async stockReserved(em: EntityManager, reserved: StockReservedV1): Promise<void> {
    await lockOrder(em, reserved.orderId);
    const payment = await em.findOne(Payment, { orderId: reserved.orderId });
    if (!payment) {
      const signal = await this.signal(em, reserved.orderId);
      signal.stockReservedAt ??= new Date(reserved.reservedAt);
      return;
    }
    payment.stockReservedAt ??= new Date(reserved.reservedAt);
    await this.chargeIfDue(em, payment);
  }

  /**
   * `orders.order.cancelled.v1`: a succeeded payment is refunded (REFUNDED); a PENDING one is marked
   * so that it is never charged (its status stays PENDING); a declined or refunded one is left alone.
   */
  async orderCancelled(em: EntityManager, cancelled: OrderCancelledV1): Promise<void> {
    await lockOrder(em, cancelled.orderId);
    const payment = await em.findOne(Payment, { orderId: cancelled.orderId });
    if (!payment) {
      const signal = await this.signal(em, cancelled.orderId);
      signal.cancelledAt ??= new Date(cancelled.cancelledAt);
      return;
    }
    payment.cancelledAt ??= new Date(cancelled.cancelledAt);
    if (payment.status !== 'SUCCEEDED') return;
    const { refundRef } = await this.options.provider.refund({
      idempotencyKey: refundKey(payment.orderId),
      providerRef: payment.providerRef!,
      amountMinor: payment.amountMinor,
    });
    payment.status = 'REFUNDED';
    payment.refundRef = refundRef;
    recordEvent<PaymentRefundedV1>(em, PAYMENT_REFUNDED_V1, payment.orderId, {
      ...facts(payment),
      refundedAt: new Date().toISOString(),
    });
  }

  /** Wakes the outbox relay; call after the transaction committed. */
  published(): void {
    this.options.relay.nudge();
  }

  /** Payments by id (for `_entities`), in any order; unknown and malformed ids are left out. */
  async findByIds(em: EntityManager, ids: readonly string[]): Promise<PaymentView[]> {
    const wanted = uuids(ids);
    return wanted.length ? (await em.find(Payment, { id: { $in: wanted } })).map(view) : [];
  }

  /** Payments by order id (for `Order.payment`), in any order. */
  async findByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<PaymentView[]> {
    const wanted = uuids(orderIds);
    return wanted.length ? (await em.find(Payment, { orderId: { $in: wanted } })).map(view) : [];
  }

  /** Charges a PENDING payment whose stock is reserved and whose order is not cancelled; else nothing. */
  private async chargeIfDue(em: EntityManager, payment: Payment): Promise<void> {
    if (payment.status !== 'PENDING' || payment.cancelledAt || !payment.stockReservedAt) return;
    const result = await this.options.provider.charge({
      idempotencyKey: payment.orderId,
      amountMinor: payment.amountMinor,
      currencyCode: payment.currencyCode,
      token: payment.paymentToken,
    });
    payment.providerRef = result.providerRef;
    const at = new Date().toISOString();
    if (result.outcome === 'succeeded') {
      payment.status = 'SUCCEEDED';
      recordEvent<PaymentSucceededV1>(em, PAYMENT_SUCCEEDED_V1, payment.orderId, {
        ...facts(payment),
        succeededAt: at,
      });
    } else {
      payment.status = 'DECLINED';
      payment.declineReason = result.reason ?? 'declined';
      recordEvent<PaymentDeclinedV1>(em, PAYMENT_DECLINED_V1, payment.orderId, {
        ...facts(payment),
        reason: payment.declineReason,
        declinedAt: at,
      });
    }
  }

  private async signal(em: EntityManager, orderId: string): Promise<PaymentSignal> {
    return (
      (await em.findOne(PaymentSignal, { orderId })) ??
      em.create(PaymentSignal, { orderId, stockReservedAt: null, cancelledAt: null })
    );
  }
}

const facts = (payment: Payment) => ({
  orderId: payment.orderId,
  paymentId: payment.id,
  amountMinor: payment.amountMinor,
  currencyCode: payment.currencyCode,
});

/**
 * Serialises everything payments does for one order until the transaction ends (a transaction-scoped
 * advisory lock on the order id): the placed, reserved and cancelled handlers of one order never
 * interleave, so a fact kept in `payment_signal` cannot be missed by a concurrent `orderPlaced`.
 */
async function lockOrder(em: EntityManager, orderId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      `select pg_advisory_xact_lock(hashtext('payments.order'), hashtext(?))`,
      [orderId],
      'all',
      em.getTransactionContext(),
    );
}
