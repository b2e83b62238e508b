import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import {
  ADD_ADDRESS,
  ME,
  REMOVE_ADDRESS,
  SET_DEFAULT_ADDRESS,
  UPDATE_ADDRESS,
  addressInput,
  startUsers,
  type RegisteredUser,
  type UsersHarness,
} from './users.harness.js';

interface AddressView {
  id: string;
  city: string;
  isDefault: boolean;
}

describe('updateAddress, setDefaultAddress, removeAddress', () => {
  let h: UsersHarness;
  beforeAll(async () => {
    h = await startUsers();
  });
  afterAll(() => h?.stop());

  const add = async (user: RegisteredUser, patch: Record<string, unknown> = {}) =>
    (await h.subgraph.request(ADD_ADDRESS, { input: addressInput(patch) }, user.token)).data
      .addAddress as AddressView;
  const addressesOf = async (user: RegisteredUser): Promise<AddressView[]> =>
    (await h.subgraph.request(`{ me { addresses { id city isDefault } } }`, {}, user.token)).data.me
      .addresses;
  /** Every field, for "changes nothing" checks. */
  const fullAddressesOf = async (user: RegisteredUser) =>
    (await h.subgraph.request(ME, {}, user.token)).data.me.addresses;
  const defaults = async (user: RegisteredUser) =>
    (await addressesOf(user)).filter((a) => a.isDefault).map((a) => a.city);

  /** A user with addresses A (the default), B and C. */
  async function withThreeAddresses() {
    const user = await h.registerOne();
    const [a, b, c] = [
      await add(user, { city: 'A' }),
      await add(user, { city: 'B' }),
      await add(user, { city: 'C' }),
    ];
    return { user, a: a!, b: b!, c: c! };
  }

  describe('updateAddress', () => {
    it('replaces the fields (validated like addAddress) and leaves the default where it is', async () => {
      const { user, a, b } = await withThreeAddresses();
      const input = {
        line1: ' Rue de Rivoli 1 ',
        line2: 'Bât. B',
        city: ' Paris ',
        postalCode: '75001',
        country: 'fr',
      };
      const response = await h.subgraph.request(UPDATE_ADDRESS, { id: b.id, input }, user.token);
      expect(response.errors).toBeUndefined();
      expect(response.data.updateAddress).toEqual({
        id: b.id,
        line1: 'Rue de Rivoli 1',
        line2: 'Bât. B',
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
        isDefault: false,
      });
      // isDefault: false on the default does not clear it.
      await h.subgraph.request(
        UPDATE_ADDRESS,
        { id: a.id, input: addressInput({ city: 'A2', isDefault: false }) },
        user.token,
      );
      expect((await addressesOf(user)).map((x) => [x.city, x.isDefault])).toEqual([
        ['A2', true],
        ['Paris', false],
        ['C', false],
      ]);
    });

    it('moves the default with isDefault: true', async () => {
      const { user, c } = await withThreeAddresses();
      const response = await h.subgraph.request(
        UPDATE_ADDRESS,
        { id: c.id, input: addressInput({ city: 'C', isDefault: true }) },
        user.token,
      );
      expect(response.data.updateAddress.isDefault).toBe(true);
      expect(await defaults(user)).toEqual(['C']);
    });

    it('refuses a bad field with BAD_USER_INPUT and changes nothing', async () => {
      const { user, b } = await withThreeAddresses();
      const before = await fullAddressesOf(user);
      const response = await h.subgraph.request(
        UPDATE_ADDRESS,
        { id: b.id, input: addressInput({ country: 'XX', isDefault: true }) },
        user.token,
      );
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0]!.extensions!.field).toBe('country');
      expect(await fullAddressesOf(user)).toEqual(before);
    });
  });

  describe('setDefaultAddress', () => {
    it('makes the address the only default, and is a no-op on the default itself', async () => {
      const { user, a, b } = await withThreeAddresses();
      const response = await h.subgraph.request(SET_DEFAULT_ADDRESS, { id: b.id }, user.token);
      expect(response.data.setDefaultAddress).toEqual({ id: b.id, city: 'B', isDefault: true });
      expect(await defaults(user)).toEqual(['B']);
      await h.subgraph.request(SET_DEFAULT_ADDRESS, { id: b.id }, user.token);
      expect(await defaults(user)).toEqual(['B']);
      await h.subgraph.request(SET_DEFAULT_ADDRESS, { id: a.id }, user.token);
      expect(await defaults(user)).toEqual(['A']);
    });
  });

  describe('removeAddress', () => {
    it('removes an address that is not the default; the default stays', async () => {
      const { user, a, b, c } = await withThreeAddresses();
      const response = await h.subgraph.request(REMOVE_ADDRESS, { id: b.id }, user.token);
      expect(response.errors).toBeUndefined();
      expect(response.data.removeAddress).toEqual({
        id: user.id,
        addresses: [
          { id: a.id, city: 'A', isDefault: true },
          { id: c.id, city: 'C', isDefault: false },
        ],
      });
      expect(await addressesOf(user)).toEqual(response.data.removeAddress.addresses);
    });

    it('passes the default to the oldest remaining address, and empties the book', async () => {
      const { user, a, b, c } = await withThreeAddresses();
      await h.subgraph.request(SET_DEFAULT_ADDRESS, { id: c.id }, user.token);
      const first = await h.subgraph.request(REMOVE_ADDRESS, { id: c.id }, user.token);
      expect(first.data.removeAddress.addresses).toEqual([
        { id: a.id, city: 'A', isDefault: true },
        { id: b.id, city: 'B', isDefault: false },
      ]);
      await h.subgraph.request(REMOVE_ADDRESS, { id: a.id }, user.token);
      expect(await addressesOf(user)).toEqual([{ id: b.id, city: 'B', isDefault: true }]);
      const last = await h.subgraph.request(REMOVE_ADDRESS, { id: b.id }, user.token);
      expect(last.data.removeAddress.addresses).toEqual([]);
    });

    it('makes room under the 20-address limit', async () => {
      const user = await h.registerOne();
      const added: AddressView[] = [];
      for (let i = 0; i < 20; i++) added.push(await add(user, { city: `City ${i}` }));
      expect(
        errorCodes(await h.subgraph.request(ADD_ADDRESS, { input: addressInput() }, user.token)),
      ).toEqual(['BAD_USER_INPUT']);
      await h.subgraph.request(REMOVE_ADDRESS, { id: added[3]!.id }, user.token);
      const again = await h.subgraph.request(
        ADD_ADDRESS,
        { input: addressInput({ city: 'City 20' }) },
        user.token,
      );
      expect(again.errors).toBeUndefined();
      expect(await addressesOf(user)).toHaveLength(20);
    });
  });

  describe('access', () => {
    it("gives NOT_FOUND for another user's address, an unknown id or a malformed id, and changes nothing", async () => {
      const { user: owner, b } = await withThreeAddresses();
      const stranger = await h.registerOne('Stranger');
      await add(stranger);
      const before = await fullAddressesOf(owner);
      for (const id of [b.id, randomUUID(), 'not-an-id']) {
        const calls = [
          h.subgraph.request(
            UPDATE_ADDRESS,
            { id, input: addressInput({ city: 'Hijacked', isDefault: true }) },
            stranger.token,
          ),
          h.subgraph.request(SET_DEFAULT_ADDRESS, { id }, stranger.token),
          h.subgraph.request(REMOVE_ADDRESS, { id }, stranger.token),
        ];
        for (const response of await Promise.all(calls)) expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      }
      expect(await fullAddressesOf(owner)).toEqual(before);
      expect(await defaults(stranger)).toEqual(['Berlin']);
    });

    it('gives NOT_FOUND to a signed-in user without a profile', async () => {
      const token = await h.subgraph.issuer.token(randomUUID());
      expect(errorCodes(await h.subgraph.request(SET_DEFAULT_ADDRESS, { id: randomUUID() }, token))).toEqual([
        'NOT_FOUND',
      ]);
    });

    it('refuses anonymous callers with UNAUTHENTICATED', async () => {
      const { b } = await withThreeAddresses();
      const responses = await Promise.all([
        h.subgraph.request(UPDATE_ADDRESS, { id: b.id, input: addressInput() }),
        h.subgraph.request(SET_DEFAULT_ADDRESS, { id: b.id }),
        h.subgraph.request(REMOVE_ADDRESS, { id: b.id }),
      ]);
      for (const response of responses) expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });
  });
});
