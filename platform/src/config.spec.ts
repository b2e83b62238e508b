import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, csv, flag, loadConfig, port, serviceEnv } from './config.js';

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
});
