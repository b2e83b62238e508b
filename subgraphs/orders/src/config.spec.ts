import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@shop/platform';
import { readConfig } from './config.js';

describe('orders config: UNSAFE_SKIP_IDEMPOTENCY (the deliberately broken build)', () => {
  it('is off by default', () => {
    expect(readConfig({}).UNSAFE_SKIP_IDEMPOTENCY).toBe(false);
    expect(readConfig({ NODE_ENV: 'production' }).UNSAFE_SKIP_IDEMPOTENCY).toBe(false);
  });

  it('turns on only with NODE_ENV=test', () => {
    expect(readConfig({ NODE_ENV: 'test', UNSAFE_SKIP_IDEMPOTENCY: 'true' }).UNSAFE_SKIP_IDEMPOTENCY).toBe(
      true,
    );
  });

  it.each(['production', 'development', undefined])('is refused with NODE_ENV=%s', (nodeEnv) => {
    let error: unknown;
    try {
      readConfig({ ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}), UNSAFE_SKIP_IDEMPOTENCY: 'true' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^UNSAFE_SKIP_IDEMPOTENCY: .*refused unless NODE_ENV=test/),
    ]);
  });
});

describe('orders config: placeOrder admission', () => {
  it('bounds the unsettled orders at 200, counted every 250 ms, unless told otherwise', () => {
    expect(readConfig({})).toMatchObject({ ORDER_MAX_UNSETTLED: 200, ORDER_ADMISSION_COUNT_MS: 250 });
    expect(readConfig({ ORDER_MAX_UNSETTLED: '0', ORDER_ADMISSION_COUNT_MS: '1000' })).toMatchObject({
      ORDER_MAX_UNSETTLED: 0,
      ORDER_ADMISSION_COUNT_MS: 1000,
    });
  });

  it('refuses a negative or fractional bound', () => {
    expect(() => readConfig({ ORDER_MAX_UNSETTLED: '-1' })).toThrow(ConfigError);
    expect(() => readConfig({ ORDER_MAX_UNSETTLED: '2.5' })).toThrow(ConfigError);
  });
});
