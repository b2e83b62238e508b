import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  conflict,
  rateLimited,
  recordEvent,
  unauthenticated,
  type Database,
  type EntityManager,
  type Logger,
  type OutboxRelay,
} from '@shop/platform';
import { USER_REGISTERED_V1, userRegisteredV1, type UserUpdatedV1 } from '@shop/schema';
import { Account, type Role } from './account.entity.js';
import {
  EMAIL_MAX,
  normalizeEmail,
  PASSWORD_MAX,
  validEmail,
  validPassword,
  validRegistration,
  type Registration,
} from './account.validation.js';
import type { LoginThrottle } from './login-throttle.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password.js';
import type { SessionService, SessionTokens } from './session.service.js';

export interface AccountServiceOptions {
  sessions: SessionService;
  throttle: LoginThrottle;
  relay: OutboxRelay;
  logger: Logger;
}

/** A new session and the account it belongs to (`AuthPayload`). */
export interface SignedIn extends SessionTokens {
  user: Account;
}

/** The same words for an unknown email and a wrong password, so neither tells which it was. */
const LOGIN_FAILED = 'Invalid email or password';
const EMAIL_TAKEN = 'An account with this email already exists';

/** Serializes the admin bootstrap of replicas starting together (transaction-scoped advisory lock). */
const ADMIN_LOCK = `select pg_advisory_xact_lock(hashtext('auth_admin_bootstrap'))`;
const ADMIN_NAME = 'Administrator';

/** Records `auth.user.registered.v1` for a new account in the same unit of work. */
function recordRegistered(em: EntityManager, account: Account) {
  recordEvent(
    em,
    USER_REGISTERED_V1,
    account.id,
    userRegisteredV1.parse({
      userId: account.id,
      email: account.email,
      name: account.name,
      roles: account.roles,
      registeredAt: account.createdAt.toISOString(),
    }),
  );
}

function newAccount(
  em: EntityManager,
  fields: { email: string; passwordHash: string; name: string; roles: Role[] },
) {
  const now = new Date();
  return em.create(Account, { id: randomUUID(), ...fields, createdAt: now, updatedAt: now });
}

/** Accounts: registration, sign-in, the admin bootstrap and the copy of the profile name. */
export function createAccountService({ sessions, throttle, relay, logger }: AccountServiceOptions) {
  return {
    /**
     * Creates a CUSTOMER account and its first session; the account, the session and the
     * `auth.user.registered.v1` outbox row commit together. CONFLICT when the email is taken.
     */
    async register(em: EntityManager, input: Registration): Promise<SignedIn> {
      const { email, password, name } = validRegistration(input);
      if ((await em.count(Account, { email })) > 0) throw conflict(EMAIL_TAKEN);
      const passwordHash = await hashPassword(password);
      let signedIn: SignedIn;
      try {
        signedIn = await em.transactional(async (tx) => {
          const account = newAccount(tx, { email, passwordHash, name, roles: ['CUSTOMER'] });
          recordRegistered(tx, account);
          return { ...(await sessions.open(tx, account)), user: account };
        });
      } catch (error) {
        // Two registrations of one email raced past the check above: the unique index decides.
        if (error instanceof UniqueConstraintViolationException) throw conflict(EMAIL_TAKEN);
        throw error;
      }
      relay.nudge();
      return signedIn;
    },

    /**
     * Signs in. The throttle is asked first (RATE_LIMITED before any password is checked); an
     * unknown email costs one argon2 verification like a wrong password and fails the same way.
     * A hash made with older parameters is replaced after a successful check.
     */
    async login(
      em: EntityManager,
      email: string,
      password: string,
      clientIp: string | undefined,
    ): Promise<SignedIn> {
      const normalized = normalizeEmail(email);
      const decision = await throttle.attempt(normalized, clientIp);
      if (!decision.allowed) {
        throw rateLimited('Too many failed sign-in attempts; try again later', decision.retryAfterSeconds);
      }
      const account =
        normalized.length <= EMAIL_MAX ? await em.findOne(Account, { email: normalized }) : null;
      // No stored password is longer than PASSWORD_MAX; a longer one is checked (truncated) only
      // against the dummy hash, to spend the same time without hashing an unbounded input.
      const plausible = [...password].length <= PASSWORD_MAX;
      let matches = false;
      if (account && plausible) matches = await verifyPassword(account.passwordHash, password);
      else await verifyPassword(await dummyPasswordHash(), password.slice(0, PASSWORD_MAX));
      if (!account || !matches) throw unauthenticated(LOGIN_FAILED);
      await decision.attempt.succeeded();
      const rehash = needsRehash(account.passwordHash) ? await hashPassword(password) : undefined;
      return em.transactional(async (tx) => {
        const signedIn = tx.merge(account);
        if (rehash) signedIn.passwordHash = rehash;
        return { ...(await sessions.open(tx, signedIn)), user: signedIn };
      });
    },

    /** The accounts with these ids (any order; unknown or malformed ids are left out). */
    async findByIds(em: EntityManager, ids: readonly string[]): Promise<Account[]> {
      const wellFormed = ids.filter((id) => UUID.test(id));
      return wellFormed.length ? em.find(Account, { id: { $in: wellFormed } }) : [];
    },

    /**
     * Makes `email` an ADMIN account (ADMIN_EMAIL / ADMIN_PASSWORD at start-up): creates it with
     * roles [ADMIN] (and its registered event), or adds ADMIN to an existing account. An existing
     * account's password is left alone: the variables bootstrap an account, they are not a way to
     * reset one, and resetting on every start would undo a password the admin changed since.
     * Idempotent, and safe when replicas run it at once (advisory lock).
     */
    async bootstrapAdmin(orm: Database, admin: { email: string; password: string }) {
      const email = validEmail(admin.email);
      const password = validPassword(admin.password);
      const outcome = await orm.em.fork().transactional(async (tx) => {
        await tx.getConnection().execute(ADMIN_LOCK, [], 'all', tx.getTransactionContext());
        const existing = await tx.findOne(Account, { email });
        if (!existing) {
          const account = newAccount(tx, {
            email,
            passwordHash: await hashPassword(password),
            name: ADMIN_NAME,
            roles: ['ADMIN'],
          });
          recordRegistered(tx, account);
          return 'created' as const;
        }
        if (existing.roles.includes('ADMIN')) return 'unchanged' as const;
        existing.roles = [...existing.roles, 'ADMIN'];
        return 'promoted' as const;
      });
      if (outcome !== 'unchanged') logger.info({ outcome }, 'admin account bootstrapped');
      relay.nudge();
      return outcome;
    },

    /**
     * Applies a users.user.updated.v1 to auth's copy of the name, unless an event at least as
     * recent was applied already (events of one user arrive in order, but a redelivery may not).
     */
    async applyProfileUpdate(em: EntityManager, update: UserUpdatedV1): Promise<boolean> {
      const updatedAt = new Date(update.updatedAt);
      const changed = await em.nativeUpdate(
        Account,
        { id: update.userId, $or: [{ nameUpdatedAt: null }, { nameUpdatedAt: { $lt: updatedAt } }] },
        { name: update.name, nameUpdatedAt: updatedAt, updatedAt: new Date() },
      );
      return changed > 0;
    },
  };
}
export type AccountService = ReturnType<typeof createAccountService>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
