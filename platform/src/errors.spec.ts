import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { badUserInput, errorCodeOf, isDependencyUnavailable, maskError, rateLimited } from './errors.js';

/** An error as Node or a driver makes it: a message and the properties drivers set. */
const driverError = (message: string, props: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), props);

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

describe('isDependencyUnavailable', () => {
  it('recognises a dependency that is down, however deeply it is wrapped', () => {
    const refused = driverError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' });
    expect(isDependencyUnavailable(refused)).toBe(true);
    // Postgres going away: a fast restart (57P01), starting up (57P03), a connection exception (08006).
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300'])
      expect([code, isDependencyUnavailable(driverError('server says no', { code }))]).toEqual([code, true]);
    expect(isDependencyUnavailable(driverError('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyUnavailable(driverError('timeout exceeded when trying to connect'))).toBe(true);
    // A pooled client whose connection broke while the server restarted (found by npm run soak).
    expect(
      isDependencyUnavailable(driverError('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    // ioredis: out of reconnection attempts for a command, or a command on a closed connection.
    const redis = driverError('Reached the max retries per request limit (which is 2).');
    redis.name = 'MaxRetriesPerRequestError';
    expect(isDependencyUnavailable(redis)).toBe(true);
    expect(isDependencyUnavailable(driverError('Connection is closed.'))).toBe(true);
    // Wrapped: a resolver's GraphQLError around a driver error around its cause; an AggregateError of
    // both addresses of "localhost".
    const wrapped = new GraphQLError('failed', {
      originalError: driverError('query failed', { cause: refused }),
    });
    expect(isDependencyUnavailable(wrapped)).toBe(true);
    expect(isDependencyUnavailable(new AggregateError([driverError('x'), refused], ''))).toBe(true);
  });

  it('does not mistake a failed query, a bug or a missing host for an outage', () => {
    expect(isDependencyUnavailable(driverError('duplicate key value', { code: '23505' }))).toBe(false);
    expect(isDependencyUnavailable(driverError('syntax error at or near', { code: '42601' }))).toBe(false);
    expect(isDependencyUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(isDependencyUnavailable(driverError('getaddrinfo ENOTFOUND db', { code: 'ENOTFOUND' }))).toBe(
      false,
    );
    expect(isDependencyUnavailable(undefined)).toBe(false);
    expect(isDependencyUnavailable('ECONNREFUSED')).toBe(false);
    // A cycle of causes ends.
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = a;
    expect(isDependencyUnavailable(a)).toBe(false);
  });
});

describe('an error caused by a dependency that is down', () => {
  const raw = new GraphQLError('connect ECONNREFUSED 10.0.3.7:5432', {
    path: ['placeOrder'],
    originalError: driverError('connect ECONNREFUSED 10.0.3.7:5432', { code: 'ECONNREFUSED' }),
  });
  const formatted = { ...raw.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } };

  it('is SERVICE_UNAVAILABLE for metrics, logs and clients, with a message that names no host', () => {
    expect(errorCodeOf(raw)).toBe('SERVICE_UNAVAILABLE');
    expect(maskError(formatted, false, raw)).toEqual({
      message: 'The service is unavailable right now; try again shortly',
      path: ['placeOrder'],
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(maskError(formatted, true, raw)).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    // A driver message that names the outage, in development where messages are kept, is still masked
    // by its original error.
    const redis = driverError('Reached the max retries per request limit (which is 2).');
    redis.name = 'MaxRetriesPerRequestError';
    const fromRedis = new GraphQLError(redis.message, { originalError: redis });
    expect(
      maskError({ message: redis.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, true, fromRedis),
    ).toEqual({ message: redis.message, extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('keeps a domain code its resolver chose, and masks other internal errors as before', () => {
    const refused = new GraphQLError('out of stock', {
      extensions: { code: 'BAD_USER_INPUT' },
      originalError: driverError('x', { code: 'ECONNREFUSED' }),
    });
    expect(errorCodeOf(refused)).toBe('BAD_USER_INPUT');
    const bug = new GraphQLError('boom', { originalError: new TypeError('boom') });
    expect(errorCodeOf(bug)).toBe('INTERNAL_SERVER_ERROR');
    expect(maskError({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, false, bug)).toEqual(
      {
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    );
  });
});
