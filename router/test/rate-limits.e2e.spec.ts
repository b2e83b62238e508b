import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  errorCodes,
  graphql,
  startTcpProxy,
  waitFor,
  webSocketClient,
  type GraphQLResponse,
} from '@shop/platform/testing';
import type { RateLimitOptions } from '../src/rate-limits.js';
import { startRouter, startStack, type Stack, type TestRouter } from './fixtures.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Limits counted under a key prefix of their own, so no spec (or earlier run) shares their counters. */
const limits = (overrides: Partial<RateLimitOptions> = {}): RateLimitOptions => ({
  redisUrl: REDIS_URL,
  anonymousPerMinute: 100,
  userPerMinute: 100,
  keyPrefix: `router-test:${randomUUID()}:`,
  ...overrides,
});

/** A client at `address`: the router trusts its proxy in these specs, so x-forwarded-for names the client. */
const from = (address: string, token?: string) => ({
  headers: { 'x-forwarded-for': address },
  ...(token ? { token } : {}),
});

const ping = (router: TestRouter, client: { headers: Record<string, string>; token?: string }) =>
  graphql(router.graphqlUrl, '{ ping }', {}, client);

function expectRateLimited(response: GraphQLResponse) {
  expect(response.status).toBe(429);
  expect(response.data).toBeUndefined();
  expect(errorCodes(response)).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
  expect(response.errors![0]!.message).toBe(`Too many requests; try again in ${retryAfter} s`);
}

describe('router: per-client rate limits in Redis', () => {
  let stack: Stack;
  const extra: TestRouter[] = [];
  const start = async (rateLimits: RateLimitOptions) => {
    const router = await startRouter({
      supergraphPath: stack.file.path,
      jwksUrl: stack.jwks.url,
      issuer: stack.issuer,
      trustProxy: true,
      rateLimits,
    });
    extra.push(router);
    return router;
  };
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((router) => router.stop()));
  });
  afterAll(() => stack?.stop());

  it('shares one limit between two routers: the fourth request of an address gets 429, Retry-After and RATE_LIMITED', async () => {
    const shared = limits({ anonymousPerMinute: 3 });
    const [first, second] = [await start(shared), await start(shared)];
    const client = from('198.51.100.1');
    expect((await ping(first, client)).data).toEqual({ ping: 'pong' });
    expect((await ping(second, client)).data).toEqual({ ping: 'pong' });
    expect((await ping(first, client)).data).toEqual({ ping: 'pong' });
    const before = stack.subgraphCalls();
    expectRateLimited(await ping(second, client));
    expectRateLimited(await ping(first, client));
    expect(stack.subgraphCalls()).toBe(before);
    // Another address has a window of its own.
    expect((await ping(second, from('198.51.100.2'))).data).toEqual({ ping: 'pong' });
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/router_rate_limited_total\{kind="anonymous",service="router"\} 1\n/);
    expect(metrics).toMatch(
      /graphql_errors_total\{code="RATE_LIMITED",operation="unknown",service="router"\} 1\n/,
    );
  });

  it('counts a signed-in client by user id: not limited by another user or by its address', async () => {
    const router = await start(limits({ anonymousPerMinute: 1, userPerMinute: 2 }));
    const [ada, grace] = [await stack.issuer.token('u1'), await stack.issuer.token('u2')];
    const address = '198.51.100.3';
    // The address's one anonymous request is used up...
    expect((await ping(router, from(address))).data).toEqual({ ping: 'pong' });
    expectRateLimited(await ping(router, from(address)));
    // ...yet a user behind it is counted apart, and one user's use leaves another's untouched.
    expect((await ping(router, from(address, ada))).data).toEqual({ ping: 'pong' });
    expect((await ping(router, from('198.51.100.4', ada))).data).toEqual({ ping: 'pong' });
    const refused = await ping(router, from('198.51.100.5', ada));
    expectRateLimited(refused);
    expect((await ping(router, from(address, grace))).data).toEqual({ ping: 'pong' });
    const metrics = await (await fetch(`${router.url}/metrics`)).text();
    expect(metrics).toMatch(/router_rate_limited_total\{kind="user",service="router"\} 1\n/);
  });

  it('ignores the addresses a client puts in front of x-forwarded-for', async () => {
    const router = await start(limits({ anonymousPerMinute: 1 }));
    expect((await ping(router, from('10.9.9.1, 198.51.100.6'))).data).toEqual({ ping: 'pong' });
    expectRateLimited(await ping(router, from('10.9.9.2, 198.51.100.6')));
  });

  it('limits graphql-ws subscribe messages with the same code and counters as HTTP', async () => {
    const shared = limits({ anonymousPerMinute: 2 });
    const router = await start(shared);
    // Not lazy: the socket stays open between operations, so a close would be the server's.
    const client = webSocketClient(router.graphqlUrl, { lazy: false });
    try {
      // The socket comes from 127.0.0.1 without x-forwarded-for: that is its address.
      expect((await client.request('{ ping }')).data).toEqual({ ping: 'pong' });
      expect((await graphql(router.graphqlUrl, '{ ping }')).data).toEqual({ ping: 'pong' });
      const before = stack.subgraphCalls();
      const refused = client.subscribe('{ ping }');
      const errors = (await refused.finished.then(
        () => [],
        (error: unknown) => error,
      )) as { message: string; extensions: Record<string, unknown> }[];
      expect(errors).toHaveLength(1);
      expect(errors[0]!.extensions).toEqual({
        code: 'RATE_LIMITED',
        retryAfterSeconds: expect.any(Number),
      });
      expect(errors[0]!.message).toMatch(/^Too many requests; try again in \d+ s$/);
      expect(refused.results).toEqual([]);
      expect(stack.subgraphCalls()).toBe(before);
      // The refusal is a message; the socket stays open.
      expect(client.closeCodes).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('serves unchecked while Redis is unreachable, counts it, and limits again once it is back', async () => {
    const target = new URL(REDIS_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    try {
      const through = new URL(REDIS_URL);
      through.hostname = '127.0.0.1';
      through.port = String(proxy.port);
      const router = await start(limits({ redisUrl: through.toString(), anonymousPerMinute: 1 }));
      const client = from('198.51.100.7');
      expect((await ping(router, client)).data).toEqual({ ping: 'pong' });
      expectRateLimited(await ping(router, client));

      await proxy.down();
      for (let i = 0; i < 3; i += 1) {
        const response = await ping(router, client);
        expect(response.status).toBe(200);
        expect(response.data).toEqual({ ping: 'pong' });
      }
      const metrics = await (await fetch(`${router.url}/metrics`)).text();
      expect(metrics).toMatch(/router_rate_limit_unchecked_total\{kind="anonymous",service="router"\} 3\n/);

      await proxy.up();
      // ioredis reconnects on its own; the window opened before the outage still holds the address.
      await waitFor(
        async () => (await ping(router, client)).status === 429,
        20_000,
        'the limit to be enforced again',
      );
      expectRateLimited(await ping(router, client));
    } finally {
      await proxy.close();
    }
  });
});
