import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@shop/platform';
import { waitFor } from '@shop/platform/testing';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { assertBuilt } from '../../../scripts/built.js';
import { createSigningKeys } from '../src/signing-key.service.js';
import { LOGIN, registerCustomer, startAuth, type TestAuth } from './auth.harness.js';
import { rotateSigningKey } from './rotate-command.js';

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

describe('rotating the access-token signing key', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    await assertBuilt(['auth']);
    // Replicas read the key set again after 200 ms here (60 s in production), so the served JWKS
    // shows a rotation at once.
    auth = await startAuth({ signingKeys: { reloadAfterMs: 200 } });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  const served = async () => (await (await fetch(auth.jwksUrl)).json()) as JSONWebKeySet;
  const servedKids = async () => (await served()).keys.map((key) => key.kid);
  /** Verifies against the JWKS as served now: what a verifier fetching it afresh decides. */
  const verifiesNow = async (token: string) =>
    jwtVerify(token, createLocalJWKSet(await served()), { issuer: 'shop-auth', audience: 'shop' }).then(
      () => true,
      () => false,
    );
  const rotateCommand = (...args: string[]) => rotateSigningKey(auth.database, ...args);
  const login = async (customer: { email: string; password: string }) => {
    const response = await auth.request(LOGIN, { email: customer.email, password: customer.password });
    if (response.errors) throw new Error(`login failed: ${JSON.stringify(response.errors)}`);
    return response.data.login.accessToken as string;
  };

  it('the command plans a rotation: the new key is published at once and signs only after every cached JWKS has it; --immediately replaces every key at once', async () => {
    const customer = await registerCustomer(auth);
    const first = kidOf(customer.accessToken)!;
    expect(await servedKids()).toEqual([first]);

    const before = Date.now();
    const planned = await rotateCommand();
    // Published ahead by the JWKS cache age (300 s) plus the replicas' reload (60 s); the old key
    // stays until its last possible token (signed just before activation, 900 s) expired, + 60 s skew.
    const activatesAt = Date.parse(planned.activatesAt);
    expect(activatesAt - before).toBeGreaterThanOrEqual(360_000);
    expect(activatesAt - Date.now()).toBeLessThanOrEqual(360_000);
    expect(planned.retiring).toEqual([
      { kid: first, retiredAt: new Date(activatesAt + 60_000 + 900_000 + 60_000).toISOString() },
    ]);
    await waitFor(
      async () => (await servedKids()).length === 2,
      10_000,
      'the served JWKS to show the new key',
    );
    expect((await servedKids()).sort()).toEqual([first, planned.kid].sort());
    // Not active yet: tokens are still signed with the first key, and both kinds verify.
    const stillFirst = await login(customer);
    expect(kidOf(stillFirst)).toBe(first);
    expect(await verifiesNow(customer.accessToken)).toBe(true);

    const urgent = await rotateCommand('--immediately');
    expect(Date.parse(urgent.activatesAt)).toBeLessThanOrEqual(Date.now());
    expect(urgent.retiring.map((key) => key.kid).sort()).toEqual([first, planned.kid].sort());
    await waitFor(
      async () => (await servedKids()).join() === urgent.kid,
      10_000,
      'only the urgent key served',
    );
    await waitFor(
      async () => kidOf(await login(customer)) === urgent.kid,
      10_000,
      'tokens signed by the urgent key',
    );
    // A token of a replaced key no longer verifies against the served JWKS.
    expect(await verifiesNow(stillFirst)).toBe(false);
  });

  it('a planned rotation switches signers at activation and retires the old key once its tokens expired', async () => {
    // The same service on the same table, with seconds instead of minutes: JWKS cache 5 s, reload
    // 100 ms, access tokens of 10 s, no skew. Activation at +5.1 s (room for a loaded machine between
    // the rotation and the next signature), retirement at +15.2 s. Tokens live long enough that none
    // expires between being signed and being verified here, even on a loaded machine.
    const keys = createSigningKeys({
      orm: auth.runtime.orm,
      logger: createLogger('auth', { level: 'silent' }),
      issuer: 'shop-auth',
      audience: 'shop',
      accessTokenTtlSeconds: 10,
      reloadAfterMs: 100,
      jwksMaxAgeSeconds: 5,
      clockSkewMs: 0,
    });
    await keys.ensure();
    const old = await keys.sign('user-1', ['CUSTOMER']);
    const rotation = await keys.rotate();
    expect(rotation.retiring.map((key) => key.retiredAt.getTime())).toEqual([
      rotation.activatesAt.getTime() + 100 + 10_000,
    ]);
    // Before activation: the old key signs, the new one is published.
    const early = await keys.sign('user-1', ['CUSTOMER']);
    expect(Date.now()).toBeLessThan(rotation.activatesAt.getTime());
    expect(kidOf(early.accessToken)).toBe(kidOf(old.accessToken));
    expect((await keys.jwks()).keys.map((key) => key.kid)).toContain(rotation.kid);
    // From activation: the new key signs; tokens of the old one still verify until it retires.
    const switched = await waitFor(
      async () => {
        const token = (await keys.sign('user-1', ['CUSTOMER'])).accessToken;
        return kidOf(token) === rotation.kid && token;
      },
      15_000,
      'the new key to sign',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(rotation.activatesAt.getTime());
    await expect(keys.verifyToken(switched)).resolves.toMatchObject({ id: 'user-1' });
    await expect(keys.verifyToken(old.accessToken)).resolves.toMatchObject({ id: 'user-1' });
    // After retirement the old key is no longer published.
    await waitFor(
      async () => !(await keys.jwks()).keys.some((key) => key.kid === kidOf(old.accessToken)),
      30_000,
      'the old key to leave the JWKS',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(rotation.retiring[0]!.retiredAt.getTime());
  });
});
