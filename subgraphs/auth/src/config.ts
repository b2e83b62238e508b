import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

const adminKeysParsed = (payload: { issues: readonly { path?: readonly PropertyKey[] }[] }) =>
  payload.issues.every((issue) => !['ADMIN_EMAIL', 'ADMIN_PASSWORD'].includes(String(issue.path?.[0])));

/** The auth subgraph's environment (besides the keys every subgraph shares). */
export const authEnv = z
  .object({
    ...serviceEnv,
    PORT: port(4001),
    /** Access token lifetime in seconds; the contract caps it at 900. */
    ACCESS_TOKEN_TTL: z.coerce.number().int().min(1).max(900).default(900),
    /** Refresh token lifetime in seconds (default 30 days); each rotation starts a new lifetime. */
    REFRESH_TOKEN_TTL: z.coerce
      .number()
      .int()
      .min(60)
      .default(30 * 24 * 3600),
    /**
     * A session's absolute lifetime in seconds (default 90 days): refresh tokens rotated within it stop
     * working this long after the sign-in that started it.
     */
    SESSION_MAX_AGE: z.coerce
      .number()
      .int()
      .min(60)
      .default(90 * 24 * 3600),
    /** When set with ADMIN_PASSWORD, start-up makes sure this account exists with the ADMIN role. */
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
    /** Failed logins allowed per email within the window before logins are refused. */
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
    /** Failed logins allowed per client address (x-client-ip / x-forwarded-for) within the window. */
    LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(50),
    LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    /**
     * Encrypts the signing keys' private halves at rest (AES-256-GCM, key derived with HKDF-SHA256).
     * Optional so a local stack runs without it; production sets it (at least 32 characters).
     */
    SIGNING_KEY_SECRET: z.string().min(32).optional(),
  })
  // One without the other is a deployment mistake, not a request to skip the bootstrap. `when`
  // runs these checks even while other keys are bad, so every problem is listed at once.
  .refine((env) => !env.ADMIN_EMAIL || env.ADMIN_PASSWORD, {
    path: ['ADMIN_PASSWORD'],
    message: 'required when ADMIN_EMAIL is set',
    when: adminKeysParsed,
  })
  .refine((env) => !env.ADMIN_PASSWORD || env.ADMIN_EMAIL, {
    path: ['ADMIN_EMAIL'],
    message: 'required when ADMIN_PASSWORD is set',
    when: adminKeysParsed,
  });
export type AuthConfig = z.infer<typeof authEnv>;

/** Reads and validates the environment; throws one error naming every bad key. */
export const loadAuthConfig = (env: NodeJS.ProcessEnv = process.env): AuthConfig => loadConfig(authEnv, env);
