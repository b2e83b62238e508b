import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, type Logger, type Redis, type Viewer } from '@shop/platform/edge';
import type { GraphQLError } from 'graphql';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimitExceeded } from './router-errors.js';
import type { RouterMetrics } from './router-metrics.js';

/** Whom a limit counts: a signed-in client by user id, anyone else by address. */
export type RateLimitKind = 'anonymous' | 'user';

export interface RateLimitOptions {
  /** The Redis holding the counters, shared by every router replica. */
  redisUrl: string;
  /** Requests per minute per client address without a verified token; 0 = unlimited. */
  anonymousPerMinute: number;
  /** Requests per minute per signed-in user id; 0 = unlimited. */
  userPerMinute: number;
  /** Prefix of the counters' keys. Default `router:rate:`. */
  keyPrefix?: string;
  /** A check Redis has not answered after this long lets the request through. Default 250 ms. */
  timeoutMs?: number;
  /** How long `start` waits for the first connection before serving without it. Default 2000 ms. */
  connectTimeoutMs?: number;
}

export const DEFAULT_RATE_LIMITS = { anonymousPerMinute: 300, userPerMinute: 600 } as const;

/** Who is asking: the verified viewer, else the client's address (`clientAddress`). */
export interface RateLimitClient {
  viewer: Viewer | undefined;
  address: string;
}

export interface EdgeRateLimits {
  /** Connects to Redis (waits at most `connectTimeoutMs`; the router starts even when Redis is down). */
  start(): Promise<void>;
  /** Counts one request (or subscribe message) of `client`: undefined when allowed, else RATE_LIMITED (429). */
  check(client: RateLimitClient): Promise<GraphQLError | undefined>;
  close(): Promise<void>;
}

const WINDOW_SECONDS = 60;

/**
 * Per-client rate limits at the edge, counted in Redis so every router replica shares them: a fixed
 * 60-second window per key, opened by the key's first request, incremented and expired atomically by
 * one Lua script (`rate-limiter-flexible`'s `RateLimiterRedis`). A request over the limit gets
 * RATE_LIMITED with the seconds until the window ends.
 *
 * Fails open: when Redis is down, not yet connected, or slower than `timeoutMs`, the request is served
 * unchecked and counted in `router_rate_limit_unchecked_total{kind}`; the first such request after a
 * healthy check logs a warning, the first check that works again logs that limits are back. An edge
 * that refused everything while its counter store is down would turn a Redis outage into a full outage;
 * the limits protect capacity, they are not an access control.
 */
export function edgeRateLimits(
  options: RateLimitOptions,
  { logger, metrics }: { logger: Logger; metrics: RouterMetrics },
): EdgeRateLimits {
  const log = logger.child({ component: 'rate-limits' });
  const keyPrefix = options.keyPrefix ?? 'router:rate:';
  const timeoutMs = options.timeoutMs ?? 250;
  let redis: Redis | undefined;
  let limiters: Partial<Record<RateLimitKind, RateLimiterRedis>> = {};
  let degraded = false;

  const limiter = (storeClient: Redis, kind: RateLimitKind, points: number) =>
    points > 0
      ? new RateLimiterRedis({
          storeClient,
          keyPrefix: `${keyPrefix}${kind}`,
          points,
          duration: WINDOW_SECONDS,
          // While ioredis is not connected a check fails at once instead of waiting in its queue.
          rejectIfRedisNotReady: true,
        })
      : undefined;

  const healthy = () => {
    if (!degraded) return;
    degraded = false;
    log.info('rate limits enforced again');
  };
  const unchecked = (kind: RateLimitKind, error: unknown) => {
    metrics.rateLimitUnchecked.inc({ kind });
    if (degraded) return;
    degraded = true;
    log.warn(
      { err: error },
      'rate limits not enforced: Redis is not answering; requests are served unchecked',
    );
  };

  return {
    async start() {
      redis = createRedis(options.redisUrl);
      // ioredis reconnects by itself; its errors are what an outage looks like, reported by `unchecked`.
      redis.on('error', (error: Error) => log.debug({ err: error }, 'rate-limit Redis connection error'));
      limiters = {
        anonymous: limiter(redis, 'anonymous', options.anonymousPerMinute),
        user: limiter(redis, 'user', options.userPerMinute),
      };
      const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
      const ready = await Promise.race([
        once(redis, 'ready').then(() => true),
        sleep(connectTimeoutMs, false, { ref: false }),
      ]);
      if (!ready)
        log.warn({ connectTimeoutMs }, 'rate-limit Redis not reachable at start; serving unchecked');
    },

    async check({ viewer, address }) {
      const kind: RateLimitKind = viewer ? 'user' : 'anonymous';
      const counter = limiters[kind];
      if (!counter) return undefined;
      const key = viewer ? viewer.id : address;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          counter.consume(key),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          healthy();
          metrics.rateLimited.inc({ kind });
          return rateLimitExceeded(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
        }
        unchecked(kind, rejection);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
      healthy();
      return undefined;
    },

    async close() {
      const client = redis;
      redis = undefined;
      limiters = {};
      if (!client) return;
      // QUIT would wait in the offline queue for a Redis that is down; drop the connection then.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
