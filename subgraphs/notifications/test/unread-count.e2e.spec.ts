import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createRedis, type Redis } from '@shop/platform';
import { createUnreadCountCache } from '../src/unread-count.cache.js';

/** The unread-count cache on the real Redis: a count raced by a write is never stored. */
describe('unread count cache', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      keyPrefix: `notifications:test-${randomUUID().slice(0, 8)}:`,
    });
  });

  afterAll(async () => {
    await redis?.quit();
  });

  it('counts on a miss, then serves the cached number until invalidated', async () => {
    const cache = createUnreadCountCache(redis, { ttlSeconds: 60 });
    const userId = randomUUID();
    let counts = 0;
    const count = async () => (++counts, 7);
    expect(await cache.get(userId, count)).toBe(7);
    expect(await cache.get(userId, count)).toBe(7);
    expect(counts).toBe(1);
    await cache.invalidate(userId);
    expect(await cache.get(userId, async () => 8)).toBe(8);
    expect(await redis.ttl(`unread:${userId}`)).toBeGreaterThan(0);
  });

  it('does not store a count taken before a concurrent write was invalidated', async () => {
    const cache = createUnreadCountCache(redis, { ttlSeconds: 60 });
    const userId = randomUUID();
    // The reader counts 3 (before the write commits); the write commits and invalidates meanwhile.
    const stale = await cache.get(userId, async () => {
      await cache.invalidate(userId);
      return 3;
    });
    expect(stale).toBe(3); // this one reader may answer what it counted...
    // ...but the next one counts again instead of being served the stale number.
    expect(await cache.get(userId, async () => 4)).toBe(4);
    expect(await cache.get(userId, async () => 99)).toBe(4);
  });

  it('invalidates several users at once and ignores an empty list', async () => {
    const cache = createUnreadCountCache(redis, { ttlSeconds: 60 });
    const [a, b] = [randomUUID(), randomUUID()];
    await cache.get(a, async () => 1);
    await cache.get(b, async () => 2);
    await cache.invalidate();
    await cache.invalidate(a, b, a);
    expect(await cache.get(a, async () => 10)).toBe(10);
    expect(await cache.get(b, async () => 20)).toBe(20);
  });
});
