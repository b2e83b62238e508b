import { z } from 'zod';

/** Raised by {@link loadConfig}; its message lists every missing or invalid key at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a zod object schema and returns the typed result. Unknown keys are
 * ignored. Throws {@link ConfigError} naming every missing or invalid key, never just the first.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const value = issue.path.length ? env[String(issue.path[0])] : undefined;
    return value === undefined ? `${key}: missing (${issue.message})` : `${key}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** A TCP port from the environment (0 lets the OS pick one). */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A comma-separated list such as `KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9094`. */
export const csv = () =>
  z
    .string()
    .min(1)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** `true`/`false`/`1`/`0` from the environment. */
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/**
 * Keys every subgraph shares. Defaults fit the local stack started by `scripts/infra.sh`;
 * production sets each explicitly.
 */
export const serviceEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  /** Base Postgres URL; each subgraph appends or overrides the database name. */
  DATABASE_URL: z.url().default('postgres://postgres:postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  KAFKA_BROKERS: csv().default(['127.0.0.1:9092']),
  /** Prefix for topics and consumer groups, so stacks sharing a broker stay apart (default none). */
  KAFKA_NAMESPACE: z.string().default(''),
  /** Overrides the subgraph's database name (default: the subgraph's name). */
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  /** Where the auth subgraph publishes its public keys. */
  AUTH_JWKS_URL: z.url().default('http://127.0.0.1:4001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().default('shop-auth'),
  JWT_AUDIENCE: z.string().default('shop'),
  /**
   * `false` keeps the outbox relay from publishing (default true): an operator switch, e.g. during a
   * broker incident. Events still commit with their state changes and wait in the outbox (watch
   * `outbox_backlog`); they go out once a process runs with the relay enabled again.
   */
  OUTBOX_RELAY_ENABLED: flag(true),
  /**
   * A testing switch, off by default (0): the share (0..1) of queries and mutations the service
   * answers with an injected INTERNAL_SERVER_ERROR (HTTP 500), counted by its metrics like a real
   * failure (see `faultInjectionPlugin`). For proving that a canary made to fail is rolled back and
   * that the alerts fire; never for a release. Refused with `NODE_ENV=production` unless
   * `FAULT_INJECT_IN_PRODUCTION=true` says so on purpose (a game day on a production-like cluster).
   */
  FAULT_INJECT_ERROR_RATIO: z.coerce.number().min(0).max(1).default(0),
  FAULT_INJECT_IN_PRODUCTION: flag(false),
};

/**
 * The share of operations `FAULT_INJECT_ERROR_RATIO` fails (0: none). Throws {@link ConfigError} for a
 * ratio above 0 with `NODE_ENV=production` unless `FAULT_INJECT_IN_PRODUCTION` is true.
 */
export function faultInjectErrorRatio(config: {
  NODE_ENV?: string | undefined;
  FAULT_INJECT_ERROR_RATIO?: number | undefined;
  FAULT_INJECT_IN_PRODUCTION?: boolean | undefined;
}): number {
  const ratio = config.FAULT_INJECT_ERROR_RATIO ?? 0;
  if (ratio > 0 && config.NODE_ENV === 'production' && !config.FAULT_INJECT_IN_PRODUCTION)
    throw new ConfigError([
      'FAULT_INJECT_ERROR_RATIO: a testing switch, refused with NODE_ENV=production (set FAULT_INJECT_IN_PRODUCTION=true to mean it)',
    ]);
  return ratio;
}
