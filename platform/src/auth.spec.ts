import { describe, expect, it } from '@jest/globals';
import { bearerToken, createJwtVerifier, requireOwnerOrAdmin, requireRole } from './auth.js';
import { createTestIssuer } from './testing/issuer.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return undefined;
};

describe('access tokens', () => {
  it('verifies a token of the issuer and refuses expired, tampered and foreign ones', async () => {
    const issuer = await createTestIssuer();
    const verify = createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience });
    const token = await issuer.token('user-1', { roles: ['ADMIN'] });
    await expect(verify(token)).resolves.toMatchObject({ id: 'user-1', roles: ['ADMIN'] });

    await expect(verify(await issuer.token('user-1', { expiresIn: -10 }))).rejects.toMatchObject({
      message: 'Access token expired',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const [h, p, s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'user-2' })).toString('base64url')}.${s}`;
    await expect(verify(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const foreign = await createTestIssuer();
    await expect(verify(await foreign.token('user-1'))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const otherAudience = await createTestIssuer({ audience: 'elsewhere' });
    const verifyOther = createJwtVerifier({
      jwks: otherAudience.jwks,
      issuer: 'shop-auth',
      audience: 'shop',
    });
    await expect(verifyOther(await otherAudience.token('user-1'))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('parses bearer headers', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(code(() => bearerToken('Basic dXNlcjpwYXNz'))).toBe('UNAUTHENTICATED');
  });

  it('checks roles and ownership', () => {
    const customer = { id: 'c', roles: ['CUSTOMER' as const], expiresAt: 0 };
    const admin = { id: 'a', roles: ['ADMIN' as const], expiresAt: 0 };
    expect(code(() => requireRole(undefined, 'ADMIN'))).toBe('UNAUTHENTICATED');
    expect(code(() => requireRole(customer, 'ADMIN'))).toBe('FORBIDDEN');
    expect(requireRole(admin, 'ADMIN')).toBe(admin);
    expect(requireOwnerOrAdmin(customer, 'c')).toBe(customer);
    expect(requireOwnerOrAdmin(admin, 'c')).toBe(admin);
    expect(code(() => requireOwnerOrAdmin(customer, 'someone-else'))).toBe('FORBIDDEN');
  });
});
