import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes } from '@shop/platform/testing';
import {
  ADD_ADDRESS,
  ME,
  addressInput,
  startUsers,
  type RegisteredUser,
  type UsersHarness,
} from './users.harness.js';

describe('addAddress', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  const add = (user: RegisteredUser, patch: Record<string, unknown> = {}) =>
    h.subgraph.request(ADD_ADDRESS, { input: addressInput(patch) }, user.token);
  const addressesOf = async (user: RegisteredUser) =>
    (await h.subgraph.request(ME, {}, user.token)).data.me.addresses;

  it('adds a trimmed address with an upper-case country; the first one is the default', async () => {
    const user = await h.registerOne();
    const response = await add(user, {
      line1: ' Main Street 1 ',
      line2: ' Apt 4 ',
      country: 'de',
      isDefault: false,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data.addAddress).toEqual({
      id: expect.any(String),
      line1: 'Main Street 1',
      line2: 'Apt 4',
      city: 'Berlin',
      postalCode: '10117',
      country: 'DE',
      isDefault: true,
    });
    expect(await addressesOf(user)).toEqual([response.data.addAddress]);
  });

  it('keeps the default on later addresses, moves it for isDefault: true, and lists oldest first', async () => {
    const user = await h.registerOne();
    const first = (await add(user, { city: 'First' })).data.addAddress;
    const second = (await add(user, { city: 'Second', line2: '   ' })).data.addAddress;
    expect(second).toMatchObject({ isDefault: false, line2: null });
    const third = (await add(user, { city: 'Third', isDefault: true })).data.addAddress;
    expect(third.isDefault).toBe(true);

    const list = await addressesOf(user);
    expect(list.map((a: { city: string }) => a.city)).toEqual(['First', 'Second', 'Third']);
    expect(list.map((a: { isDefault: boolean }) => a.isDefault)).toEqual([false, false, true]);
    expect(list.map((a: { id: string }) => a.id)).toEqual([first.id, second.id, third.id]);

    await add(user, { city: 'Fourth', isDefault: true });
    const [row] = await h.sql<{ n: string }>(
      'select count(*) as n from address where user_id = ? and is_default',
      [user.id],
    );
    expect(Number(row!.n)).toBe(1);
    expect(
      (await addressesOf(user))
        .filter((a: { isDefault: boolean }) => a.isDefault)
        .map((a: { city: string }) => a.city),
    ).toEqual(['Fourth']);
  });

  it.each([
    ['line1', { line1: '' }],
    ['line1', { line1: 'x'.repeat(201) }],
    ['line2', { line2: 'x'.repeat(201) }],
    ['city', { city: '  ' }],
    ['city', { city: 'x'.repeat(101) }],
    ['postalCode', { postalCode: '' }],
    ['postalCode', { postalCode: '1'.repeat(21) }],
    ['country', { country: 'XX' }],
    ['country', { country: 'usa' }],
    ['country', { country: 'UK' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it, adding nothing', async (field, patch) => {
    const user = await h.registerOne();
    const response = await add(user, patch);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.extensions!.field).toBe(field);
    expect(await addressesOf(user)).toEqual([]);
  });

  it('refuses a 21st address with BAD_USER_INPUT and changes nothing', async () => {
    const user = await h.registerOne();
    for (let i = 1; i <= 20; i++) {
      const response = await add(user, { city: `City ${i}`, isDefault: i === 7 });
      expect(response.errors).toBeUndefined();
    }
    const before = await addressesOf(user);
    expect(before).toHaveLength(20);

    const refused = await add(user, { city: 'City 21', isDefault: true });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    const after = await addressesOf(user);
    expect(after).toEqual(before);
    expect(
      after.filter((a: { isDefault: boolean }) => a.isDefault).map((a: { city: string }) => a.city),
    ).toEqual(['City 7']);
  });

  it('never leaves two defaults when adds race', async () => {
    const user = await h.registerOne();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => add(user, { city: `Racer ${i}`, isDefault: i % 2 === 0 })),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    const list = await addressesOf(user);
    expect(list).toHaveLength(8);
    expect(list.filter((a: { isDefault: boolean }) => a.isDefault)).toHaveLength(1);
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const response = await h.subgraph.request(ADD_ADDRESS, { input: addressInput() });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('adds to a profile not yet projected, created from auth first', async () => {
    const user = await h.registerOne('Dorothy Vaughan', { publish: false });
    const response = await add(user);
    expect(response.errors).toBeUndefined();
    expect(response.data.addAddress.isDefault).toBe(true);
    expect((await h.subgraph.request(ME, {}, user.token)).data.me).toMatchObject({
      name: 'Dorothy Vaughan',
      addresses: [response.data.addAddress],
    });
  });
});
