import { randomUUID } from 'node:crypto';
import { createLogger, envelope, type EventEnvelope, type SubgraphRuntime } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph, waitFor } from '@shop/platform/testing';
import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  USER_REGISTERED_V1,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderPlacedV1,
  type UserRegisteredV1,
} from '@shop/schema';
import { buildApp } from '../src/app.js';
import { LogEmailChannel } from '../src/email-channel.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/**
 * Starts notifications on port 0 against a fresh database, its own Kafka namespace (so its
 * `notifications` group is its own) and Redis key prefix, with a LogEmailChannel the test can read.
 */
export async function startNotifications({
  replicaOf,
}: { replicaOf?: TestSubgraph & { suffix: string } } = {}) {
  // A replica shares the database, Kafka namespace (hence the `notifications` consumer group, as
  // replicas do in production) and Redis prefix of the first one.
  const suffix = replicaOf?.suffix ?? randomUUID().slice(0, 8);
  const email = new LogEmailChannel(createLogger('email', { level: 'silent' }));
  const subgraph = await startTestSubgraph({
    name: 'notifications',
    entities,
    migrations,
    redis: true,
    redisKeyPrefix: `notifications:test-${suffix}:`,
    buildApp: (runtime) => buildApp(runtime, { email }),
    ...(replicaOf ? { replicaOf } : {}),
  });
  return Object.assign(subgraph, { email, suffix });
}
export type NotificationsUnderTest = Awaited<ReturnType<typeof startNotifications>>;

const now = () => new Date().toISOString();

/** Event factories: valid payloads with fresh ids unless given. */
export const events = {
  registered: (userId = randomUUID(), overrides: Partial<UserRegisteredV1> = {}) =>
    envelope<UserRegisteredV1>(USER_REGISTERED_V1, userId, {
      userId,
      email: `${userId.slice(0, 8)}@example.com`,
      name: 'Ada Lovelace',
      roles: ['CUSTOMER'],
      registeredAt: now(),
      ...overrides,
    }),
  placed: (customerId: string, orderId = randomUUID()) =>
    envelope<OrderPlacedV1>(ORDER_PLACED_V1, orderId, {
      orderId,
      customerId,
      items: [{ productId: randomUUID(), quantity: 2, unitPriceMinor: 1250 }],
      totalMinor: 2500,
      currencyCode: 'USD',
      paymentToken: 'tok_visa',
      placedAt: now(),
    }),
  confirmed: (customerId: string, orderId: string) =>
    envelope<OrderConfirmedV1>(ORDER_CONFIRMED_V1, orderId, {
      orderId,
      customerId,
      items: [{ productId: randomUUID(), quantity: 2, unitPriceMinor: 1250 }],
      totalMinor: 2500,
      currencyCode: 'USD',
      confirmedAt: now(),
    }),
  cancelled: (customerId: string, orderId: string, reason: OrderCancelledV1['reason'] = 'OUT_OF_STOCK') =>
    envelope<OrderCancelledV1>(ORDER_CANCELLED_V1, orderId, {
      orderId,
      customerId,
      reason,
      previousStatus: 'PENDING',
      cancelledAt: now(),
    }),
};

/** The same event again under a new envelope id (a producer re-publishing it). */
export const republished = <P>(event: EventEnvelope<P>): EventEnvelope<P> => ({ ...event, id: randomUUID() });

export const customerToken = (subgraph: TestSubgraph, id: string) =>
  subgraph.issuer.token(id, { roles: ['CUSTOMER'] });
export const adminToken = (subgraph: TestSubgraph) =>
  subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });

export const NOTIFICATION_FIELDS = /* GraphQL */ `id type title body read createdAt order { id }`;

/** `User.notifications` through `_entities`, as the router asks for `me { notifications }`. */
export const USER_NOTIFICATIONS = /* GraphQL */ `
  query($r: [_Any!]!, $first: Int, $after: String, $unreadOnly: Boolean) {
    _entities(representations: $r) {
      ... on User {
        id
        notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
          totalCount
          unreadCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { ${NOTIFICATION_FIELDS} } }
        }
      }
    }
  }
`;
export const NOTIFICATION_ENTITIES = /* GraphQL */ `
  query($r: [_Any!]!) { _entities(representations: $r) { ... on Notification { ${NOTIFICATION_FIELDS} } } }
`;
export const MARK_READ = /* GraphQL */ `
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      read
    }
  }
`;
export const MARK_ALL_READ = /* GraphQL */ `
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`;

export interface NotificationNode {
  id: string;
  type: string;
  title: string;
  body: string;
  read: boolean;
  createdAt: string;
  order: { id: string } | null;
}

/** Reads `userId`'s notifications over HTTP (as `token`, default the user's own). */
export async function notificationsOf(
  subgraph: TestSubgraph,
  userId: string,
  variables: { first?: number; after?: string; unreadOnly?: boolean } = {},
  token?: string,
) {
  const response = await subgraph.request(
    USER_NOTIFICATIONS,
    { r: [{ __typename: 'User', id: userId }], ...variables },
    token ?? (await customerToken(subgraph, userId)),
  );
  return { response, connection: response.data?._entities?.[0]?.notifications };
}

/** Notification rows of a user (test inspection only). */
export async function rowsOf(runtime: SubgraphRuntime, userId: string) {
  return runtime.orm.em
    .fork()
    .execute<{ id: string; type: string; order_id: string | null; read: boolean }[]>(
      'select id, type, order_id, read from notification where user_id = ? order by created_at',
      [userId],
    );
}

/** Waits until `userId` has `n` notification rows. */
export const waitForRows = (subgraph: TestSubgraph, userId: string, n: number) =>
  waitFor(async () => (await rowsOf(subgraph.runtime, userId)).length >= n, 30_000, `${n} notifications`);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
