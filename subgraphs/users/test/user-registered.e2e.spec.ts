import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope } from '@shop/platform';
import { USER_REGISTERED_V1 } from '@shop/schema';
import { ME, startUsers, type UsersHarness } from './users.harness.js';

describe('consuming auth.user.registered.v1', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  it('creates the profile from the event on the real topic, createdAt = registeredAt', async () => {
    const user = await h.registerOne('Ada Lovelace', { publish: false });
    // Gone from auth: the profile can only come from the event.
    h.auth.accounts.delete(user.id);
    await h.publishRegistered([user.payload]);
    await h.waitForProfiles([user.id]);

    const [row] = await h.sql<{ name: string; created_at: string }>(
      'select name, created_at from user_profile where id = ?',
      [user.id],
    );
    expect(row!.name).toBe('Ada Lovelace');
    expect(new Date(row!.created_at).toISOString()).toBe(user.payload.registeredAt);
    const response = await h.subgraph.request(ME, {}, user.token);
    expect(response.data.me).toMatchObject({
      id: user.id,
      name: 'Ada Lovelace',
      createdAt: user.payload.registeredAt,
    });
  });

  it('applies an event delivered twice once, and a second event for the same account changes nothing', async () => {
    const user = await h.registerOne('Ada Lovelace', { publish: false });
    const event = envelope(USER_REGISTERED_V1, user.id, user.payload);
    await h.subgraph.runtime.producer.publish([event]);
    await h.subgraph.runtime.producer.publish([event]);
    // Same key, same partition: once this one is applied, both deliveries above have been handled.
    const later = envelope(USER_REGISTERED_V1, user.id, { ...user.payload, name: 'Someone Else' });
    await h.subgraph.runtime.producer.publish([later]);
    await h.waitForProcessed(later.id);

    expect(await h.profileCount(user.id)).toBe(1);
    const [row] = await h.sql<{ name: string }>('select name from user_profile where id = ?', [user.id]);
    expect(row!.name).toBe('Ada Lovelace');
    const processed = await h.sql<{ event_id: string }>(
      `select event_id from processed_event where consumer = 'users' and event_id in (?, ?) order by processed_at`,
      [event.id, later.id],
    );
    expect(processed.map((p) => p.event_id).sort()).toEqual([event.id, later.id].sort());
  });

  it('dead-letters a malformed payload and goes on with the next event', async () => {
    const id = randomUUID();
    const bad = envelope(USER_REGISTERED_V1, id, {
      userId: id,
      email: 'x@example.test',
      name: 'Bad' /* no registeredAt */,
    });
    await h.subgraph.runtime.producer.publish([bad]);
    const user = await h.registerOne('After The Bad One', { publish: false });
    // Same key as the bad event, so it is consumed after it.
    const good = envelope(USER_REGISTERED_V1, id, { ...user.payload, userId: id });
    await h.subgraph.runtime.producer.publish([good]);
    await h.waitForProcessed(good.id);
    expect(await h.profileCount(id)).toBe(1);
    expect(await h.sql('select 1 from processed_event where event_id = ?', [bad.id])).toHaveLength(0);
  });
});
