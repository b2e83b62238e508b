import type { Redis } from '@shop/platform';

/**
 * Each user's unread count, cached in Redis as a hash `unread:<userId>` (after the client's key
 * prefix) with two fields: `n`, the count, and `v`, a version every write bumps.
 *
 * Correctness over cleverness: a write never adjusts the cached number; after its transaction
 * commits it bumps `v` and deletes `n` (`invalidate`). A reader that misses counts in Postgres and
 * stores the result only if `v` is still what it was before it counted, so a count taken before a
 * concurrent write committed can never be stored after that write's invalidation. The TTL bounds
 * the damage should a process die between a commit and its invalidation.
 */
export interface UnreadCountCache {
  /** The cached count, or the result of `count()` (cached unless a write raced it). */
  get(userId: string, count: () => Promise<number>): Promise<number>;
  /** Forgets the cached counts of `userIds`; call after the write that changed them has committed. */
  invalidate(...userIds: string[]): Promise<void>;
}

// Stores ARGV[2] as the count only when the version still equals ARGV[1] ('0' when absent).
const STORE_IF_UNCHANGED = `
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'n', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

const keyOf = (userId: string) => `unread:${userId}`;

export function createUnreadCountCache(redis: Redis, { ttlSeconds = 3600 } = {}): UnreadCountCache {
  return {
    async get(userId, count) {
      const key = keyOf(userId);
      const [version, cached] = await redis.hmget(key, 'v', 'n');
      if (cached != null) return Number(cached);
      const fresh = await count();
      await redis.eval(STORE_IF_UNCHANGED, 1, key, version ?? '0', String(fresh), String(ttlSeconds));
      return fresh;
    },
    async invalidate(...userIds) {
      if (userIds.length === 0) return;
      const multi = redis.multi();
      for (const userId of new Set(userIds)) {
        const key = keyOf(userId);
        multi.hincrby(key, 'v', 1).hdel(key, 'n').expire(key, ttlSeconds);
      }
      await multi.exec();
    },
  };
}
