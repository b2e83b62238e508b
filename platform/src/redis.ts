import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * An ioredis client that reconnects with capped backoff and fails commands fast (instead of
 * queueing without bound) while disconnected for longer than one retry. `keyPrefix` namespaces
 * the subgraph's keys (e.g. `cart:`).
 */
export function createRedis(url: string, { keyPrefix }: { keyPrefix?: string } = {}): Redis {
  return new Redis(url, {
    ...(keyPrefix ? { keyPrefix } : {}),
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
}

/** True when Redis answers PING (readiness). */
export async function redisIsReady(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
