import { describe, expect, it } from '@jest/globals';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { shopperMessage } from './errors';

const graphQLError = (code: string, message = 'server words') =>
  new CombinedGraphQLErrors({ errors: [{ message, extensions: { code } }] });

describe('shopperMessage', () => {
  it('maps each contract code to shopper words', () => {
    expect(shopperMessage(graphQLError('UNAUTHENTICATED'))).toBe('Please sign in to continue.');
    expect(shopperMessage(graphQLError('RATE_LIMITED'))).toMatch(/Too many attempts/);
    expect(shopperMessage(graphQLError('SERVICE_UNAVAILABLE'))).toMatch(/briefly unavailable/);
    expect(shopperMessage(graphQLError('INTERNAL_SERVER_ERROR'))).not.toContain('server words');
  });

  it("keeps BAD_USER_INPUT's message, which says what to change", () => {
    expect(shopperMessage(graphQLError('BAD_USER_INPUT', 'quantity must be at least 1'))).toBe(
      'quantity must be at least 1',
    );
  });

  it('reads a 503 from the edge and a failed fetch, and falls back for anything else', () => {
    const unavailable = new ServerError('503', {
      response: new Response('', { status: 503 }),
      bodyText: '',
    });
    expect(shopperMessage(unavailable)).toMatch(/briefly unavailable/);
    expect(shopperMessage(new TypeError('Failed to fetch'))).toMatch(/cannot reach the shop/);
    expect(shopperMessage(graphQLError('SOMETHING_NEW'))).toBe('Something went wrong. Please try again.');
    expect(shopperMessage('?')).toBe('Something went wrong. Please try again.');
  });
});
