import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@shop/platform';
import { errorCodes } from '@shop/platform/testing';
import {
  adminToken,
  customerToken,
  events,
  MARK_ALL_READ,
  MARK_READ,
  NOTIFICATION_ENTITIES,
  notificationsOf,
  rowsOf,
  startNotifications,
  waitForRows,
  type NotificationNode,
  type NotificationsUnderTest,
} from './notifications.harness.js';

/**
 * Reading and marking notifications over HTTP: `User.notifications` (ownership, keyset paging,
 * unreadOnly, totalCount, the Redis-cached unreadCount), `markNotificationRead`,
 * `markAllNotificationsRead` and the Notification entity.
 */
describe('reading and marking notifications', () => {
  let subgraph: NotificationsUnderTest;

  beforeAll(async () => {
    subgraph = await startNotifications();
  });

  afterAll(async () => {
    await subgraph?.stop();
  });

  const publish = (...envelopes: EventEnvelope[]) => subgraph.runtime.producer.publish(envelopes);

  /** A user with a WELCOME and `orders` ORDER_PLACED notifications (oldest first), all unread. */
  const userWith = async (orders: number) => {
    const userId = randomUUID();
    await publish(events.registered(userId));
    await waitForRows(subgraph, userId, 1);
    for (let i = 0; i < orders; i++) {
      // One at a time, so creation times are strictly increasing and the expected order is known.
      await publish(events.placed(userId));
      await waitForRows(subgraph, userId, i + 2);
    }
    const ids = (await rowsOf(subgraph.runtime, userId)).map((r) => r.id);
    return { userId, ids, token: await customerToken(subgraph, userId) };
  };
  const cachedUnread = async (userId: string) => {
    const value = await subgraph.runtime.redis!.hget(`unread:${userId}`, 'n');
    return value == null ? null : Number(value);
  };
  const unreadInDb = async (userId: string) =>
    (await rowsOf(subgraph.runtime, userId)).filter((r) => !r.read).length;

  describe('User.notifications', () => {
    it('pages newest first with keyset cursors; totalCount counts the filter', async () => {
      const { userId, ids } = await userWith(4);
      const newestFirst = [...ids].reverse();

      const first = await notificationsOf(subgraph, userId, { first: 2 });
      expect(first.response.errors).toBeUndefined();
      expect(first.connection.totalCount).toBe(5);
      expect(first.connection.edges.map((e: { node: NotificationNode }) => e.node.id)).toEqual(
        newestFirst.slice(0, 2),
      );
      expect(first.connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(first.connection.pageInfo.startCursor).toBe(first.connection.edges[0].cursor);
      expect(first.connection.pageInfo.endCursor).toBe(first.connection.edges[1].cursor);

      const second = await notificationsOf(subgraph, userId, {
        first: 2,
        after: first.connection.pageInfo.endCursor,
      });
      expect(second.connection.edges.map((e: { node: NotificationNode }) => e.node.id)).toEqual(
        newestFirst.slice(2, 4),
      );
      expect(second.connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

      const last = await notificationsOf(subgraph, userId, {
        first: 2,
        after: second.connection.pageInfo.endCursor,
      });
      expect(last.connection.edges.map((e: { node: NotificationNode }) => e.node.id)).toEqual([
        newestFirst[4],
      ]);
      expect(last.connection.edges[0].node.type).toBe('WELCOME');
      expect(last.connection.pageInfo.hasNextPage).toBe(false);

      const beyond = await notificationsOf(subgraph, userId, { after: last.connection.pageInfo.endCursor });
      expect(beyond.connection.edges).toEqual([]);
      expect(beyond.connection.pageInfo).toMatchObject({
        startCursor: null,
        endCursor: null,
        hasNextPage: false,
      });
    });

    it('unreadOnly lists only unread ones, and totalCount counts only them', async () => {
      const { userId, ids, token } = await userWith(2);
      expect((await subgraph.request(MARK_READ, { id: ids[1] }, token)).errors).toBeUndefined();

      const unread = await notificationsOf(subgraph, userId, { unreadOnly: true });
      expect(unread.connection.totalCount).toBe(2);
      expect(unread.connection.unreadCount).toBe(2);
      expect(unread.connection.edges.map((e: { node: NotificationNode }) => e.node.id)).toEqual([
        ids[2],
        ids[0],
      ]);
      const all = await notificationsOf(subgraph, userId, { unreadOnly: false });
      expect(all.connection.totalCount).toBe(3);
      expect(all.connection.unreadCount).toBe(2);
    });

    it('refuses first outside 1..100 and a malformed cursor with BAD_USER_INPUT', async () => {
      const { userId } = await userWith(0);
      for (const variables of [
        { first: 0 },
        { first: 101 },
        { first: -1 },
        { after: 'nope' },
        { after: '' },
      ]) {
        const { response } = await notificationsOf(subgraph, userId, variables);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      }
      expect((await notificationsOf(subgraph, userId, { first: 100 })).connection.totalCount).toBe(1);
    });

    it('another customer gets FORBIDDEN, an admin may read them, the signed-out UNAUTHENTICATED', async () => {
      const { userId } = await userWith(1);
      const stranger = await customerToken(subgraph, randomUUID());
      const forbidden = await notificationsOf(subgraph, userId, {}, stranger);
      expect(errorCodes(forbidden.response)).toEqual(['FORBIDDEN']);
      expect(forbidden.connection ?? null).toBeNull();

      const admin = await notificationsOf(subgraph, userId, {}, await adminToken(subgraph));
      expect(admin.response.errors).toBeUndefined();
      expect(admin.connection.totalCount).toBe(2);

      const anonymous = await subgraph.request(
        /* GraphQL */ `
          query ($r: [_Any!]!) {
            _entities(representations: $r) {
              ... on User {
                notifications {
                  totalCount
                }
              }
            }
          }
        `,
        { r: [{ __typename: 'User', id: userId }] },
      );
      expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('unreadCount', () => {
    it('is cached in Redis and stays right after new notifications, mark-read and mark-all-read', async () => {
      const { userId, ids, token } = await userWith(1);
      const unread = async () => (await notificationsOf(subgraph, userId)).connection.unreadCount as number;

      expect(await unread()).toBe(2);
      expect(await cachedUnread(userId)).toBe(2);

      // A new notification invalidates the cached count.
      await publish(events.placed(userId));
      await waitForRows(subgraph, userId, 3);
      expect(await unread()).toBe(3);
      expect(await cachedUnread(userId)).toBe(3);

      // Marking one read.
      await subgraph.request(MARK_READ, { id: ids[0] }, token);
      expect(await unread()).toBe(2);
      // Marking it again changes nothing.
      await subgraph.request(MARK_READ, { id: ids[0] }, token);
      expect(await unread()).toBe(2);

      // A duplicate event creates nothing and the count stays.
      const orderId = randomUUID();
      const placed = events.placed(userId, orderId);
      await publish(placed, { ...placed, id: randomUUID() });
      await waitForRows(subgraph, userId, 4);
      expect(await unread()).toBe(3);

      expect((await subgraph.request(MARK_ALL_READ, {}, token)).data.markAllNotificationsRead).toBe(3);
      expect(await unread()).toBe(0);
      expect(await unreadInDb(userId)).toBe(0);

      await publish(events.cancelled(userId, orderId, 'OUT_OF_STOCK'));
      await waitForRows(subgraph, userId, 5);
      expect(await unread()).toBe(1);
      expect(await unreadInDb(userId)).toBe(1);
    });

    it('the cached number is what is served (so the invalidation above is what keeps it right)', async () => {
      const { userId } = await userWith(0);
      expect((await notificationsOf(subgraph, userId)).connection.unreadCount).toBe(1);
      await subgraph.runtime.redis!.hset(`unread:${userId}`, 'n', '42');
      expect((await notificationsOf(subgraph, userId)).connection.unreadCount).toBe(42);
    });
  });

  describe('markNotificationRead', () => {
    it('marks the caller own notification read, idempotently', async () => {
      const { userId, ids, token } = await userWith(1);
      const first = await subgraph.request(MARK_READ, { id: ids[1] }, token);
      expect(first.errors).toBeUndefined();
      expect(first.data.markNotificationRead).toEqual({ id: ids[1], read: true });
      const again = await subgraph.request(MARK_READ, { id: ids[1] }, token);
      expect(again.data.markNotificationRead).toEqual({ id: ids[1], read: true });
      expect((await rowsOf(subgraph.runtime, userId)).map((r) => r.read)).toEqual([false, true]);
    });

    it("NOT_FOUND for someone else's, an unknown or a malformed id, and nothing changes", async () => {
      const { userId, ids } = await userWith(1);
      const stranger = await customerToken(subgraph, randomUUID());
      for (const id of [ids[0], ids[1], randomUUID(), 'not-an-id']) {
        const response = await subgraph.request(MARK_READ, { id }, stranger);
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
        expect(response.data).toBeNull();
      }
      expect((await rowsOf(subgraph.runtime, userId)).map((r) => r.read)).toEqual([false, false]);
      expect((await notificationsOf(subgraph, userId)).connection.unreadCount).toBe(2);
    });

    it('UNAUTHENTICATED when signed out, and nothing changes', async () => {
      const { userId, ids } = await userWith(0);
      expect(errorCodes(await subgraph.request(MARK_READ, { id: ids[0] }))).toEqual(['UNAUTHENTICATED']);
      expect((await rowsOf(subgraph.runtime, userId)).map((r) => r.read)).toEqual([false]);
    });
  });

  describe('markAllNotificationsRead', () => {
    it("returns how many it marked, touches only the caller's, and 0 the second time", async () => {
      const a = await userWith(2);
      const b = await userWith(1);
      await subgraph.request(MARK_READ, { id: a.ids[0] }, a.token);

      const first = await subgraph.request(MARK_ALL_READ, {}, a.token);
      expect(first.errors).toBeUndefined();
      expect(first.data.markAllNotificationsRead).toBe(2);
      expect(await unreadInDb(a.userId)).toBe(0);
      expect((await subgraph.request(MARK_ALL_READ, {}, a.token)).data.markAllNotificationsRead).toBe(0);

      expect(await unreadInDb(b.userId)).toBe(2);
      expect((await notificationsOf(subgraph, b.userId)).connection.unreadCount).toBe(2);
    });

    it('UNAUTHENTICATED when signed out, and nothing changes', async () => {
      const { userId } = await userWith(1);
      expect(errorCodes(await subgraph.request(MARK_ALL_READ))).toEqual(['UNAUTHENTICATED']);
      expect(await unreadInDb(userId)).toBe(2);
    });
  });

  describe('_entities', () => {
    it('resolves Notification for its owner and an admin in one query, null for anyone else', async () => {
      const { ids, token } = await userWith(2);
      const representations = [...ids, randomUUID()].map((id) => ({ __typename: 'Notification', id }));

      subgraph.resetStatements();
      const own = await subgraph.request(NOTIFICATION_ENTITIES, { r: representations }, token);
      expect(own.errors).toBeUndefined();
      const selects = subgraph.statements.filter((sql) => /from "notification"/.test(sql));
      expect(selects).toHaveLength(1);
      expect(own.data._entities.map((n: NotificationNode | null) => n?.id ?? null)).toEqual([...ids, null]);
      expect(own.data._entities[0]).toMatchObject({ type: 'WELCOME', read: false, order: null });
      expect(own.data._entities[1].type).toBe('ORDER_PLACED');
      expect(own.data._entities[1].order.id).toMatch(/^[0-9a-f-]{36}$/);

      const admin = await subgraph.request(
        NOTIFICATION_ENTITIES,
        { r: representations },
        await adminToken(subgraph),
      );
      expect(admin.data._entities.filter(Boolean)).toHaveLength(3);

      const stranger = await subgraph.request(
        NOTIFICATION_ENTITIES,
        { r: representations },
        await customerToken(subgraph, randomUUID()),
      );
      expect(stranger.data._entities).toEqual([null, null, null, null]);
      expect(errorCodes(await subgraph.request(NOTIFICATION_ENTITIES, { r: representations }))).toContain(
        'UNAUTHENTICATED',
      );
    });
  });
});
