import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventConsumer, EventEnvelope } from '@shop/platform';
import { errorCodes, waitFor } from '@shop/platform/testing';
import { USER_UPDATED_V1, userUpdatedV1, type UserUpdatedV1 } from '@shop/schema';
import { ME, UPDATE_PROFILE, startUsers, type UsersHarness } from './users.harness.js';

describe('updateProfile', () => {
  let h: UsersHarness;
  let consumer: EventConsumer;
  const published: EventEnvelope<UserUpdatedV1>[] = [];
  beforeAll(async () => {
    h = await startUsers();
    // Reads users.user.updated.v1 from Kafka, as a downstream subgraph would.
    consumer = await h.subgraph.runtime.kafka.consume({
      groupId: `users-updated-test-${randomUUID()}`,
      handlers: {
        [USER_UPDATED_V1]: {
          parse: (p) => userUpdatedV1.parse(p),
          handle: async (event: EventEnvelope<UserUpdatedV1>) => void published.push(event),
        },
      },
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await h?.stop();
  });

  it('renames the signed-in user (trimmed) and publishes users.user.updated.v1', async () => {
    const user = await h.registerOne('Ada Lovelace');
    const response = await h.subgraph.request(
      UPDATE_PROFILE,
      { input: { name: '  Ada King  ' } },
      user.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.updateProfile).toEqual({ id: user.id, name: 'Ada King' });
    expect((await h.subgraph.request(ME, {}, user.token)).data.me.name).toBe('Ada King');

    await waitFor(() => published.some((e) => e.key === user.id));
    const events = published.filter((e) => e.key === user.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe(USER_UPDATED_V1);
    expect(events[0]!.payload).toEqual({ userId: user.id, name: 'Ada King', updatedAt: expect.any(String) });
    const [row] = await h.sql<{ updated_at: string }>('select updated_at from user_profile where id = ?', [
      user.id,
    ]);
    expect(events[0]!.payload.updatedAt).toBe(new Date(row!.updated_at).toISOString());
  });

  it.each([
    ['empty', ''],
    ['blank', '    '],
    ['101 characters', 'x'.repeat(101)],
  ])(
    'refuses a %s name with BAD_USER_INPUT on name, changing and publishing nothing',
    async (_label, name) => {
      const user = await h.registerOne('Ada Lovelace');
      const response = await h.subgraph.request(UPDATE_PROFILE, { input: { name } }, user.token);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('name');
      expect((await h.subgraph.request(ME, {}, user.token)).data.me.name).toBe('Ada Lovelace');

      // A valid rename afterwards is the only event of this user (same key, so it would come after a refused one).
      await h.subgraph.request(UPDATE_PROFILE, { input: { name: 'Valid Name' } }, user.token);
      await waitFor(() => published.some((e) => e.key === user.id));
      expect(published.filter((e) => e.key === user.id).map((e) => e.payload.name)).toEqual(['Valid Name']);
    },
  );

  it('accepts exactly 100 characters', async () => {
    const user = await h.registerOne();
    const response = await h.subgraph.request(
      UPDATE_PROFILE,
      { input: { name: 'é'.repeat(100) } },
      user.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.updateProfile.name).toBe('é'.repeat(100));
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const response = await h.subgraph.request(UPDATE_PROFILE, { input: { name: 'Nobody' } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('creates a profile not yet projected from auth, then renames it', async () => {
    const user = await h.registerOne('Mary Jackson', { publish: false });
    const response = await h.subgraph.request(
      UPDATE_PROFILE,
      { input: { name: 'Mary W. Jackson' } },
      user.token,
    );
    expect(response.data.updateProfile).toEqual({ id: user.id, name: 'Mary W. Jackson' });
    const me = await h.subgraph.request(ME, {}, user.token);
    expect(me.data.me).toMatchObject({ name: 'Mary W. Jackson', createdAt: user.payload.registeredAt });
  });

  it('gives UNAUTHENTICATED, writing nothing, for an account auth does not know', async () => {
    const id = randomUUID();
    const response = await h.subgraph.request(
      UPDATE_PROFILE,
      { input: { name: 'Ghost' } },
      await h.subgraph.issuer.token(id),
    );
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(await h.profileCount(id)).toBe(0);
  });
});
