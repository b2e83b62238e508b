import { randomUUID } from 'node:crypto';
import { envelope, type EventConsumer, type EventEnvelope, type SubgraphRuntime } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph, waitFor } from '@shop/platform/testing';
import {
  ORDER_CANCELLED_V1,
  ORDER_PLACED_V1,
  STOCK_RESERVED_V1,
  type OrderCancelledV1,
  type OrderPlacedV1,
  type StockReservedV1,
} from '@shop/schema';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import type { PaymentProvider } from '../src/payment-provider.js';
import { createSandboxPaymentProvider } from '../src/sandbox-provider.js';

/**
 * The sandbox provider, counting calls, with a crash switch: for an order id in `crashAfterCharge`
 * the next charge really happens at the provider (its ledger commits) and then throws, as if the
 * payments process died between the provider's answer and its own commit.
 */
export function crashableSandbox(runtime: SubgraphRuntime) {
  const sandbox = createSandboxPaymentProvider(runtime.orm);
  const crashAfterCharge = new Set<string>();
  const chargeCalls = new Map<string, number>();
  const provider: PaymentProvider = {
    async charge(request) {
      chargeCalls.set(request.idempotencyKey, (chargeCalls.get(request.idempotencyKey) ?? 0) + 1);
      const result = await sandbox.charge(request);
      if (crashAfterCharge.delete(request.idempotencyKey)) {
        throw new Error('simulated crash after the provider charged, before payments committed');
      }
      return result;
    },
    refund: (request) => sandbox.refund(request),
  };
  return { provider, crashAfterCharge, chargeCalls };
}
export type CrashableSandbox = ReturnType<typeof crashableSandbox>;

/**
 * Payments on port 0 against a fresh database and its own Kafka namespace, with its consumer in a
 * group of its own and the crashable sandbox as provider.
 */
export async function startPayments() {
  let sandbox: CrashableSandbox | undefined;
  const subgraph = await startTestSubgraph({
    name: 'payments',
    entities,
    migrations,
    buildApp: (runtime) => {
      sandbox = crashableSandbox(runtime);
      return buildApp(runtime, { provider: sandbox.provider });
    },
  });
  return new PaymentsHarness(subgraph, sandbox!);
}

/** Everything a payments spec does: publish the flow's events, read the tables, watch the topics. */
export class PaymentsHarness {
  private probe?: EventConsumer;
  /** Every event seen on the topics `watch` subscribed to, in arrival order. */
  readonly seen: EventEnvelope<any>[] = [];

  constructor(
    readonly subgraph: TestSubgraph,
    readonly sandbox: CrashableSandbox,
  ) {}

  get runtime() {
    return this.subgraph.runtime;
  }

  /** Starts one consumer (its own group) that records everything published on `topics`. */
  async watch(topics: string[]) {
    this.probe = await this.runtime.kafka.consume({
      groupId: `probe-${randomUUID().slice(0, 8)}`,
      deadLetterTopic: `probe.dlq`,
      handlers: Object.fromEntries(
        topics.map((topic) => [
          topic,
          {
            parse: (payload: unknown) => payload,
            handle: async (event: EventEnvelope) => void this.seen.push(event),
          },
        ]),
      ),
    });
  }

  /**
   * The events of `topic` keyed `orderId` that payments published, once every one of them has
   * arrived: the outbox is flushed, then a marker is published on the same topic and key (hence
   * partition) and awaited, so nothing payments published before it can still be in flight.
   */
  async published(topic: string, orderId: string) {
    await this.runtime.relay.flush();
    const marker = envelope(topic, orderId, { marker: true });
    await this.runtime.producer.publish([marker]);
    await waitFor(() => this.seen.some((e) => e.id === marker.id), 30_000, `marker on ${topic}`);
    return this.seen.filter((e) => e.type === topic && e.key === orderId && e.id !== marker.id);
  }

  /** Publishes fresh envelopes (or the given ones again) to the real topics. */
  async publish(...events: EventEnvelope[]) {
    await this.runtime.producer.publish(events);
    return events;
  }

