import { fileURLToPath } from 'node:url';
import { flag, port, serviceEnv, type Logger } from '@shop/platform/edge';
import { z } from 'zod';
import type { RouterOptions } from './app.js';
import { corsOriginProblem } from './cors.js';
import { DEFAULT_RATE_LIMITS } from './rate-limits.js';

/** `<repo>/schema/supergraph.graphql`, what `npm run compose` writes. */
export const DEFAULT_SUPERGRAPH_PATH = fileURLToPath(
  new URL('../../schema/supergraph.graphql', import.meta.url),
);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const milliseconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** Prefix of the environment keys that override a subgraph's routing URL: `SUBGRAPH_URL_<NAME>`. */
export const SUBGRAPH_URL_PREFIX = 'SUBGRAPH_URL_';

/** Why `value` is not a usable routing URL (an absolute http(s) URL without a fragment), or undefined. */
function routingUrlProblem(value: unknown): string | undefined {
  const expected = "an absolute http:// or https:// URL (the subgraph's /graphql endpoint)";
  if (typeof value !== 'string' || !URL.canParse(value)) return expected;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return expected;
  if (url.hash) return 'no #fragment';
  return undefined;
}

/**
 * The router's environment (validated by the kit's `loadConfig`; every problem reported at once). Besides
 * the keys below, every `SUBGRAPH_URL_<NAME>` (the subgraph's name upper-cased, other characters as `_`)
 * overrides that subgraph's routing URL in the supergraph: `SUBGRAPH_URL_ORDERS=http://orders:4006/graphql`.
 */
export const routerEnv = z
  .looseObject({
    NODE_ENV: serviceEnv.NODE_ENV,
    LOG_LEVEL: serviceEnv.LOG_LEVEL,
    HOST: serviceEnv.HOST,
    PORT: port(4000),
    AUTH_JWKS_URL: serviceEnv.AUTH_JWKS_URL,
    JWT_ISSUER: serviceEnv.JWT_ISSUER,
    JWT_AUDIENCE: serviceEnv.JWT_AUDIENCE,
    SUPERGRAPH_PATH: z.string().min(1).default(DEFAULT_SUPERGRAPH_PATH),
    SUPERGRAPH_POLL_INTERVAL_MS: milliseconds(5000),
    /** Serve the Apollo Sandbox (and introspection); unset = only outside production. */
    SANDBOX: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
    MAX_DEPTH: positiveInt(12),
    MAX_ALIASES: z.coerce.number().int().min(0).default(30),
    MAX_COST: positiveInt(5000),
    DEFAULT_LIST_SIZE: positiveInt(10),
    MAX_REQUEST_BYTES: positiveInt(64 * 1024),
    SUBGRAPH_TIMEOUT_MS: positiveInt(30_000),
    /** Identical subgraph reads in flight at once are sent once; `false` sends each (benchmarks). */
    SUBGRAPH_DEDUPLICATION: flag(true),
    /** Client subscriptions of one document, variables and caller share one run (one upstream subscription); `false` opens one each. */
    SUBSCRIPTION_DEDUPLICATION: flag(true),
    /** After a subgraph sheds a root mutation field (SERVICE_UNAVAILABLE), refuse it at the edge for its Retry-After. */
    MUTATION_SHEDDING: flag(true),
    /** Router processes sharing the port (node:cluster; see router/src/workers.ts); 1 runs one process. */
    ROUTER_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    READINESS_CACHE_MS: milliseconds(2000),
    SHUTDOWN_DELAY_MS: milliseconds(0),
    TRUST_PROXY: flag(false),
    WS_INIT_TIMEOUT_MS: positiveInt(3000),
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt(20),
    WS_MAX_CONNECTIONS_PER_CUSTOMER: positiveInt(10),
    WS_MAX_BUFFERED_EVENTS: positiveInt(100),
    WS_KEEPALIVE_MS: positiveInt(12_000),
    /** Per-client rate limits in Redis: off unless `true` (the local stack shares one address). */
    RATE_LIMITS: flag(false),
    /** The Redis of the rate limits; required with RATE_LIMITS=true. */
    REDIS_URL: z.url().optional(),
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_RATE_LIMITS.anonymousPerMinute),
    RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(0).default(DEFAULT_RATE_LIMITS.userPerMinute),
    /**
     * Trusted documents: persisted query manifest files, comma-separated (web/persisted-query-manifest.json
     * is the storefront's). Set, the router runs only their operations; unset, any operation.
     */
    TRUSTED_DOCUMENTS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((path) => path.trim())
          .filter((path) => path !== ''),
      ),
    /** With TRUSTED_DOCUMENTS: refuse listed documents sent in full, run operations by id only. */
    TRUSTED_DOCUMENTS_REQUIRE_ID: flag(false),
    /** Origins allowed cross-origin, comma-separated, exact (`https://shop.example.com`); unset = none. */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value, ctx) => {
        const origins = value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== '');
        for (const origin of origins) {
          const problem = corsOriginProblem(origin);
          if (problem) ctx.addIssue({ code: 'custom', message: `${origin}: ${problem}` });
        }
        return [...new Set(origins)];
      }),
  })
  .superRefine(
    (env, ctx) => {
      if (env.TRUSTED_DOCUMENTS_REQUIRE_ID === true && env.TRUSTED_DOCUMENTS?.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['TRUSTED_DOCUMENTS'],
          message: 'required with TRUSTED_DOCUMENTS_REQUIRE_ID=true (the ids come from its manifests)',
        });
      }
      if (env.RATE_LIMITS === true && !env.REDIS_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['REDIS_URL'],
          message: 'required with RATE_LIMITS=true (the counters live in Redis)',
        });
      }
      for (const [key, value] of Object.entries(env)) {
        if (!key.startsWith(SUBGRAPH_URL_PREFIX)) continue;
        const problem = /^[A-Z0-9_]+$/.test(key.slice(SUBGRAPH_URL_PREFIX.length))
          ? routingUrlProblem(value)
          : `expected ${SUBGRAPH_URL_PREFIX}<NAME>, NAME the subgraph's name upper-cased (A-Z, 0-9, _)`;
        if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      }
    },
    // Also when other keys are invalid, so every problem is listed at once.
    { when: () => true },
  );
