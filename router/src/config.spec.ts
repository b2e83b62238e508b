import { describe, expect, it } from '@jest/globals';
import { createLogger, loadConfig } from '@shop/platform/edge';
import { DEFAULT_SUPERGRAPH_PATH, routerEnv, routerOptionsFrom } from './config.js';

const logger = createLogger('config-spec', { level: 'silent' });
const optionsOf = (env: NodeJS.ProcessEnv) => routerOptionsFrom(loadConfig(routerEnv, env), logger);

describe('router config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig(routerEnv, {});
    expect(config).toMatchObject({
      PORT: 4000,
      SUPERGRAPH_PATH: DEFAULT_SUPERGRAPH_PATH,
      MAX_DEPTH: 12,
      MAX_ALIASES: 30,
      MAX_COST: 5000,
      DEFAULT_LIST_SIZE: 10,
      MAX_REQUEST_BYTES: 65536,
      TRUST_PROXY: false,
    });
    expect(DEFAULT_SUPERGRAPH_PATH).toMatch(/\/schema\/supergraph\.graphql$/);
  });

  it('deduplicates subgraph reads unless SUBGRAPH_DEDUPLICATION=false', () => {
    expect(optionsOf({}).subgraphDeduplication).toBe(true);
    expect(optionsOf({ SUBGRAPH_DEDUPLICATION: 'false' }).subgraphDeduplication).toBe(false);
    expect(optionsOf({ SUBGRAPH_DEDUPLICATION: 'true' }).subgraphDeduplication).toBe(true);
  });

  it('sheds mutations at the edge unless MUTATION_SHEDDING=false', () => {
    expect(optionsOf({}).mutationShedding).toBe(true);
    expect(optionsOf({ MUTATION_SHEDDING: 'false' }).mutationShedding).toBe(false);
  });

  it('shares upstream subscriptions unless SUBSCRIPTION_DEDUPLICATION=false', () => {
    expect(optionsOf({}).subscriptionDeduplication).toBe(true);
    expect(optionsOf({ SUBSCRIPTION_DEDUPLICATION: 'false' }).subscriptionDeduplication).toBe(false);
  });

  it('runs one process unless ROUTER_WORKERS asks for more, and refuses a count that is not one or more', () => {
    expect(loadConfig(routerEnv, {}).ROUTER_WORKERS).toBe(1);
    expect(loadConfig(routerEnv, { ROUTER_WORKERS: '2' }).ROUTER_WORKERS).toBe(2);
    for (const bad of ['0', '-1', '1.5', 'many'])
      expect(() => loadConfig(routerEnv, { ROUTER_WORKERS: bad })).toThrow(/ROUTER_WORKERS/);
  });

  it('serves the Sandbox outside production, and in production only with SANDBOX=true', () => {
    expect(optionsOf({}).sandbox).toBe(true);
    expect(optionsOf({ NODE_ENV: 'production' })).toMatchObject({ production: true, sandbox: false });
    expect(optionsOf({ NODE_ENV: 'production', SANDBOX: 'true' }).sandbox).toBe(true);
    expect(optionsOf({ SANDBOX: 'false' }).sandbox).toBe(false);
  });

  it('takes every limit from the environment', () => {
    expect(
      optionsOf({
        MAX_DEPTH: '5',
        MAX_ALIASES: '0',
        MAX_COST: '100',
        DEFAULT_LIST_SIZE: '3',
        MAX_REQUEST_BYTES: '1024',
      }).limits,
    ).toEqual({
      maxDepth: 5,
      maxAliases: 0,
      maxCost: 100,
      defaultListSize: 3,
      maxRequestBytes: 1024,
    });
  });

  it('lists every invalid key at once', () => {
    expect(() => loadConfig(routerEnv, { MAX_DEPTH: 'deep', SANDBOX: 'yes', PORT: '-1' })).toThrow(
      /PORT[\s\S]*SANDBOX[\s\S]*MAX_DEPTH/,
    );
  });

  it('takes SUBGRAPH_URL_<NAME> overrides of routing URLs, and none by default', () => {
    expect(optionsOf({}).subgraphUrls).toEqual({});
    expect(
      optionsOf({
        SUBGRAPH_URL_ORDERS: 'http://orders:4006/graphql',
        SUBGRAPH_URL_ORDER_HISTORY: 'https://history.shop.svc:8443/graphql',
        PATH: '/usr/bin',
      }).subgraphUrls,
    ).toEqual({
      ORDERS: 'http://orders:4006/graphql',
      ORDER_HISTORY: 'https://history.shop.svc:8443/graphql',
    });
  });

  it('refuses an override that is not an http(s) URL or whose key is not upper case, with the other problems', () => {
    let message = '';
    try {
      loadConfig(routerEnv, {
        MAX_DEPTH: 'deep',
        SUBGRAPH_URL_ORDERS: 'orders:4006',
        SUBGRAPH_URL_CART: 'ws://cart:4005/graphql',
        SUBGRAPH_URL_USERS: 'http://users:4002/graphql#x',
        SUBGRAPH_URL_auth: 'http://auth:4001/graphql',
        SUBGRAPH_URL_: 'http://nobody/graphql',
      });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/MAX_DEPTH/);
    expect(message).toMatch(/SUBGRAPH_URL_ORDERS: an absolute http:\/\/ or https:\/\/ URL/);
    expect(message).toMatch(/SUBGRAPH_URL_CART: an absolute http:\/\/ or https:\/\/ URL/);
    expect(message).toMatch(/SUBGRAPH_URL_USERS: no #fragment/);
    expect(message).toMatch(/SUBGRAPH_URL_auth: expected SUBGRAPH_URL_<NAME>/);
    expect(message).toMatch(/SUBGRAPH_URL_: expected SUBGRAPH_URL_<NAME>/);
  });

  it('takes CORS_ORIGINS as exact origins, none by default', () => {
    expect(optionsOf({}).corsOrigins).toEqual([]);
    expect(
      optionsOf({ CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173,https://shop.example.com' })
        .corsOrigins,
    ).toEqual(['https://shop.example.com', 'http://localhost:5173']);
  });

  it('refuses a wildcard, a path or a non-http origin in CORS_ORIGINS', () => {
    const problems = (value: string) => {
      try {
        loadConfig(routerEnv, { CORS_ORIGINS: value });
        return '';
      } catch (error) {
        return String(error);
      }
    };
    expect(problems('*')).toMatch(/CORS_ORIGINS[\s\S]*wildcards are not accepted/);
    expect(problems('https://*.example.com')).toMatch(/wildcards are not accepted/);
    expect(problems('https://shop.example.com/')).toMatch(/without path or trailing slash/);
    expect(problems('https://shop.example.com/app')).toMatch(/without path or trailing slash/);
    expect(problems('shop.example.com')).toMatch(/CORS_ORIGINS/);
    expect(problems('ftp://shop.example.com')).toMatch(/http:\/\/ or https:\/\//);
  });

  it('serves any operation unless TRUSTED_DOCUMENTS names manifests; ids only with TRUSTED_DOCUMENTS_REQUIRE_ID', () => {
    expect(optionsOf({}).trustedDocuments).toBeUndefined();
    expect(optionsOf({ TRUSTED_DOCUMENTS: ' web.json, ,admin.json' }).trustedDocuments).toEqual({
      manifests: ['web.json', 'admin.json'],
      requireId: false,
    });
    expect(
      optionsOf({ TRUSTED_DOCUMENTS: 'web.json', TRUSTED_DOCUMENTS_REQUIRE_ID: 'true' }).trustedDocuments,
    ).toEqual({ manifests: ['web.json'], requireId: true });
    expect(() => loadConfig(routerEnv, { TRUSTED_DOCUMENTS_REQUIRE_ID: 'true' })).toThrow(
      /TRUSTED_DOCUMENTS[\s\S]*required with TRUSTED_DOCUMENTS_REQUIRE_ID=true/,
    );
  });

  it('has no rate limits unless RATE_LIMITS=true, which needs REDIS_URL', () => {
    expect(optionsOf({}).rateLimits).toBeUndefined();
    expect(optionsOf({ REDIS_URL: 'redis://redis:6379' }).rateLimits).toBeUndefined();
    expect(optionsOf({ RATE_LIMITS: 'true', REDIS_URL: 'redis://redis:6379' }).rateLimits).toEqual({
      redisUrl: 'redis://redis:6379',
      anonymousPerMinute: 300,
      userPerMinute: 600,
    });
    expect(() => loadConfig(routerEnv, { RATE_LIMITS: 'true' })).toThrow(
      /REDIS_URL[\s\S]*required with RATE_LIMITS=true/,
    );
  });

  it('takes the per-minute limits, 0 meaning unlimited, and refuses negative ones', () => {
    expect(
      optionsOf({
        RATE_LIMITS: 'true',
        REDIS_URL: 'redis://redis:6379/1',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
        RATE_LIMIT_USER_PER_MINUTE: '120',
      }).rateLimits,
    ).toMatchObject({ anonymousPerMinute: 0, userPerMinute: 120 });
    expect(() =>
      loadConfig(routerEnv, { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '-1', RATE_LIMIT_USER_PER_MINUTE: 'many' }),
    ).toThrow(/RATE_LIMIT_ANONYMOUS_PER_MINUTE[\s\S]*RATE_LIMIT_USER_PER_MINUTE/);
  });
});
