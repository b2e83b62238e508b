import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Account } from './account.entity.js';

/**
 * A sign-in session: the family of refresh tokens issued by one login or registration, each
 * rotation adding one. Revoking the session (logout, or a used token presented again) ends every
 * token of it at once. Rotation locks this row, so a revocation and a rotation never interleave.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'session',
  properties: {
    id: p.uuid().primary(),
    account: p.manyToOne(Account).deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
    /** `logout` or `reuse` (a used refresh token was presented again). */
    revokedReason: p.string().length(20).nullable().check(`revoked_reason in ('logout', 'reuse')`),
  },
});
export type Session = InferEntity<typeof Session>;

/**
 * One refresh token of a session. Only its SHA-256 hash is stored; the token itself (32 random
 * bytes, base64url) is shown to the client once. `usedAt` is set when it is exchanged.
 */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    id: p.uuid().primary(),
    session: p.manyToOne(Session).deleteRule('cascade').index(),
    /** Hex SHA-256 of the token. */
    tokenHash: p.string().length(64).unique(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type RefreshToken = InferEntity<typeof RefreshToken>;
