import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@shop/platform';
import { errorCodes, waitFor } from '@shop/platform/testing';
import { Account } from '../src/account.entity.js';
import { USER_REGISTERED_V1, type UserRegisteredV1 } from '@shop/schema';
import { newCustomer, REGISTER, startAuth, type TestAuth } from './auth.harness.js';

describe('register', () => {
  let auth: TestAuth;
  const published: EventEnvelope<UserRegisteredV1>[] = [];
  let stopListening: () => Promise<void>;

  beforeAll(async () => {
    auth = await startAuth();
    // A consumer of our own on the real topic: what other subgraphs will receive.
    const listener = await auth.runtime.kafka.consume({
      groupId: 'register-test-listener',
      handlers: {
        [USER_REGISTERED_V1]: {
          parse: (payload) => payload as UserRegisteredV1,
          handle: async (event) => void published.push(event),
        },
      },
    });
    stopListening = () => listener.stop();
  });
  afterAll(async () => {
    await stopListening?.();
    await auth?.stop();
  });

  const accountCount = () => auth.runtime.orm.em.fork().count(Account, {});
  it('creates a customer, signs it in and publishes auth.user.registered.v1 keyed by the user id', async () => {
    const input = newCustomer('  Ada Lovelace  ');
    const mixedCase = input.email.replace('ada', 'AdA').replace('example.com', 'Example.COM');
    const response = await auth.request(REGISTER, { input: { ...input, email: `  ${mixedCase} ` } });
    expect(response.errors).toBeUndefined();
    const { register } = response.data;
    expect(register.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: input.email,
      name: 'Ada Lovelace',
      roles: ['CUSTOMER'],
      createdAt: expect.any(String),
    });
    expect(register.expiresIn).toBe(600);
    expect(register.accessToken.split('.')).toHaveLength(3);
    expect(register.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Stored: lowercased email, an argon2id hash (never the password), only the refresh token's hash.
    const em = auth.runtime.orm.em.fork();
    const account = await em.findOneOrFail(Account, register.user.id);
    expect(account.email).toBe(input.email);
    expect(account.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [token] = await em
      .getConnection()
      .execute<{ token_hash: string }[]>(
        `select token_hash from refresh_token t join session s on s.id = t.session_id where s.account_id = ?`,
        [account.id],
      );
    expect(token!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(token!.token_hash).not.toContain(register.refreshToken);

    await waitFor(() => published.some((e) => e.key === register.user.id));
    const event = published.find((e) => e.key === register.user.id)!;
    expect(event.type).toBe(USER_REGISTERED_V1);
    expect(event.payload).toEqual({
      userId: register.user.id,
      email: input.email,
      name: 'Ada Lovelace',
      roles: ['CUSTOMER'],
      registeredAt: register.user.createdAt,
    });
  });

  it('refuses an email already registered, whatever its letter case, with CONFLICT and changes nothing', async () => {
    const input = newCustomer();
    const first = await auth.request(REGISTER, { input });
    expect(first.errors).toBeUndefined();
    await waitFor(() => published.some((e) => e.key === first.data.register.user.id));
    const before = await accountCount();

    const duplicate = await auth.request(REGISTER, {
      input: { email: input.email.toUpperCase(), password: 'a different password', name: 'Impostor' },
    });
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
    expect(duplicate.data).toBeNull();
    expect(await accountCount()).toBe(before);
    const kept = await auth.runtime.orm.em.fork().findOneOrFail(Account, { email: input.email });
    expect(kept.name).toBe(input.name);

    // No event either: once a later registration's event is out, still one event for this email.
    const sentinel = await auth.request(REGISTER, { input: newCustomer() });
    await waitFor(() => published.some((e) => e.key === sentinel.data.register.user.id));
    await auth.runtime.relay.flush();
    expect(published.filter((e) => e.payload.email === input.email)).toHaveLength(1);
  });

  it('lets exactly one of two racing registrations of one email through', async () => {
    const input = newCustomer();
    const [a, b] = await Promise.all([
      auth.request(REGISTER, { input }),
      auth.request(REGISTER, { input: { ...input, email: input.email.toUpperCase() } }),
    ]);
    expect([...errorCodes(a), ...errorCodes(b)]).toEqual(['CONFLICT']);
    expect(await auth.runtime.orm.em.fork().count(Account, { email: input.email })).toBe(1);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['an email without a domain', { email: 'ada@' }, 'email'],
    ['a 7-character password', { password: '1234567' }, 'password'],
    ['a 129-character password', { password: 'p'.repeat(129) }, 'password'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '    ' }, 'name'],
    ['a 101-character name', { name: 'n'.repeat(101) }, 'name'],
  ])('refuses %s with BAD_USER_INPUT naming the field, creating nothing', async (_case, override, field) => {
    const before = await accountCount();
    const response = await auth.request(REGISTER, { input: { ...newCustomer(), ...override } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.extensions!.field).toBe(field);
    expect(await accountCount()).toBe(before);
  });

  it('accepts the limits themselves: 8 and 128-character passwords, a 100-character name', async () => {
    for (const override of [
      { password: 'p'.repeat(8) },
      { password: 'p'.repeat(128), name: 'n'.repeat(100) },
    ]) {
      const response = await auth.request(REGISTER, { input: { ...newCustomer(), ...override } });
      expect(response.errors).toBeUndefined();
    }
  });
});
