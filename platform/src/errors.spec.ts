import { describe, expect, it } from '@jest/globals';
import { badUserInput, maskError, rateLimited } from './errors.js';

describe('maskError', () => {
  it('keeps domain errors with their code and extra extensions', () => {
    const error = badUserInput('first must be between 1 and 100', 'first');
    expect(
      maskError({ message: error.message, extensions: { ...error.extensions, stacktrace: ['at x'] } }),
    ).toEqual({
      message: 'first must be between 1 and 100',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    expect(rateLimited('slow down', 30).extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  });

  it("keeps Apollo's own request codes", () => {
    const formatted = {
      message: 'Cannot query field "x"',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    expect(maskError(formatted)).toEqual(formatted);
  });

  it('hides internal messages, SQL and stack traces', () => {
    const internal = {
      message: 'insert into "account" ... violates constraint at db-01.internal:5432',
      path: ['register'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: ...'] },
    };
    expect(maskError(internal)).toEqual({
      message: 'Internal server error',
      path: ['register'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(maskError({ message: 'boom' })).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(maskError(internal, true).message).toContain('violates');
    expect(maskError(internal, true).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
