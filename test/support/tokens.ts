import { importJWK, SignJWT } from 'jose';
import type { RunningStack } from '../../scripts/stack.js';
import { sql } from './database.js';

/**
 * Signs access tokens with the auth subgraph's own current key (read from its database, stored
 * unencrypted in development), so a spec can make a token whose only peculiarity is its lifetime
 * (already expired, or expiring in a few seconds) while everything else is exactly what auth issues.
 */
export async function authSigner(stack: RunningStack) {
  const [key] = await sql<{ kid: string; private_key: string }>(
    stack.databases.auth!,
    'select kid, private_key from signing_key where retired_at is null order by created_at desc limit 1',
  );
  const privateKey = await importJWK(JSON.parse(key!.private_key), 'EdDSA');
  return (userId: string, expiresAt: number, roles: string[] = ['CUSTOMER']) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: key!.kid })
      .setSubject(userId)
      .setIssuer('shop-auth')
      .setAudience('shop')
      .setIssuedAt(Math.min(expiresAt - 900, Math.floor(Date.now() / 1000)))
      .setExpirationTime(expiresAt)
      .sign(privateKey);
}
