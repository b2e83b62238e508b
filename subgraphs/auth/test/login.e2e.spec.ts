import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes, graphql } from '@shop/platform/testing';
import { Account } from '../src/account.entity.js';
import { hashPassword } from '../src/password.js';
import { LOGIN, registerCustomer, startAuth, type TestAuth } from './auth.harness.js';

describe('login', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    // testOptions: 3 failures per email, 8 per client address, in a 120 s window.
    auth = await startAuth();
  });
  afterAll(async () => {
    await auth?.stop();
  });

  /** Logs in, optionally as a client the router reports at `ip`. */
  const login = (email: string, password: string, ip?: string) =>
    graphql(
      auth.url,
      LOGIN,
      { email, password },
      ip ? { headers: { 'x-forwarded-for': `${ip}, 10.0.0.1` } } : {},
    );

  it('signs in with the registered password, the email in any case, and returns a new session', async () => {
    const customer = await registerCustomer(auth, 'Grace Hopper');
    const response = await login(` ${customer.email.toUpperCase()} `, customer.password);
    expect(response.errors).toBeUndefined();
    expect(response.data.login).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 600,
      user: { id: customer.id, email: customer.email, name: 'Grace Hopper', roles: ['CUSTOMER'] },
    });
    expect(response.data.login.refreshToken).not.toBe(customer.refreshToken);
    expect(response.data.login.accessToken).not.toBe(customer.accessToken);
  });

  it('says the same for a wrong password and an unknown email, in about the same time', async () => {
    const customer = await registerCustomer(auth);
    const timed = async (email: string) => {
      const startedAt = performance.now();
      const response = await login(email, 'not the password');
      return { response, ms: performance.now() - startedAt };
    };
    // Two of each, interleaved (2 failures stay under this run's limit of 3 per email).
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 2; i++) {
      wrong.push(await timed(customer.email));
      unknown.push(await timed(`nobody-${randomUUID()}@example.com`));
    }
    for (const attempt of [...wrong, ...unknown]) {
      expect(errorCodes(attempt.response)).toEqual(['UNAUTHENTICATED']);
      expect(attempt.response.errors![0]!.message).toBe(wrong[0]!.response.errors![0]!.message);
      expect(attempt.response.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    }
    // Both pay one argon2id verification (an unknown email checks a dummy hash), so neither answers
    // in a fraction of the other's time. The fastest of each is compared, with loose bounds: a
    // sanity check against skipping the hash, not a benchmark.
    const fastest = (list: { ms: number }[]) => Math.min(...list.map((a) => a.ms));
    expect(fastest(unknown)).toBeGreaterThan(fastest(wrong) / 4);
    expect(fastest(wrong)).toBeGreaterThan(fastest(unknown) / 4);
  });

  it('refuses with RATE_LIMITED after 3 failures, even with the right password, before checking it', async () => {
    const customer = await registerCustomer(auth);
    for (let i = 0; i < 3; i++) {
      expect(errorCodes(await login(customer.email, `wrong password ${i}`))).toEqual(['UNAUTHENTICATED']);
    }
    const refused = await login(customer.email.toUpperCase(), customer.password);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    const retryAfter = refused.errors![0]!.extensions!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(120);
    // Other accounts are not affected.
    const other = await registerCustomer(auth);
    expect((await login(other.email, other.password)).errors).toBeUndefined();
  });

  it('counts unknown emails the same way, so throttling tells nothing about which emails exist', async () => {
    const email = `nobody-${randomUUID()}@example.com`;
    for (let i = 0; i < 3; i++)
      expect(errorCodes(await login(email, 'guess number one'))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await login(email, 'guess number two'))).toEqual(['RATE_LIMITED']);
  });

  it('clears the email’s failures after a successful login', async () => {
    const customer = await registerCustomer(auth);
    for (let i = 0; i < 2; i++) await login(customer.email, 'wrong password');
    expect((await login(customer.email, customer.password)).errors).toBeUndefined();
    // Were the two failures still counted, the third one here would lock the email out.
    for (let i = 0; i < 2; i++) {
      expect(errorCodes(await login(customer.email, 'wrong password'))).toEqual(['UNAUTHENTICATED']);
    }
    expect((await login(customer.email, customer.password)).errors).toBeUndefined();
  });

  it('lets no more guesses through than allowed when they arrive all at once', async () => {
    const customer = await registerCustomer(auth);
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(customer.email, `parallel guess ${i}`)),
    );
    const codes = responses.flatMap(errorCodes);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
  });

  it('limits failures per client address across many emails (8 per window here)', async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    for (let i = 0; i < 8; i++) {
      expect(errorCodes(await login(`spray-${i}-${randomUUID()}@example.com`, 'password1', ip))).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    const customer = await registerCustomer(auth);
    expect(errorCodes(await login(customer.email, customer.password, ip))).toEqual(['RATE_LIMITED']);
    // The same account from another address is fine.
    expect((await login(customer.email, customer.password, '198.51.100.7')).errors).toBeUndefined();
  });

  it('upgrades a hash made with older parameters after a successful login', async () => {
    const customer = await registerCustomer(auth);
    const old = await hashPassword(customer.password, { memory: 8_192, passes: 3, parallelism: 1 });
    await auth.runtime.orm.em.fork().nativeUpdate(Account, { id: customer.id }, { passwordHash: old });

    expect((await login(customer.email, customer.password)).errors).toBeUndefined();
    const account = await auth.runtime.orm.em.fork().findOneOrFail(Account, customer.id);
    expect(account.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(customer.email, customer.password)).errors).toBeUndefined();
  });
});
