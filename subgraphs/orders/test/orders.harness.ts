import { randomUUID } from 'node:crypto';
import { type EventConsumer, type EventEnvelope, type SubgraphRuntime } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_STATUS_CHANGED_V1,
  orderCancelledV1,
  orderConfirmedV1,
  orderPlacedV1,
  orderStatusChangedV1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderPlacedV1,
  type OrderStatusChangedV1,
} from '@shop/schema';
import { buildApp, type OrdersOptions } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/**
 * Starts orders on port 0 against a fresh database, with its own consumer group. `options` tune the
 * settlement sweeper (by default its timeout is an hour, so no test order expires unless asked to).
 * With `replicaOf`, starts another replica of that orders instead: same database, Kafka namespace,
 * issuer and durable consumer group (the partitions are shared between the replicas, as in
 * production); each replica has its own live-events consumer.
 */
export async function startOrders(
  productsUrl: string,
  options: Pick<
    OrdersOptions,
    'settlementTimeoutMs' | 'settlementSweepIntervalMs' | 'maxUnsettledOrders' | 'admissionCountMs'
  > & {
    replicaOf?: OrdersUnderTest;
  } = {},
) {
  const { replicaOf, ...tuning } = options;
  const subgraph = await startTestSubgraph({
    name: 'orders',
    entities,
    migrations,
    buildApp: (runtime) =>
      buildApp(runtime, {
        productsUrl,
        settlementTimeoutMs: 3_600_000,
        ...tuning,
      }),
    ...(replicaOf ? { replicaOf } : {}),
  });
  return subgraph;
}
export type OrdersUnderTest = TestSubgraph;

export interface Observed {
  placed: EventEnvelope<OrderPlacedV1>[];
  confirmed: EventEnvelope<OrderConfirmedV1>[];
  cancelled: EventEnvelope<OrderCancelledV1>[];
  statusChanged: EventEnvelope<OrderStatusChangedV1>[];
  consumer: EventConsumer;
}

/** Consumes what orders publishes (through its outbox and relay) with a group of its own. */
export async function observe(runtime: SubgraphRuntime): Promise<Observed> {
  const seen = {
    placed: [] as EventEnvelope<OrderPlacedV1>[],
    confirmed: [] as EventEnvelope<OrderConfirmedV1>[],
    cancelled: [] as EventEnvelope<OrderCancelledV1>[],
    statusChanged: [] as EventEnvelope<OrderStatusChangedV1>[],
  };
  const consumer = await runtime.kafka.consume({
    groupId: `orders-observer-${randomUUID().slice(0, 8)}`,
    deadLetterTopic: 'orders.dlq',
    handlers: {
      [ORDER_PLACED_V1]: {
        parse: orderPlacedV1.parse,
        handle: async (e: EventEnvelope<OrderPlacedV1>) => void seen.placed.push(e),
      },
      [ORDER_CONFIRMED_V1]: {
        parse: orderConfirmedV1.parse,
        handle: async (e: EventEnvelope<OrderConfirmedV1>) => void seen.confirmed.push(e),
      },
      [ORDER_CANCELLED_V1]: {
        parse: orderCancelledV1.parse,
        handle: async (e: EventEnvelope<OrderCancelledV1>) => void seen.cancelled.push(e),
      },
      [ORDER_STATUS_CHANGED_V1]: {
        parse: orderStatusChangedV1.parse,
        handle: async (e: EventEnvelope<OrderStatusChangedV1>) => void seen.statusChanged.push(e),
      },
    },
  });
  return Object.assign(seen, { consumer });
}

/**
 * The status changes `seen` for `orderId` as `[status, previousStatus, cancellationReason, version]`,
 * in the order they were consumed (one partition per order, so in publish order).
 */
export const statusChangesOf = (seen: Observed, orderId: string) =>
  seen.statusChanged
    .filter((e) => e.payload.orderId === orderId)
    .map((e) => [
      e.payload.status,
      e.payload.previousStatus,
      e.payload.cancellationReason,
      e.payload.version,
    ]);

export const customerToken = (subgraph: TestSubgraph, id = randomUUID()) =>
  subgraph.issuer.token(id, { roles: ['CUSTOMER'] });
export const adminToken = (subgraph: TestSubgraph) =>
  subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });

export const ADDRESS = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'de' };

export const orderInput = (
  items: { productId: string; quantity: number }[],
  overrides: Record<string, unknown> = {},
) => ({
  idempotencyKey: randomUUID(),
  items,
  paymentToken: 'tok_visa',
  shippingAddress: ADDRESS,
  ...overrides,
});

export const ORDER_FIELDS = /* GraphQL */ `
  id
  status
  cancellationReason
  createdAt
  updatedAt
  total { amount currencyCode }
  shippingAddress { line1 line2 city postalCode country }
  items { quantity unitPrice { amount currencyCode } lineTotal { amount currencyCode } product { id } }
  statusHistory { status at }
  customer { id }
`;

export const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }
`;
export const ORDER = /* GraphQL */ `
  query Order($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }
`;
export const CANCEL_ORDER = /* GraphQL */ `
  mutation CancelOrder($id: ID!) {
    cancelOrder(id: $id) {
      id
      status
      cancellationReason
    }
  }
`;

/** Rows of a table (test inspection only). */
export async function count(runtime: SubgraphRuntime, table: string): Promise<number> {
  const [row] = await runtime.orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${table}`);
  return Number(row!.n);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
