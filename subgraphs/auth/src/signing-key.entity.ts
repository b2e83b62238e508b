import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An Ed25519 key pair that signs access tokens. The newest active key signs; every key not retired is
 * published in the JWKS, a new one before it signs (so verifiers holding a cached JWKS already have it)
 * and an old one until the tokens it signed have expired (so they still verify). See
 * signing-key.service.ts, `rotate`. The private half is a JWK,
 * AES-256-GCM encrypted when SIGNING_KEY_SECRET is set (`privateKeyEncryption`), and is never logged.
 */
export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_key',
  properties: {
    /** The JWT `kid`. */
    kid: p.string().length(64).primary(),
    alg: p.string().length(16),
    publicJwk: p.json<Record<string, unknown>>(),
    privateKey: p.text().hidden(),
    /** `none` (JSON JWK) or `aes-256-gcm` (see signing-key.service.ts). */
    privateKeyEncryption: p.string().length(20),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** When it starts signing; null: from its creation. Published from its creation either way. */
    activatesAt: p.datetime().nullable(),
    /** When it leaves the JWKS (past or future); null: not retiring. */
    retiredAt: p.datetime().nullable(),
  },
});
export type SigningKey = InferEntity<typeof SigningKey>;
