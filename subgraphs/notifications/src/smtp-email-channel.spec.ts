import { describe, expect, it } from '@jest/globals';
import { describeSmtp, parseSender, parseSmtpUrl } from './smtp-email-channel.js';

describe('parseSmtpUrl', () => {
  it('smtp:// without credentials: STARTTLS when offered, port 587 by default', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      requireTLS: false,
    });
    expect(parseSmtpUrl('smtp://127.0.0.1:1025/')).toMatchObject({ host: '127.0.0.1', port: 1025 });
  });

  it('smtp:// with credentials requires STARTTLS; user and password are percent-decoded', () => {
    expect(parseSmtpUrl('smtp://apikey:p%40ss%3Aw%2Frd@smtp.example.com:2525')).toEqual({
      host: 'smtp.example.com',
      port: 2525,
      secure: false,
      requireTLS: true,
      auth: { user: 'apikey', pass: 'p@ss:w/rd' },
    });
  });

  it('smtps:// is implicit TLS on port 465 by default', () => {
    expect(parseSmtpUrl('smtps://u:p@smtp.example.com')).toEqual({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
      requireTLS: false,
      auth: { user: 'u', pass: 'p' },
    });
  });

  it('?requireTLS=true insists on STARTTLS without credentials; an IPv6 host loses its brackets', () => {
    expect(parseSmtpUrl('smtp://[::1]:25?requireTLS=true')).toEqual({
      host: '::1',
      port: 25,
      secure: false,
      requireTLS: true,
    });
    expect(parseSmtpUrl('smtp://relay:25?requireTLS=false').requireTLS).toBe(false);
  });

  it.each([
    ['not a url', /not a URL/],
    ['http://mail.example.com', /unsupported scheme http:/],
    ['smtp://', /no host/],
    ['smtp://mail.example.com/inbox', /path/],
    ['smtp://mail.example.com#x', /fragment/],
    ['smtp://:secret@mail.example.com', /password without a user/],
    ['smtp://user@mail.example.com', /user without a password/],
    ['smtp://user:50%zz@mail.example.com', /percent-encoded/],
    ['smtp://mail.example.com?tls.rejectUnauthorized=false', /unsupported parameter tls.rejectUnauthorized/],
    ['smtps://mail.example.com?requireTLS=true', /smtps:\/\/ is always TLS/],
    ['smtp://mail.example.com?requireTLS=yes', /true or false/],
    ['smtp://u:p@mail.example.com?requireTLS=false', /only sent over TLS/],
  ])('refuses %s', (url, message) => {
    expect(() => parseSmtpUrl(url)).toThrow(message);
  });

  it('never puts the password in an error or in the description for logs', () => {
    for (const url of ['smtp://u:hunter2@host/path', 'smtps://u:hunter2@host?x=1', 'ftp://u:hunter2@host']) {
      let message = '';
      try {
        parseSmtpUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('hunter2');
    }
    expect(describeSmtp(parseSmtpUrl('smtps://mailer:hunter2@smtp.example.com'))).toBe(
      'smtps://mailer@smtp.example.com:465',
    );
    expect(describeSmtp(parseSmtpUrl('smtp://[::1]:25'))).toBe('smtp://[::1]:25');
  });
});

describe('parseSender', () => {
  it('accepts one mailbox, with or without a display name, and returns its address', () => {
    expect(parseSender('no-reply@shop.example')).toBe('no-reply@shop.example');
    expect(parseSender('Shop <no-reply@shop.example>')).toBe('no-reply@shop.example');
    expect(parseSender('"Shop, Inc." <no-reply@shop.example>')).toBe('no-reply@shop.example');
  });

  it.each([
    [''],
    ['shop'],
    ['Shop <>'],
    ['a@shop.example, b@shop.example'],
    ['Team: a@shop.example;'],
    ['Shop <no-reply@shop.example>\r\nBcc: victim@example.com'],
  ])('refuses %j', (value) => {
    expect(() => parseSender(value)).toThrow();
  });
});
