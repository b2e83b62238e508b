import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import { ME, UPDATE_PROFILE, startUsers, type UsersHarness } from './users.harness.js';

describe('me', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  it('returns the signed-in user profile created from the registration event', async () => {
    const user = await h.registerOne('Grace Hopper');
    const response = await h.subgraph.request(ME, {}, user.token);
    expect(response.errors).toBeUndefined();
    expect(response.data.me).toEqual({
      id: user.id,
      name: 'Grace Hopper',
      createdAt: user.payload.registeredAt,
      addresses: [],
    });
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const response = await h.subgraph.request(ME);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data?.me ?? null).toBeNull();
  });

  it('refuses a bad or expired token with UNAUTHENTICATED', async () => {
    const user = await h.registerOne();
    const expired = await h.subgraph.issuer.token(user.id, { expiresIn: -10 });
    expect(errorCodes(await h.subgraph.request(ME, {}, expired))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await h.subgraph.request(ME, {}, `${user.token}x`))).toEqual(['UNAUTHENTICATED']);
  });

  it('gives UNAUTHENTICATED for a token naming an account auth does not know (deleted)', async () => {
    const id = randomUUID();
    const response = await h.subgraph.request(ME, {}, await h.subgraph.issuer.token(id));
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(h.auth.asked.flat()).toContain(id);
    expect(await h.profileCount(id)).toBe(0);
  });

  it('asks auth for a profile whose event has not arrived, stores it, and the late event changes nothing', async () => {
    const user = await h.registerOne('Katherine Johnson', { publish: false });
    const before = h.auth.asked.length;

    const first = await h.subgraph.request(ME, {}, user.token);
    expect(first.errors).toBeUndefined();
    expect(first.data.me).toEqual({
      id: user.id,
      name: 'Katherine Johnson',
      createdAt: user.payload.registeredAt,
      addresses: [],
    });
    expect(h.auth.asked.slice(before)).toEqual([[user.id]]);
    expect(await h.profileCount(user.id)).toBe(1);

    // Stored: the next read is local.
    const second = await h.subgraph.request(ME, {}, user.token);
    expect(second.data.me.name).toBe('Katherine Johnson');
    expect(h.auth.asked.length).toBe(before + 1);

    // The user renames themself, then the registration event finally arrives: one profile, new name.
    await h.subgraph.request(UPDATE_PROFILE, { input: { name: 'K. Johnson' } }, user.token);
    const [event] = await h.publishRegistered([user.payload]);
    await h.waitForProcessed(event!.id);
    expect(await h.profileCount(user.id)).toBe(1);
    const after = await h.subgraph.request(ME, {}, user.token);
    expect(after.data.me).toMatchObject({ name: 'K. Johnson', createdAt: user.payload.registeredAt });
  });
});
