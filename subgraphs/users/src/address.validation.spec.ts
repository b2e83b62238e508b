import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { validAddress } from './address.validation.js';

const base = { line1: 'Main Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** The `extensions` of the error `fn` throws. */
function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions;
  }
  throw new Error('expected an error');
}

describe('validAddress', () => {
  it('trims every field, upper-cases the country and turns a blank line2 into null', () => {
    expect(
      validAddress({ ...base, line1: '  Main Street 1 ', line2: '   ', city: ' Berlin', country: ' de ' }),
    ).toEqual({
      line1: 'Main Street 1',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
      isDefault: false,
    });
    expect(validAddress({ ...base, line2: ' Apt 4 ', isDefault: true })).toMatchObject({
      line2: 'Apt 4',
      isDefault: true,
    });
  });

  it.each([
    ['line1', { line1: '  ' }],
    ['line1', { line1: 'x'.repeat(201) }],
    ['line2', { line2: 'x'.repeat(201) }],
    ['city', { city: '' }],
    ['city', { city: 'x'.repeat(101) }],
    ['postalCode', { postalCode: ' ' }],
    ['postalCode', { postalCode: '1'.repeat(21) }],
    ['country', { country: 'XX' }],
    ['country', { country: 'usa' }],
    ['country', { country: 'UK' }],
    ['country', { country: 'EU' }],
    ['country', { country: '' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming the field', (field, patch) => {
    expect(errorOf(() => validAddress({ ...base, ...patch }))).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts the limits themselves, counting characters rather than UTF-16 units', () => {
    expect(() =>
      validAddress({
        ...base,
        line1: '😀'.repeat(200),
        line2: 'x'.repeat(200),
        city: 'x'.repeat(100),
        postalCode: '1'.repeat(20),
      }),
    ).not.toThrow();
  });
});
