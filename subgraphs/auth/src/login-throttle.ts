import { createHash } from 'node:crypto';
import type { Redis } from '@shop/platform';

export interface LoginThrottleOptions {
  redis: Redis;
  /** Failed logins allowed per email in a window (LOGIN_MAX_FAILURES, default 5). */
  maxFailures: number;
  /** Failed logins allowed per client address in a window (LOGIN_MAX_FAILURES_PER_IP, default 50). */
  maxFailuresPerIp: number;
  /** The window, in seconds, from the first failure (LOGIN_FAILURE_WINDOW_SECONDS, default 900). */
  windowSeconds: number;
}

export type ThrottleDecision =
  { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterSeconds: number };

/** An admitted login attempt: report how it ended. */
export interface LoginAttempt {
  /** Clears the email's failures and gives back the address's slot. */
  succeeded(): Promise<void>;
}

// One slot per attempt, taken atomically before the password is checked: INCR the counter (its
// window starts with the first attempt), refuse when it goes past the limit. Counting the attempt
// before checking (and undoing it on success) is what keeps N concurrent guesses from all slipping
// under the limit.
const TAKE_SLOT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** Keys hold a hash of the email, not the email: Redis needs no personal data to count. */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Counts failed logins in Redis, per normalized email and per client address (when known), in a
 * fixed window, and refuses an attempt once either count is used up — before the password is
 * checked, so a locked-out email cannot be probed even with the right password. A successful login
 * clears the email's count; the address's count keeps its failures (many emails, one address).
 */
export function createLoginThrottle(options: LoginThrottleOptions) {
  const { redis, windowSeconds } = options;

  async function take(key: string, limit: number): Promise<{ ok: boolean; retryAfterSeconds: number }> {
    const [count, ttl] = (await redis.eval(TAKE_SLOT, 1, key, String(windowSeconds))) as [number, number];
    return { ok: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
  }

  return {
    async attempt(email: string, clientIp: string | undefined): Promise<ThrottleDecision> {
      const emailKey = `login-failures:email:${digest(email)}`;
      const ipKey = clientIp ? `login-failures:ip:${digest(clientIp)}` : undefined;
      const byEmail = await take(emailKey, options.maxFailures);
      const byIp = ipKey ? await take(ipKey, options.maxFailuresPerIp) : undefined;
      if (!byEmail.ok || (byIp && !byIp.ok)) {
        const waits = [byEmail, byIp].filter((r) => r && !r.ok).map((r) => r!.retryAfterSeconds);
        return { allowed: false, retryAfterSeconds: Math.max(...waits) };
      }
      return {
        allowed: true,
        attempt: {
          async succeeded() {
            const pipeline = redis.multi().del(emailKey);
            if (ipKey) pipeline.decr(ipKey);
            await pipeline.exec();
          },
        },
      };
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
