import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@shop/platform';
import {
  liveSubscriberCount,
  waitFor,
  webSocketClient,
  type WebSocketTestClient,
} from '@shop/platform/testing';
import {
  customerToken,
  events,
  republished,
  sleep,
  startNotifications,
  waitForRows,
  type NotificationsUnderTest,
} from './notifications.harness.js';

const FEED = /* GraphQL */ `
  subscription {
    notificationAdded {
      id
      type
      title
      read
      createdAt
      order {
        id
      }
    }
  }
`;

interface Added {
  notificationAdded: { id: string; type: string; title: string; read: boolean; order: { id: string } | null };
}

/**
 * `notificationAdded` over graphql-ws on two replicas of notifications sharing one database, Kafka
 * namespace and consumer group: whichever replica's durable consumer creates a notification, the
 * subscribers on both replicas receive it, once.
 */
describe('notificationAdded', () => {
  let first: NotificationsUnderTest;
  let second: NotificationsUnderTest;
  const clients: WebSocketTestClient[] = [];
  const connect = (subgraph: NotificationsUnderTest, token?: string) => {
    const client = webSocketClient(subgraph.url, token ? { token } : {});
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    first = await startNotifications();
    second = await startNotifications({ replicaOf: first });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await second?.stop();
    await first?.stop();
  });

  const publish = (...envelopes: EventEnvelope[]) => first.runtime.producer.publish(envelopes);

  it('delivers every new notification of the customer to subscribers on both replicas, once each', async () => {
    const userId = randomUUID();
    const other = randomUUID();
    const token = await customerToken(first, userId);
    const onFirst = connect(first, token).subscribe<Added>(FEED);
    const onSecond = connect(second, token).subscribe<Added>(FEED);
    const otherFeed = connect(second, await customerToken(first, other)).subscribe<Added>(FEED);
    // Every subscription is registered on its replica before the events are published (live events
    // deliver what is consumed from then on): one on the first, two on the second.
    await waitFor(
      async () => (await liveSubscriberCount(first.url)) === 1,
      30_000,
      "the first replica's subscriber",
    );
    await waitFor(
      async () => (await liveSubscriberCount(second.url)) === 2,
      30_000,
      "the second replica's subscribers",
    );

    const orderA = randomUUID();
    const orderB = randomUUID();
    const registered = events.registered(userId);
    const placed = events.placed(userId, orderA);
    await publish(registered, placed, events.confirmed(userId, orderA), events.placed(userId, orderB));
    // Redelivered and re-published events create nothing, so they announce nothing.
    await publish(placed, republished(placed));
    await publish(events.registered(other));
    await waitForRows(first, userId, 4);

    for (const subscription of [onFirst, onSecond]) {
      const results = await subscription.waitFor(4);
      await sleep(500); // anything extra (a duplicate) would arrive by now
      expect(subscription.results).toHaveLength(4);
      const added = results.map((r) => r.data!.notificationAdded);
      // Events of different topics (registration, orders) are not ordered with each other.
      expect(added.map((n) => `${n.type} ${n.order?.id ?? '-'}`).sort()).toEqual(
        [`ORDER_CONFIRMED ${orderA}`, `ORDER_PLACED ${orderA}`, `ORDER_PLACED ${orderB}`, 'WELCOME -'].sort(),
      );
      expect(added.every((n) => n.read === false)).toBe(true);
      expect(new Set(added.map((n) => n.id)).size).toBe(4);
    }
    // The same notifications as the query lists.
    const ids = (await onFirst.waitFor(4)).map((r) => r.data!.notificationAdded.id).sort();
    const listed = await first.request(
      '{ _entities(representations: [{ __typename: "User", id: "' +
        userId +
        '" }]) { ... on User { notifications(first: 10) { edges { node { id } } } } } }',
      {},
      token,
    );
    const listedIds = (
      listed.data as { _entities: { notifications: { edges: { node: { id: string } }[] } }[] }
    )._entities[0]!.notifications.edges.map((e) => e.node.id);
    expect(listedIds.sort()).toEqual(ids);

    // The other customer only ever sees their own.
    const others = await otherFeed.waitFor(1);
    expect(others.map((r) => r.data!.notificationAdded.type)).toEqual(['WELCOME']);
    await sleep(300);
    expect(otherFeed.results).toHaveLength(1);
  });

  it('refuses an anonymous subscriber', async () => {
    const anonymous = connect(first).subscribe<Added>(FEED);
    await anonymous.finished;
    expect(anonymous.results).toEqual([
      {
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
        ],
      },
    ]);
  });
});
