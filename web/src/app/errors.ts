import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** What a shopper reads for each error code of the contract (CONTRACT.md, "Errors"). */
const MESSAGES: Record<string, string> = {
  SERVICE_UNAVAILABLE: 'The shop is briefly unavailable. Please try again in a moment.',
  SUBREQUEST_HTTP_ERROR: 'The shop is briefly unavailable. Please try again in a moment.',
  RATE_LIMITED: 'Too many attempts. Please wait a little and try again.',
  UNAUTHENTICATED: 'Please sign in to continue.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find what you were looking for.',
  CONFLICT: 'That changed in the meantime. Please check and try again.',
  OPERATION_LIMIT_EXCEEDED: 'That request is too large. Please narrow it down.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again later.',
};

const FALLBACK = 'Something went wrong. Please try again.';

/**
 * Shopper words for an error from Apollo Client: the first GraphQL error's code when there is one
 * (`overrides` words a code for one form, e.g. CONFLICT on sign-up; BAD_USER_INPUT keeps the server's message, which names the field at fault), else the network's.
 */
export function shopperMessage(error: unknown, overrides: Record<string, string> = {}): string {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
    if (code === 'BAD_USER_INPUT' && first?.message) return first.message;
    return (code && (overrides[code] ?? MESSAGES[code])) ?? FALLBACK;
  }
  if (ServerError.is(error)) {
    if (error.statusCode === 503) return MESSAGES.SERVICE_UNAVAILABLE!;
    if (error.statusCode === 401) return MESSAGES.UNAUTHENTICATED!;
  }
  if (error instanceof TypeError) return 'We cannot reach the shop. Please check your connection.';
  return FALLBACK;
}
