import { describe, expect, it } from '@jest/globals';
import { createLogger, loadConfig } from '@shop/platform';
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
});
