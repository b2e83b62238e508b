import {
  createGraphQLService,
  DateTimeScalar,
  loadTypeDefs,
  type SubgraphRuntime,
  subgraphServiceOptions,
} from '@shop/platform';
import type { SubgraphApp } from '@shop/platform/testing';
import { startAccountConsumer } from './account.consumer.js';
import { accountResolvers } from './account.resolvers.js';
import { createAccountService } from './account.service.js';
import type { Context } from './context.js';
import { createLoginThrottle } from './login-throttle.js';
import { dummyPasswordHash } from './password.js';
import { sessionResolvers } from './session.resolvers.js';
import { createSessionService } from './session.service.js';
import { createSigningKeys } from './signing-key.service.js';

const typeDefs = loadTypeDefs(new URL('../auth.graphql', import.meta.url));

/** The JWKS document may be cached this long; a new key must be published this long before it signs. */
export const JWKS_MAX_AGE_SECONDS = 300;

export interface AuthOptions {
  /** `iss` and `aud` of access tokens (JWT_ISSUER, JWT_AUDIENCE). */
  issuer: string;
  audience: string;
  /** ACCESS_TOKEN_TTL (default 900, at most 900). */
  accessTokenTtlSeconds?: number;
  /** REFRESH_TOKEN_TTL (default 30 days). */
  refreshTokenTtlSeconds?: number;
  /** LOGIN_MAX_FAILURES (default 5), LOGIN_MAX_FAILURES_PER_IP (default 50), LOGIN_FAILURE_WINDOW_SECONDS (default 900). */
  loginMaxFailures?: number;
  loginMaxFailuresPerIp?: number;
  loginFailureWindowSeconds?: number;
  /** SIGNING_KEY_SECRET: encrypts private keys at rest when set. */
  signingKeySecret?: string | undefined;
  /** SESSION_MAX_AGE: a session's refresh tokens stop working this long after sign-in (default 90 days). */
  sessionMaxAgeSeconds?: number;
  /** Signing-key timings (tests shorten them): see createSigningKeys. */
  signingKeys?: { reloadAfterMs?: number; jwksMaxAgeSeconds?: number; clockSkewMs?: number };
}

/** Everything the auth subgraph is made of, built from a runtime without side effects. */
export function createAuth(runtime: SubgraphRuntime, options: AuthOptions) {
  if (!runtime.redis)
    throw new Error('the auth subgraph needs Redis (login throttling): open the runtime with redisUrl');
  const keys = createSigningKeys({
    orm: runtime.orm,
    logger: runtime.logger,
    issuer: options.issuer,
    audience: options.audience,
    accessTokenTtlSeconds: Math.min(options.accessTokenTtlSeconds ?? 900, 900),
    secret: options.signingKeySecret,
    jwksMaxAgeSeconds: JWKS_MAX_AGE_SECONDS,
    ...options.signingKeys,
  });
  const sessions = createSessionService({
    keys,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    sessionMaxAgeSeconds: options.sessionMaxAgeSeconds ?? 90 * 24 * 3600,
    logger: runtime.logger,
  });
  const throttle = createLoginThrottle({
    redis: runtime.redis,
    maxFailures: options.loginMaxFailures ?? 5,
    maxFailuresPerIp: options.loginMaxFailuresPerIp ?? 50,
    windowSeconds: options.loginFailureWindowSeconds ?? 900,
  });
  const accounts = createAccountService({ sessions, throttle, relay: runtime.relay, logger: runtime.logger });
  return { keys, sessions, accounts };
}

/**
 * Makes what the auth subgraph needs before it serves: the signing key (created once, shared by
 * replicas and restarts) and, when ADMIN_EMAIL and ADMIN_PASSWORD are given, the admin account.
 * Idempotent; called by main.ts before listening, and by tests.
 */
export async function bootstrap(
  runtime: SubgraphRuntime,
  options: AuthOptions & { admin?: { email: string; password: string } | undefined },
) {
  const { keys, accounts } = createAuth(runtime, options);
  await keys.ensure();
  // Made now so the first login with an unknown email costs no more than any other.
  await dummyPasswordHash();
  return options.admin ? accounts.bootstrapAdmin(runtime.orm, options.admin) : undefined;
}

/**
 * The auth subgraph: GraphQL (register, login, refreshSession, logout, User), the JWKS at
 * `/.well-known/jwks.json`, and the users.user.updated.v1 consumer. Tokens sent to it are verified
 * against its own keys, read from its database, not over HTTP and not with `runtime.verifyToken`.
 */
export function buildApp(runtime: SubgraphRuntime, options: AuthOptions): SubgraphApp {
  const { keys, sessions, accounts } = createAuth(runtime, options);
  const service = createGraphQLService<Context>({
    ...subgraphServiceOptions(runtime),
    typeDefs,
    resolvers: {
      DateTime: DateTimeScalar,
      ...mergeMutations(accountResolvers(accounts), sessionResolvers(sessions)),
    },
    verifyToken: keys.verifyToken,
    // Ready only once the signing key is readable (e.g. not while SIGNING_KEY_SECRET is wrong).
    readiness: { ...runtime.readiness, signingKey: async () => (await keys.jwks()).keys.length > 0 },
    routes: (app) => {
      app.get('/.well-known/jwks.json', async (_req, res) => {
        try {
          const jwks = await keys.jwks();
          res.set('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json(jwks);
        } catch (error) {
          runtime.logger.error({ err: error }, 'JWKS unavailable');
          res.status(503).json({ error: 'unavailable' });
        }
      });
    },
  });
  return {
    service,
    startConsumers: async () => {
      const consumer = await startAccountConsumer(runtime, accounts);
      return [consumer];
    },
  };
}

function mergeMutations<R extends { Mutation?: object }>(...parts: R[]): R {
  return parts.reduce((all, part) => ({ ...all, ...part, Mutation: { ...all.Mutation, ...part.Mutation } }));
}
