import { LockMode } from '@mikro-orm/core';
import type { EntityManager, OutboxRelay, Viewer } from '@shop/platform';
import { projectionLookup, recordEvent, remoteEntities, unauthenticated } from '@shop/platform';
import type { Address } from './address.entity.js';
import { findAddressesOf } from './address.repository.js';
import { isUuid } from './ids.js';
import { UserProfile } from './user.entity.js';
import { USER_UPDATED_V1, type UserRegisteredV1, type UserUpdatedV1 } from '@shop/schema';
import { validName } from './user.validation.js';

/** A profile with its addresses (oldest first): what the `User` resolvers read. */
export interface Profile {
  id: string;
  name: string;
  createdAt: Date;
  addresses: Address[];
}

/** Who is asking: auth answers `_entities` only with the caller's token, for themself or for an admin. */
export interface Caller {
  viewer: Viewer | undefined;
  /** The caller's `Authorization` header, forwarded to auth. */
  authorization: string | undefined;
}

/** What auth's `_entities` tells about an account. */
interface Account {
  id: string;
  name: string;
  createdAt: string;
}

export interface UserServiceOptions {
  /** The auth subgraph's GraphQL endpoint, asked for a profile whose registration event has not arrived. */
  authUrl: string;
  /** Woken after a commit that recorded an event. */
  relay: Pick<OutboxRelay, 'nudge'>;
}

/** Profiles: reads (with auth as the fallback for a missing one), the registration projection, updates. */
export class UserService {
  private readonly fetchAccounts: (
    ids: readonly string[],
    headers?: Record<string, string>,
  ) => Promise<(Account | null)[]>;

  constructor(private readonly options: UserServiceOptions) {
    this.fetchAccounts = remoteEntities<Account>({
      url: options.authUrl,
      typename: 'User',
      selection: 'id name createdAt',
    });
  }

  /**
   * The profiles of `ids` with their addresses, in any order, none for ids nobody knows. Two
   * queries whatever the number of ids. `register` answers before its event reaches this
   * subgraph, so a missing id is asked from auth's `_entities` (one request, with the caller's
   * token) and stored. Only ids auth would answer for this caller are asked: their own, or any for
   * an admin; other missing ids resolve to nothing until the event arrives. Rejects when auth
   * cannot be reached or answers with errors.
   */
  async findProfiles(em: EntityManager, ids: readonly string[], caller: Caller): Promise<Profile[]> {
    const lookup = projectionLookup<Profile>({
      findLocal: (wanted) => this.findStored(em, wanted),
      fetchRemote: async (missing) => {
        const askable = caller.viewer?.roles.includes('ADMIN')
          ? missing
          : missing.filter((id) => id === caller.viewer?.id);
        const headers: Record<string, string> = caller.authorization
          ? { authorization: caller.authorization }
          : {};
        const accounts = askable.length ? await this.fetchAccounts(askable, headers) : [];
        return accounts.map(
          (account) =>
            account && {
              id: account.id,
              name: account.name,
              createdAt: new Date(account.createdAt),
              addresses: [],
            },
        );
      },
      saveLocal: (profiles) => this.insertMissing(em, profiles),
      idOf: (profile) => profile.id,
    });
    // An id that is not a UUID names no account: neither the database nor auth is asked about it.
    return [...(await lookup(ids.filter(isUuid))).values()];
  }

  /** The signed-in caller's profile; UNAUTHENTICATED when auth has no such account (a token of a deleted account). */
  async requireProfile(em: EntityManager, caller: Caller & { viewer: Viewer }): Promise<Profile> {
    const [profile] = await this.findProfiles(em, [caller.viewer.id], caller);
    if (!profile) throw unauthenticated('Unknown account');
    return profile;
  }

  /** Creates the profile of a registered account; does nothing when it already exists. */
  async createFromRegistration(em: EntityManager, event: UserRegisteredV1): Promise<void> {
    await this.insertMissing(em, [
      { id: event.userId, name: event.name, createdAt: new Date(event.registeredAt) },
    ]);
  }

  /**
   * Renames the user and records `users.user.updated.v1` in the same transaction. BAD_USER_INPUT
   * (field `name`) before anything is written when the name is out of range.
   */
  async updateProfile(
    em: EntityManager,
    caller: Caller & { viewer: Viewer },
    input: { name: string },
  ): Promise<Profile> {
    const name = validName(input.name);
    const userId = caller.viewer.id;
    await this.requireProfile(em, caller);
    const profile = await em.transactional(async (tx) => {
      const row = await tx.findOne(UserProfile, userId, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
      });
      if (!row) throw unauthenticated('Unknown account');
      row.name = name;
      row.updatedAt = new Date();
      const payload: UserUpdatedV1 = { userId, name, updatedAt: row.updatedAt.toISOString() };
      recordEvent(tx, USER_UPDATED_V1, userId, payload);
      const [profile] = await this.findStored(tx, [userId]);
      return profile!;
    });
    this.options.relay.nudge();
    return profile;
  }

  /** The stored profiles of `ids` with their addresses (two queries, none for an empty list); no fallback. */
  async findStored(em: EntityManager, ids: readonly string[]): Promise<Profile[]> {
    if (ids.length === 0) return [];
    const rows = await em.find(UserProfile, { id: { $in: [...ids] } });
    if (rows.length === 0) return [];
    const addresses = await findAddressesOf(
      em,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.createdAt,
      addresses: addresses.get(row.id) ?? [],
    }));
  }

  /**
   * Inserts profiles that do not exist yet. A row already there wins, whoever wrote it (the
   * registration event, a concurrent request's fallback): it may carry a newer name.
   */
  private async insertMissing(
    em: EntityManager,
    profiles: Pick<Profile, 'id' | 'name' | 'createdAt'>[],
  ): Promise<void> {
    if (profiles.length === 0) return;
    await em
      .createQueryBuilder(UserProfile)
      .insert(profiles.map(({ id, name, createdAt }) => ({ id, name, createdAt, updatedAt: createdAt })))
      .onConflict('id')
      .ignore()
      .execute();
  }
}
