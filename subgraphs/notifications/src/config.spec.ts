import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@shop/platform';
import { readConfig } from './config.js';

describe('notifications config', () => {
  it('defaults: no SMTP (emails logged), the default sender, port 4008', () => {
    const config = readConfig({});
    expect(config.SMTP_URL).toBeUndefined();
    expect(config.EMAIL_FROM).toBe('Shop <no-reply@shop.local>');
    expect(config.PORT).toBe(4008);
    expect(config.UNREAD_COUNT_TTL_SECONDS).toBe(3600);
  });

  it('an empty SMTP_URL (as compose files leave it) means unset', () => {
    expect(readConfig({ SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });

  it('keeps a valid SMTP_URL and EMAIL_FROM as given', () => {
    const config = readConfig({
      SMTP_URL: 'smtps://mailer:s3cret@smtp.example.com',
      EMAIL_FROM: 'Shop <orders@shop.example>',
    });
    expect(config.SMTP_URL).toBe('smtps://mailer:s3cret@smtp.example.com');
    expect(config.EMAIL_FROM).toBe('Shop <orders@shop.example>');
  });

  it('lists a bad SMTP_URL and a bad EMAIL_FROM in one error, without the password', () => {
    let error: unknown;
    try {
      readConfig({ SMTP_URL: 'http://mailer:s3cret@smtp.example.com', EMAIL_FROM: 'a@x, b@y', PORT: '4008' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^SMTP_URL: unsupported scheme http:/);
    expect(problems[1]).toMatch(/^EMAIL_FROM: expected one address/);
    expect(problems.join('\n')).not.toContain('s3cret');
  });
});
