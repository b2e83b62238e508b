import { randomUUID } from 'node:crypto';
import { envelope } from '@shop/platform';
import { createTestIssuer, startTestSubgraph, type TestSubgraph, waitFor } from '@shop/platform/testing';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { USER_REGISTERED_V1, type UserRegisteredV1 } from '@shop/schema';
import { startAuthStandIn, type AuthStandIn } from './auth-stand-in.js';

export const ME = `query Me { me { id name createdAt addresses { id line1 line2 city postalCode country isDefault } } }`;
export const UPDATE_PROFILE = `mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { id name } }`;
export const ADD_ADDRESS = `mutation AddAddress($input: AddressInput!) {
  addAddress(input: $input) { id line1 line2 city postalCode country isDefault }
}`;
export const UPDATE_ADDRESS = `mutation UpdateAddress($id: ID!, $input: AddressInput!) {
  updateAddress(id: $id, input: $input) { id line1 line2 city postalCode country isDefault }
}`;
export const SET_DEFAULT_ADDRESS = `mutation SetDefaultAddress($id: ID!) { setDefaultAddress(id: $id) { id city isDefault } }`;
export const REMOVE_ADDRESS = `mutation RemoveAddress($id: ID!) {
  removeAddress(id: $id) { id addresses { id city isDefault } }
}`;
export const USER_ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on User { id name createdAt addresses { id city isDefault } } }
}`;

export interface RegisteredUser {
  id: string;
  token: string;
  payload: UserRegisteredV1;
}

/**
 * The users subgraph on a fresh database with its consumer (its own group, so parallel spec
 * files never share partitions) and a real HTTP stand-in for auth at AUTH_URL that trusts the
 * same token issuer.
 */
export async function startUsers() {
  const issuer = await createTestIssuer();
  const auth = await startAuthStandIn(issuer);
  const subgraph = await startTestSubgraph({
    name: 'users',
    issuer,
    entities,
    migrations,
    buildApp: (runtime) => buildApp(runtime, { authUrl: auth.url }),
  });
  return new UsersHarness(subgraph, auth);
}

export class UsersHarness {
  constructor(
    readonly subgraph: TestSubgraph,
    readonly auth: AuthStandIn,
  ) {}

  /** Runs SQL against the subgraph's database (assertions only). */
  sql<R = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<R[]> {
    return this.subgraph.runtime.orm.em.fork().getConnection().execute<R[]>(query, params);
  }

  /**
   * Registers accounts as auth does: they exist in auth at once and their
   * `auth.user.registered.v1` events go to the real Kafka topic (unless `publish: false`). With
   * `waitForProfiles` (default) it resolves once the consumer has created every published profile.
   */
  async register(
    names: string[],
    { publish = true, waitForProfiles = true }: { publish?: boolean; waitForProfiles?: boolean } = {},
  ): Promise<RegisteredUser[]> {
    const users = await Promise.all(
      names.map(async (name) => {
        const id = randomUUID();
        const payload: UserRegisteredV1 = {
          userId: id,
          email: `${id}@example.test`,
          name,
          roles: ['CUSTOMER'],
          registeredAt: new Date(Date.now() - 60_000).toISOString(),
        };
        this.auth.accounts.set(id, { id, email: payload.email, name, createdAt: payload.registeredAt });
        return { id, payload, token: await this.subgraph.issuer.token(id) };
      }),
    );
    if (publish) await this.publishRegistered(users.map((u) => u.payload));
    if (publish && waitForProfiles) await this.waitForProfiles(users.map((u) => u.id));
    return users;
  }

  async registerOne(name = 'Ada Lovelace', options?: { publish?: boolean }): Promise<RegisteredUser> {
    const [user] = await this.register([name], options);
    return user!;
  }

  /** Publishes registration events (fresh envelopes) to the real topic. */
  async publishRegistered(payloads: UserRegisteredV1[]) {
    const events = payloads.map((p) => envelope(USER_REGISTERED_V1, p.userId, p));
    await this.subgraph.runtime.producer.publish(events);
    return events;
  }

  async profileCount(id: string): Promise<number> {
    const [row] = await this.sql<{ n: string }>('select count(*) as n from user_profile where id = ?', [id]);
    return Number(row?.n);
  }

  async waitForProfiles(ids: string[]) {
    await waitFor(async () => {
      const [row] = await this.sql<{ n: string }>(
        `select count(*) as n from user_profile where id in (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      return Number(row?.n) === ids.length;
    });
  }

  /** Resolves once the consumer has applied the event `eventId`. */
  async waitForProcessed(eventId: string) {
    await waitFor(
      async () =>
        (await this.sql('select 1 from processed_event where event_id = ?', [eventId])).length === 1,
    );
  }

  stop = async () => {
    await this.subgraph.stop();
    await this.auth.stop();
  };
}

/** A valid address input; override fields per test. */
export const addressInput = (patch: Record<string, unknown> = {}) => ({
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
  ...patch,
});
