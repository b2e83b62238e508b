import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An Ed25519 key pair that signs access tokens. The newest key signs; every key not retired is
 * published in the JWKS so tokens signed before a rotation still verify. The private half is a JWK,
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
    retiredAt: p.datetime().nullable(),
  },
});
export type SigningKey = InferEntity<typeof SigningKey>;
