import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { unauthenticated, type EntityManager, type Logger } from '@shop/platform';
import type { Account } from './account.entity.js';
import { RefreshToken, Session } from './session.entity.js';
import type { SigningKeys } from './signing-key.service.js';

export interface SessionServiceOptions {
  keys: SigningKeys;
  /** Refresh token lifetime in seconds (REFRESH_TOKEN_TTL); each rotation starts a new one. */
  refreshTokenTtlSeconds: number;
  /**
   * A session's absolute lifetime in seconds (SESSION_MAX_AGE): however often its tokens are rotated,
   * none works past sign-in + this, and the customer signs in again.
   */
  sessionMaxAgeSeconds: number;
  logger: Logger;
}

/** What a client gets for a session: an access token and the refresh token that renews it. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Refresh tokens are 32 random bytes, base64url; only their SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString('base64url');
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const INVALID = 'Invalid refresh token';

type Rotation = { outcome: 'rotated'; tokens: SessionTokens } | { outcome: 'refused'; reuse: boolean };

/**
 * Sessions and their rotating refresh tokens (one family per sign-in). Every write to a session's
 * tokens happens while its `session` row is locked (`select ... for update`), so rotations,
 * reuse detection and logout of one session run one after another: of two refreshes racing with
 * the same token exactly one wins, and a revocation can never miss a token issued concurrently.
 */
export function createSessionService({
  keys,
  refreshTokenTtlSeconds,
  sessionMaxAgeSeconds,
  logger,
}: SessionServiceOptions) {
  /** When `session` ends for good: sign-in + SESSION_MAX_AGE. */
  const endOf = (session: Session) => session.createdAt.getTime() + sessionMaxAgeSeconds * 1000;

  /**
   * Adds a refresh token to `session` in `em`'s unit of work and signs an access token. The token
   * expires after REFRESH_TOKEN_TTL, or when the session ends if that is sooner.
   */
  async function issue(em: EntityManager, session: Session, account: Account): Promise<SessionTokens> {
    const refreshToken = newRefreshToken();
    em.create(RefreshToken, {
      id: randomUUID(),
      session,
      tokenHash: hashOf(refreshToken),
      expiresAt: new Date(Math.min(Date.now() + refreshTokenTtlSeconds * 1000, endOf(session))),
    });
    const { accessToken, expiresIn } = await keys.sign(account.id, account.roles);
    return { accessToken, refreshToken, expiresIn };
  }

  /**
   * Locks the session the token belongs to, then reads the token: what this returns was true
   * while the caller holds the lock, up to its commit. Undefined for a token never issued.
   */
  async function lockByToken(tx: EntityManager, token: string) {
    const tokenHash = hashOf(token);
    const [locked] = await tx
      .getConnection()
      .execute<{ id: string }[]>(
        `select s.id from "session" s join refresh_token t on t.session_id = s.id where t.token_hash = ? for update of s`,
        [tokenHash],
        'all',
        tx.getTransactionContext(),
      );
    if (!locked) return undefined;
    // Read after the lock: in READ COMMITTED this statement sees what the previous holder committed.
    return tx.findOneOrFail(RefreshToken, { tokenHash }, { populate: ['session', 'session.account'] });
  }

  return {
    /** Starts a session for `account` in `em`'s unit of work (commit it with the caller's change). */
    async open(em: EntityManager, account: Account): Promise<SessionTokens> {
      const session = em.create(Session, { id: randomUUID(), account, createdAt: new Date() });
      return issue(em, session, account);
    },

    /**
     * Exchanges `token` for a new pair in the same session and marks it used. A used token presented
     * again revokes the session (reuse of a stolen token, or a client racing itself), so the newest
     * token of the session stops working too. Unknown, expired, used and revoked tokens, and those of
     * a session past SESSION_MAX_AGE, all fail with the same UNAUTHENTICATED.
     */
    async refresh(em: EntityManager, token: string): Promise<SessionTokens> {
      const result = await em.transactional(async (tx): Promise<Rotation> => {
        const current = await lockByToken(tx, token);
        if (!current) return { outcome: 'refused', reuse: false };
        const session = current.session;
        if (session.revokedAt) return { outcome: 'refused', reuse: false };
        if (current.usedAt) {
          session.revokedAt = new Date();
          session.revokedReason = 'reuse';
          logger.warn(
            { sessionId: session.id, userId: session.account.id },
            'refresh token reused; session revoked',
          );
          return { outcome: 'refused', reuse: true };
        }
        // Expired, or its session has reached SESSION_MAX_AGE (also for tokens issued before a shorter
        // SESSION_MAX_AGE was configured).
        if (Math.min(current.expiresAt.getTime(), endOf(session)) <= Date.now())
          return { outcome: 'refused', reuse: false };
        current.usedAt = new Date();
        return { outcome: 'rotated', tokens: await issue(tx, session, session.account) };
      });
      // The revocation above commits before the refusal is thrown.
      if (result.outcome === 'refused') throw unauthenticated(INVALID);
      return result.tokens;
    },

    /**
     * Revokes the session `token` belongs to (whether the token is current, used or expired) and
     * resolves true, also when it was already revoked. A token never issued fails UNAUTHENTICATED.
     */
    async logout(em: EntityManager, token: string): Promise<true> {
      const found = await em.transactional(async (tx) => {
        const current = await lockByToken(tx, token);
        if (!current) return false;
        const session = current.session;
        if (!session.revokedAt) {
          session.revokedAt = new Date();
          session.revokedReason = 'logout';
        }
        return true;
      });
      if (!found) throw unauthenticated(INVALID);
      return true;
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
