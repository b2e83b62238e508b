import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager, Viewer } from '@shop/platform';
import { badUserInput, notFound, unauthenticated } from '@shop/platform';
import { Address } from './address.entity.js';
import { validAddress, type AddressInputValue } from './address.validation.js';
import { isUuid } from './ids.js';
import { UserProfile } from './user.entity.js';
import type { Caller, Profile, UserService } from './user.service.js';

/** Most addresses one user may keep. */
export const MAX_ADDRESSES = 20;

/**
 * A user's address book. Every write locks the owner's profile row first, which serializes one
 * user's address writes: counts and default switches see every earlier write (the partial unique
 * index `address_one_default_per_user` backs this up). Whenever an address becomes the default,
 * the old default is cleared by an immediate UPDATE before the new one is flushed at commit.
 */
export class AddressService {
  constructor(private readonly users: UserService) {}

  /**
   * Adds an address. The first one, or one asked to be the default, becomes the only default.
   * BAD_USER_INPUT (and nothing written) for a bad field or when the user already has
   * {@link MAX_ADDRESSES}.
   */
  async addAddress(
    em: EntityManager,
    caller: Caller & { viewer: Viewer },
    input: AddressInputValue,
  ): Promise<Address> {
    const { isDefault: wantsDefault, ...fields } = validAddress(input);
    const userId = caller.viewer.id;
    // The profile may not be projected yet (the registration event is on its way): make sure it is.
    await this.users.requireProfile(em, caller);
    return em.transactional(async (tx) => {
      if (!(await this.lockOwner(tx, userId))) throw unauthenticated('Unknown account');
      const count = await tx.count(Address, { user: userId });
      if (count >= MAX_ADDRESSES) throw badUserInput(`A user can keep at most ${MAX_ADDRESSES} addresses`);
      const isDefault = count === 0 || wantsDefault;
      if (isDefault) await this.clearDefault(tx, userId);
      return tx.create(Address, {
        ...fields,
        id: randomUUID(),
        user: userId,
        isDefault,
        createdAt: new Date(),
      });
    });
  }

  /** Replaces an address's fields; `isDefault: true` makes it the default. NOT_FOUND for another user's. */
  async updateAddress(
    em: EntityManager,
    userId: string,
    id: string,
    input: AddressInputValue,
  ): Promise<Address> {
    const { isDefault, ...fields } = validAddress(input);
    return em.transactional(async (tx) => {
      const address = await this.lockOwnAddress(tx, userId, id);
      tx.assign(address, fields);
      if (isDefault) await this.makeDefault(tx, address);
      return address;
    });
  }

  /** Makes an address the user's only default. NOT_FOUND for another user's. */
  async setDefaultAddress(em: EntityManager, userId: string, id: string): Promise<Address> {
    return em.transactional(async (tx) => {
      const address = await this.lockOwnAddress(tx, userId, id);
      await this.makeDefault(tx, address);
      return address;
    });
  }

  /**
   * Deletes an address; when it was the default, the oldest remaining one becomes the default.
   * Resolves the profile as it is after the change. NOT_FOUND for another user's address.
   */
  async removeAddress(em: EntityManager, userId: string, id: string): Promise<Profile> {
    return em.transactional(async (tx) => {
      const address = await this.lockOwnAddress(tx, userId, id);
      // Deleted now, so the successor below can become the default without meeting the old one.
      await tx.nativeDelete(Address, { id: address.id });
      if (address.isDefault) {
        const successor = await tx.findOne(
          Address,
          { user: userId },
          { orderBy: { createdAt: 'asc', id: 'asc' } },
        );
        if (successor) successor.isDefault = true;
      }
      const [profile] = await this.users.findStored(tx, [userId]);
      return profile!;
    });
  }

  /** Locks the owner's profile row; false when the user has no profile. */
  private async lockOwner(tx: EntityManager, userId: string): Promise<boolean> {
    return (await tx.findOne(UserProfile, userId, { lockMode: LockMode.PESSIMISTIC_WRITE })) !== null;
  }

  /** Locks the owner, then finds their address `id`; NOT_FOUND when it is not theirs (or not at all). */
  private async lockOwnAddress(tx: EntityManager, userId: string, id: string): Promise<Address> {
    if (!isUuid(id) || !(await this.lockOwner(tx, userId))) throw notFound('Address not found');
    const address = await tx.findOne(Address, { id, user: userId }, { refresh: true });
    if (!address) throw notFound('Address not found');
    return address;
  }

  private async makeDefault(tx: EntityManager, address: Address): Promise<void> {
    if (address.isDefault) return;
    await this.clearDefault(tx, address.user);
    address.isDefault = true;
  }

  private async clearDefault(tx: EntityManager, userId: string): Promise<void> {
    await tx.nativeUpdate(Address, { user: userId, isDefault: true }, { isDefault: false });
  }
}
