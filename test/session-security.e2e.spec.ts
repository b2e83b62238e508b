/**
 * Two of the edge's defences as a client of the router sees them, on the real stack: rotating the
 * access-token signing key (`node dist/auth/main.mjs rotate-signing-key`, as an operator runs it)
 * and a session's absolute lifetime (SESSION_MAX_AGE, 90 days from the sign-in that started it).
 */
import { describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { rotateSigningKey } from '../subgraphs/auth/test/rotate-command.js';
import { contract } from './support/contract.js';
import { sql } from './support/database.js';
import { LOGIN, useStack } from './support/stack.js';

const api = useStack();
const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** The operator's command against the stack's auth database. */
const rotate = (...args: string[]) => rotateSigningKey(api.stack.databases.auth!, ...args);

describe('session security through the router', () => {
  // Up to a minute of it waits for auth to read its rotated key set again.
  it('rotates the signing key: a planned rotation keeps old tokens working; an immediate one refuses them with 401 UNAUTHENTICATED while new tokens work', async () => {
    const customer = await api.registerCustomer();
    const login = async () => {
      const response = await api.request(LOGIN, { email: customer.email, password: customer.password });
      if (response.errors) throw new Error(`login failed: ${JSON.stringify(response.errors)}`);
      return response.data.login.accessToken as string;
    };
    const me = (token: string) => api.request(contract('Me'), {}, token);
    const first = kidOf(customer.accessToken);
    expect((await me(customer.accessToken)).data?.me.id).toBe(customer.id);

    // Planned: the new key is published now and signs only later, so tokens of the current key stay
    // valid at the router, and new sign-ins still get them.
    const planned = await rotate();
    expect(planned.kid).not.toBe(first);
    expect(Date.parse(planned.activatesAt)).toBeGreaterThan(Date.now());
    expect(kidOf(await login())).toBe(first);
    expect((await me(customer.accessToken)).data?.me.id).toBe(customer.id);

    // Immediately (a leaked key): one new key replaces every other at once.
    const urgent = await rotate('--immediately');
    expect(urgent.retiring.map((key) => key.kid).sort()).toEqual([first, planned.kid].sort());
    // auth's replicas read the key set again every 60 s; from then on sign-ins get the new key (and
    // its JWKS serves only that one). A sign-in every 2 s until then.
    const fresh = await waitFor(
      async () => {
        const token = await login();
        if (kidOf(token) === urgent.kid) return token;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return false;
      },
      90_000,
      'a token signed with the new key',
    );
    // The router fetches the JWKS again for a key it does not know (at most every 5 s): the new
    // token works once it has.
    await waitFor(
      async () => (await me(fresh)).data?.me?.id === customer.id,
      15_000,
      'the router to accept the new key',
    );
    // The replaced key is gone from what the router fetched: its tokens are refused at the edge.
    const refused = await me(customer.accessToken);
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.data ?? null).toBeNull();
  }, 150_000);

  it('ends a session at its absolute lifetime: a fresh refresh token of a sign-in 90 days old gets UNAUTHENTICATED, and signing in again starts a new session', async () => {
    const customer = await api.registerCustomer();
    // Rotated today, so the token itself is fresh.
    const rotated = await api.request(contract('RefreshSession'), { refreshToken: customer.refreshToken });
    expect(rotated.errors).toBeUndefined();
    const { refreshToken } = rotated.data.refreshSession;
    // Only the sign-in lies 90 days and a minute back.
    await sql(
      api.stack.databases.auth!,
      `update session set created_at = now() - interval '90 days 1 minute' where account_id = ?`,
      [customer.id],
    );

    const refused = await api.request(contract('RefreshSession'), { refreshToken });
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.data?.refreshSession ?? null).toBeNull();

    const again = await api.request(LOGIN, { email: customer.email, password: customer.password });
    expect(again.errors).toBeUndefined();
    const renewed = await api.request(contract('RefreshSession'), {
      refreshToken: again.data.login.refreshToken,
    });
    expect(renewed.errors).toBeUndefined();
    expect(renewed.data.refreshSession.accessToken.split('.')).toHaveLength(3);
  });
});
