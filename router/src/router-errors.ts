import { HeaderMap } from '@apollo/server';
import { ErrorCode, errorCodeOf, maskError, rateLimited, serviceUnavailable } from '@shop/platform/edge';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The code of an operation refused by one of the router's limits (CONTRACT.md, "Errors"). */
export const OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED';
/** The code of a subgraph fetch that failed (no answer, timeout, non-GraphQL answer); Apollo Router's name. */
export const SUBREQUEST_HTTP_ERROR = 'SUBREQUEST_HTTP_ERROR';

/** The limits an operation can exceed; `extensions.limit` of an OPERATION_LIMIT_EXCEEDED error. */
export type LimitName = 'depth' | 'aliases' | 'cost' | 'size';

const LIMIT_WORDS: Record<LimitName, string> = {
  depth: 'depth',
  aliases: 'alias count',
  cost: 'cost',
  size: 'request size in bytes',
};

/** An operation over one of the router's limits: HTTP 400 (413 for size), refused before any subgraph is called. */
export function operationLimitExceeded(limit: LimitName, actual: number, max: number): GraphQLError {
  return new GraphQLError(`Operation ${LIMIT_WORDS[limit]} ${actual} exceeds the limit of ${max}`, {
    extensions: {
      code: OPERATION_LIMIT_EXCEEDED,
      limit,
      max,
      actual,
      http: { status: limit === 'size' ? 413 : 400 },
    },
  });
}

/**
 * A client over its rate limit (`src/rate-limits.ts`): RATE_LIMITED with `retryAfterSeconds`, HTTP 429 and
 * `Retry-After` (seconds), refused before parsing, so no subgraph is called.
 */
export function rateLimitExceeded(retryAfterSeconds: number): GraphQLError {
  // The kit's RATE_LIMITED (code and retryAfterSeconds, as login throttling answers), plus the edge's HTTP.
  const error = rateLimited(`Too many requests; try again in ${retryAfterSeconds} s`, retryAfterSeconds);
  return new GraphQLError(error.message, {
    extensions: {
      ...error.extensions,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * A mutation whose root field its subgraph is shedding (`src/plugins/mutation-shedding.plugin.ts`): the
 * kit's SERVICE_UNAVAILABLE with `retryAfterSeconds`, HTTP 503 and `Retry-After`, refused before planning.
 */
export function mutationShed(field: string, retryAfterSeconds: number): GraphQLError {
  const error = serviceUnavailable(
    `${field} is refused for now (the service is at capacity); try again in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  );
  return new GraphQLError(error.message, {
    extensions: {
      ...error.extensions,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/**
 * The error a request gets when its token is refused at the edge: UNAUTHENTICATED with HTTP 401 and a
 * `WWW-Authenticate` header. A verifier failure that is not about the token (the JWKS cannot be fetched)
 * is SERVICE_UNAVAILABLE with HTTP 503 and `Retry-After`: the caller's token may be fine, they should retry.
 */
export function edgeAuthError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError && errorCodeOf(error) === ErrorCode.UNAUTHENTICATED) {
    return new GraphQLError(error.message, {
      extensions: {
        code: ErrorCode.UNAUTHENTICATED,
        http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer error="invalid_token"']]) },
      },
    });
  }
  return new GraphQLError('Access tokens cannot be verified right now', {
    originalError: error instanceof Error ? error : undefined,
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) },
    },
  });
}

/** Contract codes whose messages subgraphs write for clients. */
const CLIENT_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.RATE_LIMITED,
  ErrorCode.SERVICE_UNAVAILABLE,
]);

/**
 * Codes of an operation that could not be served right now and may be sent again as it was (mutations
 * with their idempotency key): a subgraph's dependency is down, or a subgraph cannot be reached. When
 * every error of an operation that has no data carries one, the router answers HTTP 503 with
 * `Retry-After` (the kit's `unavailableStatusPlugin`).
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ErrorCode.SERVICE_UNAVAILABLE,
  SUBREQUEST_HTTP_ERROR,
]);

/** Extensions that describe internals: the subgraph's URL and raw answer, stack traces. */
const INTERNAL_EXTENSIONS = ['response', 'stacktrace', 'exception'];

function withoutInternalExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extensions).filter(([key]) => !INTERNAL_EXTENSIONS.includes(key)));
}

/**
 * The router's `formatError`. Errors from a subgraph (they carry `extensions.serviceName`) keep their
 * message only when their code is one of the contract's client codes; in production any other subgraph
 * error (an internal error, a fetch that failed, a code the contract does not know) becomes a generic
 * message with just `code` and `serviceName`, and the subgraph's URL and raw answer
 * (`extensions.response`) never leave. The router's own errors go through the kit's `maskError`: contract
 * and Apollo codes (parse, validation, OPERATION_LIMIT_EXCEEDED) kept, anything else a generic
 * INTERNAL_SERVER_ERROR. Stack traces are always dropped.
 */
export function formatRouterError(
  formatted: GraphQLFormattedError,
  production: boolean,
): GraphQLFormattedError {
  const extensions = (formatted.extensions ?? {}) as Record<string, unknown>;
  const serviceName = typeof extensions.serviceName === 'string' ? extensions.serviceName : undefined;
  const code = errorCodeOf(formatted);
  const location = {
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
  };
  if (serviceName === undefined) {
    const masked = maskError(formatted, !production);
    return {
      ...masked,
      extensions: withoutInternalExtensions((masked.extensions ?? {}) as Record<string, unknown>),
    };
  }
  if (CLIENT_CODES.has(code)) {
    return { message: formatted.message, ...location, extensions: withoutInternalExtensions(extensions) };
  }
  if (!production) {
    const { stacktrace: _stacktrace, ...rest } = extensions;
    return { message: formatted.message, ...location, extensions: { ...rest, code } };
  }
  const message =
    code === SUBREQUEST_HTTP_ERROR ? `Subgraph "${serviceName}" is unavailable` : 'Internal server error';
  return { message, ...location, extensions: { code, serviceName } };
}
