import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@shop/platform';
import { loadAuthConfig } from './config.js';

describe('auth config', () => {
  it('has defaults for a local stack', () => {
    const config = loadAuthConfig({});
    expect(config).toMatchObject({
      PORT: 4001,
      ACCESS_TOKEN_TTL: 900,
      REFRESH_TOKEN_TTL: 2_592_000,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_MAX_FAILURES_PER_IP: 50,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
    });
    expect(config.ADMIN_EMAIL).toBeUndefined();
    expect(config.SIGNING_KEY_SECRET).toBeUndefined();
  });

  it('reads the admin account and caps the access token lifetime at 900 seconds', () => {
    const config = loadAuthConfig({
      ADMIN_EMAIL: 'root@shop.local',
      ADMIN_PASSWORD: 'long enough',
      ACCESS_TOKEN_TTL: '300',
    });
    expect(config).toMatchObject({
      ADMIN_EMAIL: 'root@shop.local',
      ADMIN_PASSWORD: 'long enough',
      ACCESS_TOKEN_TTL: 300,
    });
    expect(() => loadAuthConfig({ ACCESS_TOKEN_TTL: '901' })).toThrow(/ACCESS_TOKEN_TTL/);
  });

  it('lists every bad key at once', () => {
    try {
      loadAuthConfig({
        ADMIN_EMAIL: 'root@shop.local',
        ACCESS_TOKEN_TTL: '0',
        SIGNING_KEY_SECRET: 'short',
        LOGIN_MAX_FAILURES: 'x',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      for (const key of ['ADMIN_PASSWORD', 'ACCESS_TOKEN_TTL', 'SIGNING_KEY_SECRET', 'LOGIN_MAX_FAILURES']) {
        expect(text).toContain(key);
      }
    }
  });

  it('refuses a short admin password', () => {
    expect(() => loadAuthConfig({ ADMIN_EMAIL: 'root@shop.local', ADMIN_PASSWORD: 'short' })).toThrow(
      /ADMIN_PASSWORD/,
    );
  });
});