export type RouterEnv = z.infer<typeof routerEnv>;

/** The routing-URL overrides of the environment, keyed by the upper-cased subgraph name (`ORDERS`). */
export function subgraphUrlsFrom(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([key, value]) => key.startsWith(SUBGRAPH_URL_PREFIX) && typeof value === 'string')
      .map(([key, value]) => [key.slice(SUBGRAPH_URL_PREFIX.length), value as string]),
  );
}

/** The router's options from its validated environment. */
export function routerOptionsFrom(env: RouterEnv, logger: Logger): RouterOptions {
  const production = env.NODE_ENV === 'production';
  return {
    supergraphPath: env.SUPERGRAPH_PATH,
    auth: { jwks: new URL(env.AUTH_JWKS_URL), issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    logger,
    production,
    sandbox: env.SANDBOX ?? !production,
    limits: {
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxCost: env.MAX_COST,
      defaultListSize: env.DEFAULT_LIST_SIZE,
      maxRequestBytes: env.MAX_REQUEST_BYTES,
    },
    trustProxy: env.TRUST_PROXY,
    subgraphTimeoutMs: env.SUBGRAPH_TIMEOUT_MS,
    subgraphDeduplication: env.SUBGRAPH_DEDUPLICATION,
    subscriptionDeduplication: env.SUBSCRIPTION_DEDUPLICATION,
    mutationShedding: env.MUTATION_SHEDDING,
    subgraphUrls: subgraphUrlsFrom(env),
    supergraphWatch: { pollIntervalMs: env.SUPERGRAPH_POLL_INTERVAL_MS },
    readiness: { cacheMs: env.READINESS_CACHE_MS },
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS,
    corsOrigins: env.CORS_ORIGINS,
    ...(env.TRUSTED_DOCUMENTS.length > 0
      ? {
          trustedDocuments: {
            manifests: env.TRUSTED_DOCUMENTS,
            requireId: env.TRUSTED_DOCUMENTS_REQUIRE_ID,
          },
        }
      : {}),
    ...(env.RATE_LIMITS && env.REDIS_URL
      ? {
          rateLimits: {
            redisUrl: env.REDIS_URL,
            anonymousPerMinute: env.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
            userPerMinute: env.RATE_LIMIT_USER_PER_MINUTE,
          },
        }
      : {}),
    websocket: {
      connectionInitTimeoutMs: env.WS_INIT_TIMEOUT_MS,
      maxSubscriptionsPerConnection: env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerViewer: env.WS_MAX_CONNECTIONS_PER_CUSTOMER,
      maxBufferedEvents: env.WS_MAX_BUFFERED_EVENTS,
      keepAliveMs: env.WS_KEEPALIVE_MS,
    },
  };
}
