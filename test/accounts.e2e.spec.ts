import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { contract } from './support/contract.js';
import { authSigner } from './support/tokens.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { useStack } from './support/stack.js';

// Accounts through the router on the real stack: auth and users joined by federation.
const api = useStack();

describe('accounts through the router', () => {
  it('registers a customer and returns tokens with the user joined from auth and users', async () => {
    const email = `Mixed.Case-${randomUUID()}@Example.com`;
    const response = await api.request(contract('Register'), {
      input: { email, password: 'long enough pw', name: 'Ada Lovelace' },
    });
    expect(response.errors).toBeUndefined();
    const { register } = response.data;
    expect(register.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      name: 'Ada Lovelace',
      roles: ['CUSTOMER'],
    });
    expect(register.expiresIn).toBeGreaterThan(0);
    expect(register.expiresIn).toBeLessThanOrEqual(900);
    expect(register.accessToken.split('.')).toHaveLength(3);
    expect(register.refreshToken).toEqual(expect.any(String));
  });

  it('refuses malformed email, short password and a duplicate email (case-insensitive), creating nothing', async () => {
    const malformed = await api.request(contract('Register'), {
      input: { email: 'not-an-email', password: 'long enough pw', name: 'X' },
    });
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    const short = await api.request(contract('Register'), {
      input: { email: `s-${randomUUID()}@example.com`, password: 'short', name: 'X' },
    });
    expect(errorCodes(short)).toEqual(['BAD_USER_INPUT']);

    const customer = await api.registerCustomer();
    const duplicate = await api.request(contract('Register'), {
      input: { email: customer.email.toUpperCase(), password: 'another long pw', name: 'Impostor' },
    });
    expect(errorCodes(duplicate)).toEqual(['CONFLICT']);
    // The original account still logs in with its own password; the impostor's does not.
    const original = await api.request(contract('Login'), {
      email: customer.email,
      password: customer.password,
    });
    expect(original.data?.login.user.name).toBe(customer.name);
    const impostor = await api.request(contract('Login'), {
      email: customer.email,
      password: 'another long pw',
    });
    expect(errorCodes(impostor)).toEqual(['UNAUTHENTICATED']);
  });

  it('logs in, and says the same for a wrong password and an unknown email', async () => {
    const customer = await api.registerCustomer('Grace Hopper');
    const ok = await api.request(contract('Login'), {
      email: customer.email.toUpperCase(),
      password: customer.password,
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.login.user).toMatchObject({
      id: customer.id,
      email: customer.email,
      name: 'Grace Hopper',
      roles: ['CUSTOMER'],
    });

    const wrong = await api.request(contract('Login'), {
      email: customer.email,
      password: 'wrong password!',
    });
    const unknown = await api.request(contract('Login'), {
      email: `nobody-${randomUUID()}@example.com`,
      password: 'whatever pw',
    });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });

  it('rotates refresh tokens: the old one is refused, and reusing it revokes the whole session', async () => {
    const customer = await api.registerCustomer();
    const first = await api.request(contract('RefreshSession'), { refreshToken: customer.refreshToken });
    expect(first.errors).toBeUndefined();
    const rotated = first.data.refreshSession;
    expect(rotated.refreshToken).not.toBe(customer.refreshToken);
    expect(rotated.accessToken.split('.')).toHaveLength(3);

    const reuse = await api.request(contract('RefreshSession'), { refreshToken: customer.refreshToken });
    expect(errorCodes(reuse)).toEqual(['UNAUTHENTICATED']);
    // Reuse detection revoked the family: the newest token is refused too.
    const afterReuse = await api.request(contract('RefreshSession'), { refreshToken: rotated.refreshToken });
    expect(errorCodes(afterReuse)).toEqual(['UNAUTHENTICATED']);
  });

  it('logs out: the refresh token stops working', async () => {
    const customer = await api.registerCustomer();
    const logout = await api.request(contract('Logout'), { refreshToken: customer.refreshToken });
    expect(logout.data).toEqual({ logout: true });
    const refresh = await api.request(contract('RefreshSession'), { refreshToken: customer.refreshToken });
    expect(errorCodes(refresh)).toEqual(['UNAUTHENTICATED']);
  });

  it('answers me with fields from auth and users, and requires a token', async () => {
    const customer = await api.registerCustomer('Katherine Johnson');
    const me = await api.request(contract('Me'), {}, customer.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data.me).toEqual({
      id: customer.id,
      email: customer.email,
      name: 'Katherine Johnson',
      roles: ['CUSTOMER'],
      createdAt: expect.any(String),
      addresses: [],
    });
    const anonymous = await api.request(contract('Me'));
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });

  it('updates the profile and adds addresses, the first one becoming the default', async () => {
    const customer = await api.registerCustomer('Before');
    const updated = await api.request(
      contract('UpdateProfile'),
      { input: { name: 'After' } },
      customer.accessToken,
    );
    expect(updated.data).toEqual({ updateProfile: { id: customer.id, name: 'After' } });
    const empty = await api.request(contract('UpdateProfile'), { input: { name: '' } }, customer.accessToken);
    expect(errorCodes(empty)).toEqual(['BAD_USER_INPUT']);

    const home = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
    const first = await api.request(contract('AddAddress'), { input: home }, customer.accessToken);
    expect(first.data.addAddress).toMatchObject({ ...home, line2: null, isDefault: true });
    const second = await api.request(
      contract('AddAddress'),
      { input: { ...home, line1: '2 Side St' } },
      customer.accessToken,
    );
    expect(second.data.addAddress.isDefault).toBe(false);
    const third = await api.request(
      contract('AddAddress'),
      { input: { ...home, line1: '3 New St', isDefault: true } },
      customer.accessToken,
    );
    expect(third.data.addAddress.isDefault).toBe(true);
    const badCountry = await api.request(
      contract('AddAddress'),
      { input: { ...home, country: 'XX' } },
      customer.accessToken,
    );
    expect(errorCodes(badCountry)).toEqual(['BAD_USER_INPUT']);

    const me = await api.request(contract('Me'), {}, customer.accessToken);
    expect(me.data.me.name).toBe('After');
    expect(
      me.data.me.addresses.map((a: { line1: string; isDefault: boolean }) => [a.line1, a.isDefault]),
    ).toEqual([
      ['1 Main St', false],
      ['2 Side St', false],
      ['3 New St', true],
    ]);
    // Login shows the new name too, once auth's copy has followed the users.user.updated.v1 event.
    await waitFor(async () => {
      const login = await api.request(contract('Login'), {
        email: customer.email,
        password: customer.password,
      });
      return login.data?.login.user.name === 'After';
    });
  });

  it('refuses an expired access token at the edge, though its signature is good', async () => {
    const customer = await api.registerCustomer();
    // Signed with auth's own current key, so the only thing wrong with the expired token is its expiry.
    const signer = await authSigner(api.stack);
    const sign = (expiresAt: number) => signer(customer.id, expiresAt);
    const now = Math.floor(Date.now() / 1000);
    const valid = await api.request(contract('Me'), {}, await sign(now + 60));
    expect(valid.data?.me.id).toBe(customer.id);
    const expired = await api.request(contract('Me'), {}, await sign(now - 5));
    expect(expired.data ?? null).toBeNull();
    expect(expired.errors?.[0]).toMatchObject({
      message: 'Access token expired',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuses tampered and foreign tokens at the edge', async () => {
    const customer = await api.registerCustomer();
    const [header, payload, signature] = customer.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url')}.${signature}`;
    const tampered = await api.request(contract('Me'), {}, forged);
    expect(errorCodes(tampered)).toEqual(['UNAUTHENTICATED']);
    const garbage = await api.request(contract('Me'), {}, 'not.a.token');
    expect(errorCodes(garbage)).toEqual(['UNAUTHENTICATED']);
  });
});
