import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** The contract's `extensions.code` values (CONTRACT.md, "Errors"). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
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

/** The code an error carries, or `INTERNAL_SERVER_ERROR`. */
export function errorCodeOf(error: { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Apollo `formatError`: keeps domain errors and Apollo's own parse/validation codes as they are;
 * anything else (a bug, a database error) becomes a generic INTERNAL_SERVER_ERROR so no stack
 * trace, SQL or host name leaves the process. With `exposeDetails` (development) the original
 * message is kept but the stack trace is still dropped.
 */
export function maskError(formatted: GraphQLFormattedError, exposeDetails = false): GraphQLFormattedError {
  const code = errorCodeOf(formatted);
  const { stacktrace: _stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
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
