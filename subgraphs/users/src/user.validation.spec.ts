import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { validName } from './user.validation.js';

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

describe('validName', () => {
  it('trims and accepts 1 to 100 characters', () => {
    expect(validName('  Ada Lovelace ')).toBe('Ada Lovelace');
    expect(validName('é'.repeat(100))).toHaveLength(100);
  });

  it.each([[''], ['   '], ['x'.repeat(101)]])('refuses %j with BAD_USER_INPUT on name', (name) => {
    expect(errorOf(() => validName(name))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});
