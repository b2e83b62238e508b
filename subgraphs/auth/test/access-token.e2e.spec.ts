import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createJwtVerifier } from '@shop/platform';
import { errorCodes, startTestSubgraph } from '@shop/platform/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import {
  REGISTER,
  newCustomer,
  registerCustomer,
  startAuth,
  testOptions,
  USER_ENTITIES,
  type TestAuth,
} from './auth.harness.js';

describe('access tokens and the JWKS', () => {
  let auth: TestAuth;
  beforeAll(async () => {
    auth = await startAuth({ accessTokenTtlSeconds: 300 });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('serves the public key set with kid, alg and use, cacheable, and no private parts', async () => {
    const response = await fetch(auth.jwksUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: expect.any(String),
      alg: 'EdDSA',
      use: 'sig',
    });
  });

  it('signs EdDSA access tokens that verify against the served JWKS over HTTP, with the contract’s claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const customer = await registerCustomer(auth);
    const { payload, protectedHeader } = await jwtVerify(
      customer.accessToken,
      createRemoteJWKSet(new URL(auth.jwksUrl)),
      {
        issuer: 'shop-auth',
        audience: 'shop',
        algorithms: ['EdDSA'],
      },
    );
    const jwks = (await (await fetch(auth.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: jwks.keys[0]!.kid });
    expect(payload).toEqual({
      sub: customer.id,
      roles: ['CUSTOMER'],
      iss: 'shop-auth',
      aud: 'shop',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect(payload.iat!).toBeGreaterThanOrEqual(before);
    // ACCESS_TOKEN_TTL (300 here): what `expiresIn` says is what `exp` says.
    expect(payload.exp! - payload.iat!).toBe(300);
    const login = await auth.request(REGISTER, { input: newCustomer() });
    expect(login.data.register.expiresIn).toBe(300);
  });

  it('is accepted by the platform verifier other subgraphs use, and a tampered or foreign one is not', async () => {
    const customer = await registerCustomer(auth);
    const verify = createJwtVerifier({ jwks: new URL(auth.jwksUrl), issuer: 'shop-auth', audience: 'shop' });
    await expect(verify(customer.accessToken)).resolves.toMatchObject({
      id: customer.id,
      roles: ['CUSTOMER'],
    });

    const [header, payload, signature] = customer.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const promoted = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'] })).toString('base64url')}.${signature}`;
    await expect(verify(promoted)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    const otherAudience = createJwtVerifier({
      jwks: new URL(auth.jwksUrl),
      issuer: 'shop-auth',
      audience: 'elsewhere',
    });
    await expect(otherAudience(customer.accessToken)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });

    // The subgraph itself verifies with its own keys: the real token is taken, the forged one refused.
    const representations = [{ __typename: 'User', id: customer.id }];
    expect(
      (await auth.request(USER_ENTITIES, { representations }, customer.accessToken)).errors,
    ).toBeUndefined();
    const forged = await auth.request(USER_ENTITIES, { representations }, promoted);
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);
    expect(forged.data).toBeUndefined();
    // A token from another issuer's key (the test issuer's) is foreign here.
    const foreign = await auth.request(
      USER_ENTITIES,
      { representations },
      await auth.issuer.token(customer.id),
    );
    expect(errorCodes(foreign)).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps one signing key across restarts and replicas sharing the database', async () => {
    const kidOf = async (url: string) =>
      ((await (await fetch(url)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const first = await kidOf(auth.jwksUrl);
    // A second replica on the same runtime and database: same keys, and its tokens verify with the first's JWKS.
    const replica = buildApp(auth.runtime, testOptions());
    const { url } = await replica.service.listen(0, '127.0.0.1');
    try {
      expect(await kidOf(`${url}/.well-known/jwks.json`)).toEqual(first);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: REGISTER, variables: { input: newCustomer() } }),
      });
      const { data } = (await response.json()) as { data: { register: { accessToken: string } } };
      expect(decodeProtectedHeader(data.register.accessToken).kid).toBe(first[0]);
      await jwtVerify(data.register.accessToken, createRemoteJWKSet(new URL(auth.jwksUrl)));
    } finally {
      await replica.service.close();
    }
    const [row] = await auth.runtime.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from signing_key');
    expect(Number(row!.n)).toBe(1);
  });
});

describe('signing keys at rest', () => {
  it('stores the private key encrypted when SIGNING_KEY_SECRET is set, and never serves it', async () => {
    const secret = 'a-test-secret-that-is-long-enough-0123456789';
    const auth = await startTestSubgraph({
      name: 'auth',
      entities,
      migrations,
      redis: true,
      redisKeyPrefix: `auth-test-keys-${Date.now()}:`,
      consumers: false,
      buildApp: (runtime) => buildApp(runtime, testOptions({ signingKeySecret: secret })),
    });
    try {
      const customer = await registerCustomer(auth);
      const [row] = await auth.runtime.orm.em
        .fork()
        .getConnection()
        .execute<{ private_key: string; private_key_encryption: string }[]>(
          'select private_key, private_key_encryption from signing_key',
        );
      expect(row!.private_key_encryption).toBe('aes-256-gcm');
      expect(row!.private_key).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row!.private_key).not.toContain('"d"');
      const base = auth.url.replace(/\/graphql$/, '');
      const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).text();
      expect(jwks).not.toMatch(/"d"\s*:/);
      await jwtVerify(customer.accessToken, createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)));

      // A replica without the secret cannot use the key (and says why), rather than making another one.
      const replica = buildApp(auth.runtime, testOptions());
      const { url } = await replica.service.listen(0, '127.0.0.1');
      try {
        expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(503);
      } finally {
        await replica.service.close();
      }
    } finally {
      await auth.stop();
    }
  });
});
