import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import { ADD_ADDRESS, USER_ENTITIES, addressInput, startUsers, type UsersHarness } from './users.harness.js';

const refs = (ids: string[]) => ids.map((id) => ({ __typename: 'User', id }));

describe('User _entities', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  it('resolves users with their addresses for the owner, and null for an unknown id', async () => {
    const user = await h.registerOne('Ada Lovelace');
    const home = (
      await h.subgraph.request(ADD_ADDRESS, { input: addressInput({ city: 'London' }) }, user.token)
    ).data.addAddress;
    const unknown = randomUUID();

    const response = await h.subgraph.request(
      USER_ENTITIES,
      { r: refs([user.id, unknown, 'not-a-uuid']) },
      user.token,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        id: user.id,
        name: 'Ada Lovelace',
        createdAt: user.payload.registeredAt,
        addresses: [{ id: home.id, city: 'London', isDefault: true }],
      },
      null,
      null,
    ]);
    // Auth answers a customer about themself only, so it was not asked about the others.
    expect(h.auth.asked.flat()).not.toContain(unknown);

    // An admin may learn from auth: it is asked about the unknown UUID (only) and says nothing.
    const admin = await h.subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    const byAdmin = await h.subgraph.request(USER_ENTITIES, { r: refs([unknown, 'not-a-uuid']) }, admin);
    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data._entities).toEqual([null, null]);
    expect(h.auth.asked.at(-1)).toEqual([unknown]);
    expect(await h.profileCount(unknown)).toBe(0);
  });

  it('shows addresses only to their owner or an admin', async () => {
    const [owner, other] = await h.register(['Owner', 'Other']);
    await h.subgraph.request(ADD_ADDRESS, { input: addressInput() }, owner!.token);

    const byOther = await h.subgraph.request(USER_ENTITIES, { r: refs([owner!.id]) }, other!.token);
    expect(errorCodes(byOther)).toEqual(['FORBIDDEN']);
    expect(byOther.data._entities).toEqual([null]);

    const anonymous = await h.subgraph.request(USER_ENTITIES, { r: refs([owner!.id]) });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);

    const admin = await h.subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    const byAdmin = await h.subgraph.request(USER_ENTITIES, { r: refs([owner!.id]) }, admin);
    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data._entities[0].addresses).toHaveLength(1);

    // The public part of a profile needs no token.
    const names = await h.subgraph.request(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
      {
        r: refs([owner!.id]),
      },
    );
    expect(names.data._entities).toEqual([{ id: owner!.id, name: 'Owner' }]);
  });

  it('resolves a user not yet projected by asking auth with the caller token, and stores it', async () => {
    const [late, other] = await h.register(['Late Event', 'Other'], { publish: false });
    const expected = {
      id: late!.id,
      name: 'Late Event',
      createdAt: late!.payload.registeredAt,
      addresses: [],
    };

    // Auth would refuse another customer: the profile is not there yet for them, and auth is not asked.
    const byOther = await h.subgraph.request(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
      { r: refs([late!.id]) },
      other!.token,
    );
    expect(byOther.errors).toBeUndefined();
    expect(byOther.data._entities).toEqual([null]);
    expect(h.auth.asked.flat()).not.toContain(late!.id);

    const byOwner = await h.subgraph.request(USER_ENTITIES, { r: refs([late!.id]) }, late!.token);
    expect(byOwner.errors).toBeUndefined();
    expect(byOwner.data._entities).toEqual([expected]);
    expect(h.auth.asked.at(-1)).toEqual([late!.id]);
    expect(await h.profileCount(late!.id)).toBe(1);

    // Stored: now anyone sees the public part without auth being asked again.
    const asked = h.auth.asked.length;
    const again = await h.subgraph.request(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name } } }`,
      { r: refs([late!.id]) },
    );
    expect(again.data._entities).toEqual([{ id: late!.id, name: 'Late Event' }]);
    expect(h.auth.asked.length).toBe(asked);
  });

  it('lets an admin resolve several users not yet projected in one request to auth', async () => {
    const users = await h.register(['Late 1', 'Late 2', 'Late 3'], { publish: false });
    const admin = await h.subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    const response = await h.subgraph.request(USER_ENTITIES, { r: refs(users.map((u) => u.id)) }, admin);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities.map((u: { name: string }) => u.name)).toEqual([
      'Late 1',
      'Late 2',
      'Late 3',
    ]);
    expect(h.auth.asked.at(-1)).toEqual(users.map((u) => u.id));
  });

  it('loads 20 users and their addresses in the same two SQL statements as 1 user', async () => {
    const users = await h.register(Array.from({ length: 20 }, (_, i) => `Batch User ${i}`));
    for (const user of users.slice(0, 5)) {
      await h.subgraph.request(
        ADD_ADDRESS,
        { input: addressInput({ city: `Home of ${user.id}` }) },
        user.token,
      );
    }
    const admin = await h.subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    // Only the reads of this subgraph's tables count: the outbox relay polls the same database.
    const profileReads = () =>
      h.subgraph.statements.filter(
        (sql) => /^\s*select\b/i.test(sql) && /"(user_profile|address)"/.test(sql),
      );

    h.subgraph.resetStatements();
    const one = await h.subgraph.request(USER_ENTITIES, { r: refs([users[0]!.id]) }, admin);
    expect(one.errors).toBeUndefined();
    const forOne = profileReads().length;

    h.subgraph.resetStatements();
    const all = await h.subgraph.request(USER_ENTITIES, { r: refs(users.map((u) => u.id)) }, admin);
    expect(all.errors).toBeUndefined();
    expect(all.data._entities.map((u: { id: string }) => u.id)).toEqual(users.map((u) => u.id));
    expect(all.data._entities.map((u: { name: string }) => u.name)).toEqual(
      users.map((_, i) => `Batch User ${i}`),
    );
    for (const [i, user] of users.entries()) {
      const cities = all.data._entities[i].addresses.map((a: { city: string }) => a.city);
      expect(cities).toEqual(i < 5 ? [`Home of ${user.id}`] : []);
    }
    expect(profileReads()).toHaveLength(2);
    expect(forOne).toBe(2);
  });
});