  placed(order: OrderPlacedV1) {
    return envelope(ORDER_PLACED_V1, order.orderId, order);
  }

  reserved(orderId: string) {
    const payload: StockReservedV1 = {
      orderId,
      items: [{ productId: randomUUID(), quantity: 1 }],
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      reservedAt: new Date().toISOString(),
    };
    return envelope(STOCK_RESERVED_V1, orderId, payload);
  }

  cancelled(
    order: OrderPlacedV1,
    previousStatus: OrderCancelledV1['previousStatus'] = 'CONFIRMED',
    reason: OrderCancelledV1['reason'] = 'CUSTOMER_CANCELLED',
  ) {
    const payload: OrderCancelledV1 = {
      orderId: order.orderId,
      customerId: order.customerId,
      reason,
      previousStatus,
      cancelledAt: new Date().toISOString(),
    };
    return envelope(ORDER_CANCELLED_V1, order.orderId, payload);
  }

  /** Runs SQL against payments' database (assertions only). */
  sql<R = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<R[]> {
    return this.runtime.orm.em.fork().getConnection().execute<R[]>(query, params);
  }

  /** The payment row of an order, or undefined. */
  async payment(orderId: string) {
    const [row] = await this.sql<{
      id: string;
      status: string;
      amount_minor: number;
      currency_code: string;
      customer_id: string;
      provider_ref: string | null;
      decline_reason: string | null;
      refund_ref: string | null;
      cancelled_at: Date | null;
    }>('select * from payment where order_id = ?', [orderId]);
    return row;
  }

  /** The sandbox provider's charges for an order (its idempotency key). */
  sandboxCharges(orderId: string) {
    return this.sql<{ provider_ref: string; outcome: string; reason: string | null; amount_minor: number }>(
      'select provider_ref, outcome, reason, amount_minor from sandbox_charge where idempotency_key = ?',
      [orderId],
    );
  }

  sandboxRefunds(chargeRef: string) {
    return this.sql<{ refund_ref: string; amount_minor: number }>(
      'select refund_ref, amount_minor from sandbox_refund where charge_ref = ?',
      [chargeRef],
    );
  }

  /** Resolves once the consumer has applied (or skipped as duplicate) every event in `ids`. */
  async waitForProcessed(...ids: string[]) {
    await waitFor(
      async () => {
        const rows = await this.sql(
          `select 1 from processed_event where consumer = 'payments' and event_id in (${ids.map(() => '?').join(', ')})`,
          ids,
        );
        return rows.length === new Set(ids).size;
      },
      45_000,
      `processed events ${ids.join(', ')}`,
    );
  }

  async waitForStatus(orderId: string, status: string) {
    await waitFor(async () => (await this.payment(orderId))?.status === status, 45_000, `payment ${status}`);
  }

  stop = async () => {
    await this.probe?.stop();
    // Leftover test events are nobody's business: drop them rather than publish them at shutdown.
    await this.sql('delete from outbox_message').catch(() => undefined);
    await this.subgraph.stop();
  };
}

/** An `orders.order.placed.v1` payload as orders publishes it; override fields per test. */
export const orderPlaced = (patch: Partial<OrderPlacedV1> = {}): OrderPlacedV1 => ({
  orderId: randomUUID(),
  customerId: randomUUID(),
  items: [{ productId: randomUUID(), quantity: 2, unitPriceMinor: 1999 }],
  totalMinor: 3998,
  currencyCode: 'USD',
  paymentToken: 'tok_visa',
  placedAt: new Date().toISOString(),
  ...patch,
});

export const PAYMENT_ENTITIES = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Payment {
        id
        status
        amount {
          amount
          currencyCode
        }
        createdAt
        updatedAt
      }
    }
  }
`;

export const ORDER_PAYMENT = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Order {
        id
        payment {
          id
          status
          amount {
            amount
            currencyCode
          }
        }
      }
    }
  }
`;
