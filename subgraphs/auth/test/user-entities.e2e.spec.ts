import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '@shop/platform/testing';
import { bootstrap } from '../src/app.js';
import {
  LOGIN,
  registerCustomer,
  startAuth,
  testOptions,
  USER_ENTITIES,
  type TestAuth,
} from './auth.harness.js';

describe('User entity (_entities)', () => {
  let auth: TestAuth;
  let adminToken: string;
  beforeAll(async () => {
    auth = await startAuth({}, { consumers: false });
    const admin = { email: `admin-${randomUUID()}@shop.local`, password: 'admin password 1' };
    await bootstrap(auth.runtime, { ...testOptions(), admin });
    adminToken = (await auth.request(LOGIN, admin)).data.login.accessToken;
  });
  afterAll(async () => {
    await auth?.stop();
  });

  const entities = (ids: string[], token?: string) =>
    auth.request(USER_ENTITIES, { representations: ids.map((id) => ({ __typename: 'User', id })) }, token);

  it('resolves the caller’s own User with email, roles, name and createdAt', async () => {
    const customer = await registerCustomer(auth, 'Katherine Johnson');
    const response = await entities([customer.id], customer.accessToken);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        id: customer.id,
        email: customer.email,
        roles: ['CUSTOMER'],
        name: 'Katherine Johnson',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
  });

  it('resolves many users for an admin in one query, null for unknown and malformed ids', async () => {
    const [a, b, c] = await Promise.all([
      registerCustomer(auth, 'A'),
      registerCustomer(auth, 'B'),
      registerCustomer(auth, 'C'),
    ]);
    auth.resetStatements();
    const response = await entities([a.id, randomUUID(), b.id, 'not-a-uuid', c.id], adminToken);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities.map((u: { name: string } | null) => u?.name ?? null)).toEqual([
      'A',
      null,
      'B',
      null,
      'C',
    ]);
    expect(auth.statements.filter((sql) => /from "account"/.test(sql))).toHaveLength(1);
  });

  it('shows a user to that user and admins only', async () => {
    const [owner, other] = await Promise.all([registerCustomer(auth), registerCustomer(auth)]);
    const forbidden = await entities([owner.id], other.accessToken);
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
    expect(forbidden.data._entities).toEqual([null]);
    expect(JSON.stringify(forbidden)).not.toContain(owner.email);

    const anonymous = await entities([owner.id]);
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(anonymous)).not.toContain(owner.email);
  });
});
