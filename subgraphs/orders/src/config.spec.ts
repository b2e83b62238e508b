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
