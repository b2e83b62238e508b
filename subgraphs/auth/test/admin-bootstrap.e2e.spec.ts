import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { Account } from '../src/account.entity.js';
import { bootstrap } from '../src/app.js';
import { LOGIN, registerCustomer, startAuth, testOptions, type TestAuth } from './auth.harness.js';

describe('admin bootstrap (ADMIN_EMAIL / ADMIN_PASSWORD at start-up)', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth({}, { consumers: false });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = await auth.runtime.orm.em.fork().getConnection().execute<{ n: string }[]>(sql, params);
    return Number(row!.n);
  };
  const registeredEvents = (email: string) =>
    count(
      `select count(*) as n from outbox_message where topic = 'auth.user.registered.v1' and envelope->'payload'->>'email' = ?`,
      [email],
    );

  it('creates the admin and the signing key once, even when replicas start together, then changes nothing', async () => {
    const admin = { email: `Root-${randomUUID()}@Shop.Local`, password: 'admin password 1' };
    // Hold the relay back so the outbox rows can be counted before they are published.
    await auth.runtime.relay.stop();
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => bootstrap(auth.runtime, { ...testOptions(), admin })),
    );
    expect(outcomes.sort()).toEqual(['created', 'unchanged', 'unchanged', 'unchanged']);
    expect(await bootstrap(auth.runtime, { ...testOptions(), admin })).toBe('unchanged');

    const email = admin.email.toLowerCase();
    const accounts = await auth.runtime.orm.em.fork().find(Account, { email });
    expect(accounts.map((a) => a.roles)).toEqual([['ADMIN']]);
    expect(await registeredEvents(email)).toBe(1);
    expect(await count('select count(*) as n from signing_key')).toBe(1);

    const login = await auth.request(LOGIN, { email: admin.email, password: admin.password });
    expect(login.errors).toBeUndefined();
    expect(login.data.login.user.roles).toEqual(['ADMIN']);
    expect(decodeJwt(login.data.login.accessToken).roles).toEqual(['ADMIN']);
  });

  it('adds ADMIN to an existing account, keeping its roles and its password', async () => {
    const customer = await registerCustomer(auth);
    const admin = { email: customer.email.toUpperCase(), password: 'a different password' };
    expect(await bootstrap(auth.runtime, { ...testOptions(), admin })).toBe('promoted');
    expect(await bootstrap(auth.runtime, { ...testOptions(), admin })).toBe('unchanged');

    const account = await auth.runtime.orm.em.fork().findOneOrFail(Account, customer.id);
    expect(account.roles).toEqual(['CUSTOMER', 'ADMIN']);
    // No new registration: the account already existed.
    expect(await count(`select count(*) as n from account where email = ?`, [customer.email])).toBe(1);
    const withOld = await auth.request(LOGIN, { email: customer.email, password: customer.password });
    expect(withOld.data.login.user.roles).toEqual(['CUSTOMER', 'ADMIN']);
    const withNew = await auth.request(LOGIN, { email: customer.email, password: admin.password });
    expect(withNew.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('does nothing without an admin, and refuses a malformed admin email or short password', async () => {
    expect(await bootstrap(auth.runtime, testOptions())).toBeUndefined();
    await expect(
      bootstrap(auth.runtime, {
        ...testOptions(),
        admin: { email: 'not an email', password: 'long enough' },
      }),
    ).rejects.toThrow(/email/);
    await expect(
      bootstrap(auth.runtime, {
        ...testOptions(),
        admin: { email: `a-${randomUUID()}@shop.local`, password: 'short' },
      }),
    ).rejects.toThrow(/password/);
  });
});
