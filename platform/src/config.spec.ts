import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, csv, faultInjectErrorRatio, flag, loadConfig, port, serviceEnv } from './config.js';

describe('loadConfig', () => {
  const schema = z.object({
    ...serviceEnv,
    PORT: port(4001),
    SECRET: z.string().min(8),
    VERBOSE: flag(false),
  });

  it('applies defaults and coerces values', () => {
    const config = loadConfig(schema, {
      SECRET: 'long-secret',
      PORT: '5000',
      KAFKA_BROKERS: 'a:1, b:2',
      VERBOSE: '1',
    });
    expect(config.PORT).toBe(5000);
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.VERBOSE).toBe(true);
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATABASE_NAME).toBeUndefined();
  });

  it('lists every missing or invalid key in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: '70000', NODE_ENV: 'staging', DATABASE_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['PORT', 'NODE_ENV', 'DATABASE_URL', 'SECRET: missing'])
      expect(problems).toContain(key);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('rejects an empty list', () => {
    expect(() => loadConfig(z.object({ L: csv() }), { L: '' })).toThrow(ConfigError);
  });

  it('reads FAULT_INJECT_ERROR_RATIO (off by default) and refuses it in production unless allowed', () => {
    const shared = z.object(serviceEnv);
    expect(faultInjectErrorRatio(loadConfig(shared, {}))).toBe(0);
    expect(faultInjectErrorRatio(loadConfig(shared, { FAULT_INJECT_ERROR_RATIO: '0.3' }))).toBe(0.3);
    expect(() => loadConfig(shared, { FAULT_INJECT_ERROR_RATIO: '1.5' })).toThrow(/FAULT_INJECT_ERROR_RATIO/);
    const production = { NODE_ENV: 'production', FAULT_INJECT_ERROR_RATIO: '0.3' };
    expect(() => faultInjectErrorRatio(loadConfig(shared, production))).toThrow(
      /FAULT_INJECT_ERROR_RATIO: a testing switch, refused with NODE_ENV=production/,
    );
    expect(faultInjectErrorRatio(loadConfig(shared, { NODE_ENV: 'production' }))).toBe(0);
    expect(
      faultInjectErrorRatio(loadConfig(shared, { ...production, FAULT_INJECT_IN_PRODUCTION: 'true' })),
    ).toBe(0.3);
  });
});
