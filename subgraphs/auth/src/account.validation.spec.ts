import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import {
  normalizeEmail,
  validEmail,
  validName,
  validPassword,
  validRegistration,
} from './account.validation.js';

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions;
  }
  throw new Error('expected a refusal');
}

describe('account validation', () => {
  it('normalizes emails to trimmed lowercase', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(validEmail('Ada@Example.com')).toBe('ada@example.com');
  });

  it.each([
    '',
    'plainaddress',
    'a@',
    '@example.com',
    'a b@example.com',
    'a@example',
    `${'x'.repeat(250)}@e.co`,
  ])('refuses the malformed email %j naming the field', (email) => {
    expect(refusal(() => validEmail(email))).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  it('accepts passwords of 8 to 128 characters, counted as characters, untrimmed', () => {
    expect(validPassword('12345678')).toBe('12345678');
    expect(validPassword(' 234567 ')).toBe(' 234567 ');
    expect(validPassword('x'.repeat(128))).toHaveLength(128);
    expect(validPassword('🔑'.repeat(8))).toBe('🔑'.repeat(8));
    expect(refusal(() => validPassword('1234567'))).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(refusal(() => validPassword('x'.repeat(129)))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'password',
    });
  });

  it('trims names and accepts 1 to 100 characters', () => {
    expect(validName('  Ada Lovelace ')).toBe('Ada Lovelace');
    expect(validName('é'.repeat(100))).toHaveLength(100);
    expect(refusal(() => validName('   '))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(refusal(() => validName('x'.repeat(101)))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('validates a whole registration', () => {
    expect(validRegistration({ email: ' A@B.io', password: 'long enough', name: ' Ada ' })).toEqual({
      email: 'a@b.io',
      password: 'long enough',
      name: 'Ada',
    });
  });
});
