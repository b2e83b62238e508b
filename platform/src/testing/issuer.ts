import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import type { Role } from '../auth.js';

/**
 * Signs access tokens for subgraph tests with a throwaway Ed25519 key, exactly as the auth
 * subgraph does (same claims), so a subgraph can be tested alone with a verifier built on `jwks`.
 */
export async function createTestIssuer({ issuer = 'shop-auth', audience = 'shop' } = {}) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const kid = 'test-key';
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return {
    issuer,
    audience,
    jwks,
    /** A token for `sub` with `roles` (default CUSTOMER) expiring in `expiresIn` seconds (default 900; negative = already expired). */
    async token(sub: string, { roles = ['CUSTOMER'] as Role[], expiresIn = 900 } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
    },
  };
}
export type TestIssuer = Awaited<ReturnType<typeof createTestIssuer>>;
