import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@shop/platform';
import { waitFor } from '@shop/platform/testing';
import {
  events,
  notificationsOf,
  republished,
  rowsOf,
  startNotifications,
  waitForRows,
  type NotificationNode,
  type NotificationsUnderTest,
} from './notifications.harness.js';

/**
 * The consumers driven by real Kafka events: the test publishes auth's and orders' events, the
 * notifications consumer group creates notifications, and the test reads them over HTTP.
 */
describe('notifications from events', () => {
  let subgraph: NotificationsUnderTest;

  beforeAll(async () => {
    subgraph = await startNotifications();
  });

  afterAll(async () => {
    await subgraph?.stop();
  });

  const publish = (...envelopes: EventEnvelope[]) => subgraph.runtime.producer.publish(envelopes);
  const processed = async (eventId: string) => {
    const rows = await subgraph.runtime.orm.em
      .fork()
      .execute<{ n: string }[]>('select count(*) as n from processed_event where event_id = ?', [eventId]);
    return Number(rows[0]!.n) === 1;
  };
  const nodesOf = async (userId: string): Promise<NotificationNode[]> => {
    const { response, connection } = await notificationsOf(subgraph, userId, { first: 100 });
    expect(response.errors).toBeUndefined();
    return connection.edges.map((e: { node: NotificationNode }) => e.node);
  };

  it('auth.user.registered.v1 -> one WELCOME (and an email to the registered address)', async () => {
    const userId = randomUUID();
    const registered = events.registered(userId, { name: 'Grace Hopper' });
    await publish(registered);
    await waitForRows(subgraph, userId, 1);

    const [welcome, ...rest] = await nodesOf(userId);
    expect(rest).toEqual([]);
    expect(welcome).toMatchObject({ type: 'WELCOME', read: false, order: null });
    expect(welcome!.body).toContain('Grace Hopper');
    expect(new Date(welcome!.createdAt).toISOString()).toBe(welcome!.createdAt);
    await waitFor(() => subgraph.email.sent.some((m) => m.to === registered.payload.email), 5_000, 'email');
    expect(subgraph.email.sent.find((m) => m.to === registered.payload.email)!.subject).toBe(welcome!.title);
  });

  it('orders.order.placed / confirmed / cancelled -> ORDER_PLACED, ORDER_CONFIRMED, ORDER_CANCELLED with the reason', async () => {
    const userId = randomUUID();
    const registered = events.registered(userId);
    await publish(registered);
    await waitForRows(subgraph, userId, 1);

    const confirmedOrder = randomUUID();
    const cancelledOrder = randomUUID();
    await publish(
      events.placed(userId, confirmedOrder),
      events.confirmed(userId, confirmedOrder),
      events.placed(userId, cancelledOrder),
      events.cancelled(userId, cancelledOrder, 'PAYMENT_DECLINED'),
    );
    await waitForRows(subgraph, userId, 5);

    const nodes = await nodesOf(userId);
    const find = (type: string, orderId: string) =>
      nodes.find((n) => n.type === type && n.order?.id === orderId);
    expect(nodes).toHaveLength(5);
    expect(find('ORDER_PLACED', confirmedOrder)!.body).toContain('25.00 USD');
    expect(find('ORDER_CONFIRMED', confirmedOrder)!.title).toContain(
      confirmedOrder.slice(0, 8).toUpperCase(),
    );
    expect(find('ORDER_PLACED', cancelledOrder)).toBeDefined();
    const cancelled = find('ORDER_CANCELLED', cancelledOrder)!;
    expect(cancelled.body).toContain('PAYMENT_DECLINED');
    expect(cancelled.body).toContain('payment was declined');
    expect(nodes.filter((n) => n.type === 'WELCOME')).toHaveLength(1);
    // Order emails go to the address the user registered with.
    await waitFor(
      () => subgraph.email.sent.filter((m) => m.to === registered.payload.email).length === 5,
      5_000,
      'five emails',
    );
  });

  it('a redelivered event and the same event re-published under a new id each create nothing more', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    const registered = events.registered(userId);
    const placed = events.placed(userId, orderId);
    const cancelled = events.cancelled(userId, orderId, 'CUSTOMER_CANCELLED');
    const again = [republished(registered), republished(placed), republished(cancelled)];
    await publish(registered, registered, placed, placed, cancelled, cancelled, ...again);
    for (const e of again) await waitFor(() => processed(e.id), 30_000, `event ${e.type} processed`);

    const rows = await rowsOf(subgraph.runtime, userId);
    expect(rows.map((r) => r.type).sort()).toEqual(['ORDER_CANCELLED', 'ORDER_PLACED', 'WELCOME']);
    const { connection } = await notificationsOf(subgraph, userId);
    expect(connection.totalCount).toBe(3);
    expect(connection.unreadCount).toBe(3);
  });

  it('an event for another user leaves this user untouched', async () => {
    const userId = randomUUID();
    const other = randomUUID();
    await publish(events.registered(userId), events.registered(other), events.placed(other));
    await waitForRows(subgraph, other, 2);
    await waitForRows(subgraph, userId, 1);
    expect((await rowsOf(subgraph.runtime, userId)).map((r) => r.type)).toEqual(['WELCOME']);
  });

  it('a malformed payload goes to the dead-letter topic and the consumer goes on', async () => {
    const userId = randomUUID();
    const bad = { ...events.registered(userId), payload: { userId: 'not-a-uuid' } } as EventEnvelope;
    const good = events.registered(userId);
    const dead: EventEnvelope<{ topic: string; reason: string }>[] = [];
    const observer = await subgraph.runtime.kafka.consume({
      groupId: `dlq-observer-${userId.slice(0, 8)}`,
      handlers: {
        'notifications.dlq': {
          parse: (payload) => payload as { topic: string; reason: string },
          handle: async (e: EventEnvelope<{ topic: string; reason: string }>) => void dead.push(e),
        },
      },
    });
    try {
      await publish(bad, good);
      await waitForRows(subgraph, userId, 1);
      await waitFor(() => dead.some((e) => e.key === userId), 30_000, 'the dead letter');
      expect(dead.find((e) => e.key === userId)!.payload.topic).toContain('auth.user.registered.v1');
      expect(await processed(bad.id)).toBe(false);
    } finally {
      await observer.stop();
    }
  });
});
