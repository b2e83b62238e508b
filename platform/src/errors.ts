import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The contract's `extensions.code` values (CONTRACT.md, "Errors"). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  /** A dependency (Postgres, Redis) cannot be reached: nothing was written, the same request may be retried. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const DOMAIN_CODES = new Set<string>(Object.values(ErrorCode));

function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** A value out of range, an unknown id in an input, a malformed cursor. `field` names the input. */
export const badUserInput = (message: string, field?: string) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
/** No, bad or expired token; failed login. */
export const unauthenticated = (message = 'Authentication required') =>
  codedError(ErrorCode.UNAUTHENTICATED, message);
/** Signed in but not allowed. */
export const forbidden = (message = 'Not allowed') => codedError(ErrorCode.FORBIDDEN, message);
export const notFound = (message = 'Not found') => codedError(ErrorCode.NOT_FOUND, message);
/** An idempotency key reused with other input, an email already registered. */
export const conflict = (message: string) => codedError(ErrorCode.CONFLICT, message);
/** Too many attempts; `retryAfterSeconds` tells the client when to try again. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  codedError(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds });

/**
 * A dependency this service needs for the request is down, or the service sheds load: SERVICE_UNAVAILABLE.
 * The request changed nothing (its transaction never committed), so the client may send it again
 * (mutations with their idempotency key), after `retryAfterSeconds` when given (the extension, and the
 * HTTP `Retry-After`). `maskError` gives it to every error caused by {@link isDependencyUnavailable}.
 */
export const serviceUnavailable = (
  message = 'The service is unavailable right now; try again shortly',
  retryAfterSeconds?: number,
) =>
  codedError(
    ErrorCode.SERVICE_UNAVAILABLE,
    message,
    retryAfterSeconds === undefined ? {} : { retryAfterSeconds },
  );

/** Node's socket errors of a peer that is down or unreachable (not DNS names that do not exist). */
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/**
 * Postgres SQLSTATEs of a server that is going away or cannot take the connection: class 08
 * (connection exception), 57P01 admin shutdown (a fast restart), 57P02 crash shutdown, 57P03 cannot
 * connect now (starting up or shutting down), 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/**
 * Messages of the drivers' own errors without a code: node-postgres when the server closed the
 * connection, the pool timed out connecting, or a query went to a pooled client whose connection
 * broke (a Postgres fast restart); ioredis when its connection is closed or a command ran out of
 * reconnection attempts.
 */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|encountered a connection error and is not queryable|Connection is closed|max retries per request|Stream isn't writeable/i;

/**
 * True when `error`, or an error it wraps (`originalError` of a GraphQLError, `cause`, the `errors` of an
 * AggregateError, at most 8 levels down), says a dependency cannot be reached: the errors above, and
 * ioredis' `MaxRetriesPerRequestError`. A query error, a constraint violation or a bug is not.
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== 'object') return false;
  const { code, name, message, originalError, cause, errors } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    originalError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && (UNREACHABLE_ERRNO.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return true;
  if (name === 'MaxRetriesPerRequestError') return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  return (
    isDependencyUnavailable(originalError, depth + 1) ||
    isDependencyUnavailable(cause, depth + 1) ||
    (Array.isArray(errors) && errors.some((inner) => isDependencyUnavailable(inner, depth + 1)))
  );
}

/**
 * The code an error carries; without one (or with `INTERNAL_SERVER_ERROR`), `SERVICE_UNAVAILABLE` when
 * it was caused by a dependency that is down ({@link isDependencyUnavailable}), else
 * `INTERNAL_SERVER_ERROR`. So metrics, logs and spans record the code the client is sent.
 */
export function errorCodeOf(error: { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) return code;
  return isDependencyUnavailable(error) ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Apollo `formatError`: keeps domain errors and Apollo's own parse/validation codes as they are;
 * an error caused by a dependency that is down (`error`, the original, per {@link isDependencyUnavailable})
 * becomes SERVICE_UNAVAILABLE with a generic message; anything else (a bug, a failed query) becomes a
 * generic INTERNAL_SERVER_ERROR, so no stack trace, SQL or host name leaves the process. With
 * `exposeDetails` (development) the original message is kept but the stack trace is still dropped.
 */
export function maskError(
  formatted: GraphQLFormattedError,
  exposeDetails = false,
  error?: unknown,
): GraphQLFormattedError {
  // The code the error was given (Apollo gives INTERNAL_SERVER_ERROR to anything without one); what
  // caused it is judged on the original `error` only.
  const declared = formatted.extensions?.code;
  const code = typeof declared === 'string' ? declared : ErrorCode.INTERNAL_SERVER_ERROR;
  const { stacktrace: _stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  if (code === ErrorCode.INTERNAL_SERVER_ERROR && isDependencyUnavailable(error)) {
    const unavailable = serviceUnavailable();
    return {
      message: exposeDetails ? formatted.message : unavailable.message,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
    };
  }
  if (DOMAIN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...formatted, extensions };
  }
  if (code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    // Apollo's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, ...) describe the request.
    return { ...formatted, extensions };
  }
  return {
    message: exposeDetails ? formatted.message : 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
