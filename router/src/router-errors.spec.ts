import { describe, expect, it } from '@jest/globals';
import { unauthenticated } from '@shop/platform/edge';
import type { GraphQLFormattedError } from 'graphql';
import { edgeAuthError, formatRouterError, operationLimitExceeded } from './router-errors.js';

const fetchFailure: GraphQLFormattedError = {
  message: 'request to http://10.1.2.3:4003/graphql failed, reason: connect ECONNREFUSED 10.1.2.3:4003',
  path: ['product'],
  extensions: {
    code: 'SUBREQUEST_HTTP_ERROR',
    serviceName: 'catalog',
    stacktrace: ['at x (/srv/app.js:1:1)'],
  },
};
const leakyInternal: GraphQLFormattedError = {
  message: 'relation "users" does not exist: SELECT * FROM users',
  extensions: {
    code: 'INTERNAL_SERVER_ERROR',
    serviceName: 'accounts',
    response: { url: 'http://accounts.internal:4001/graphql', body: 'x' },
  },
};

describe('formatRouterError', () => {
  it('in production reduces subgraph failures to a generic message with code and serviceName', () => {
    expect(formatRouterError(fetchFailure, true)).toEqual({
      message: 'Subgraph "catalog" is unavailable',
      path: ['product'],
      extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'catalog' },
    });
    expect(formatRouterError(leakyInternal, true)).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'accounts' },
    });
    const unknownCode = formatRouterError(
      { message: 'db at 10.0.0.9 down', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'x' } },
      true,
    );
    expect(unknownCode.message).toBe('Internal server error');
  });

  it('keeps the messages of contract codes from subgraphs, without the raw response', () => {
    const formatted = formatRouterError(
      {
        message: 'price must be positive',
        extensions: {
          code: 'BAD_USER_INPUT',
          field: 'price',
          serviceName: 'catalog',
          response: { url: 'http://internal' },
        },
      },
      true,
    );
    expect(formatted).toEqual({
      message: 'price must be positive',
      extensions: { code: 'BAD_USER_INPUT', field: 'price', serviceName: 'catalog' },
    });
  });

  it('in development keeps messages but never stack traces', () => {
    const formatted = formatRouterError(fetchFailure, false);
    expect(formatted.message).toBe(fetchFailure.message);
    expect(formatted.extensions).not.toHaveProperty('stacktrace');
  });

  it("masks the router's own internal errors in production and keeps limit errors", () => {
    expect(
      formatRouterError(
        { message: 'Cannot read properties of undefined', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        true,
      ),
    ).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const limit = operationLimitExceeded('depth', 14, 12);
    expect(
      formatRouterError({ message: limit.message, extensions: { ...limit.extensions } }, true),
    ).toMatchObject({
      message: 'Operation depth 14 exceeds the limit of 12',
      extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth', max: 12, actual: 14 },
    });
  });
});

describe('edgeAuthError', () => {
  it('answers a refused token with 401 and a verifier outage with 503', () => {
    const refused = edgeAuthError(unauthenticated('Access token expired'));
    expect(refused.message).toBe('Access token expired');
    expect(refused.extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    const outage = edgeAuthError(new TypeError('fetch failed'));
    expect(outage.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', http: { status: 503 } });
    expect((outage.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')).toBe('1');
  });
});
