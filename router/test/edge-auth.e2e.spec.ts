import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, errorCodes, graphql } from '@shop/platform/testing';
import { startStack, type Stack } from './fixtures.js';

describe('router: tokens at the edge, @authenticated and @requiresScopes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  /** Sends `query` with the raw `authorization` header value and says whether any subgraph was called. */
  async function send(query: string, authorization?: string) {
    const before = stack.subgraphCalls();
    const response = await graphql(
      stack.router.graphqlUrl,
      query,
      {},
      { headers: authorization ? { authorization } : {} },
    );
    return { response, subgraphCalled: stack.subgraphCalls() > before };
  }

  it('verifies a valid token against the JWKS URL and forwards it', async () => {
    const token = await stack.issuer.token('u1');
    const { response } = await send('{ me { name email } }', `Bearer ${token}`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ me: { name: 'Ada', email: 'ada@example.com' } });
    expect(stack.jwks.requests()).toBeGreaterThanOrEqual(1);
  });

  it('lets anonymous requests through to unprotected fields', async () => {
    const { response, subgraphCalled } = await send('{ ping product(id: "p1") { name } }');
    expect(response.data).toEqual({ ping: 'pong', product: { name: 'Lamp' } });
    expect(subgraphCalled).toBe(true);
  });

  it.each([
    [
      'an expired token',
      async () => `Bearer ${await stack.issuer.token('u1', { expiresIn: -60 })}`,
      'Access token expired',
    ],
    [
      'a tampered token',
      async () => {
        const [header, , signature] = (await stack.issuer.token('u1')).split('.');
        const forged = Buffer.from(JSON.stringify({ sub: 'u2', roles: ['ADMIN'], exp: 9999999999 })).toString(
          'base64url',
        );
        return `Bearer ${header}.${forged}.${signature}`;
      },
      'Invalid access token',
    ],
    [
      'a token signed with another key',
      async () => `Bearer ${await (await createTestIssuer()).token('u1')}`,
      'Invalid access token',
    ],
    ['a malformed token', async () => 'Bearer not-a-jwt', 'Invalid access token'],
    [
      'a header that is not a bearer token',
      async () => 'Basic dXNlcjpwYXNz',
      'Authorization header must be "Bearer <token>"',
    ],
  ])(
    'refuses %s with UNAUTHENTICATED (401) before any subgraph is called',
    async (_case, authorization, message) => {
      const { response, subgraphCalled } = await send('{ ping }', await authorization());
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.errors).toEqual([{ message, extensions: { code: 'UNAUTHENTICATED' } }]);
      expect(response.data).toBeUndefined();
      expect(subgraphCalled).toBe(false);
    },
  );

  it('refuses an anonymous caller touching an @authenticated field, whole, before planning', async () => {
    const { response, subgraphCalled } = await send('{ ping me { name } }');
    expect(response.status).toBe(401);
    expect(response.errors).toEqual([
      { message: 'Authentication required for Query.me', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(subgraphCalled).toBe(false);
  });

  it('protects @authenticated fields of an entity reached from another subgraph', async () => {
    const anonymous = await send('{ product(id: "p1") { createdBy { email } } }');
    expect(errorCodes(anonymous.response)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.subgraphCalled).toBe(false);
    const signedIn = await send(
      '{ product(id: "p1") { createdBy { email } } }',
      `Bearer ${await stack.issuer.token('u2')}`,
    );
    expect(signedIn.response.data).toEqual({ product: { createdBy: { email: 'ada@example.com' } } });
  });

  it('enforces @requiresScopes with the token roles: FORBIDDEN (403) for a customer, allowed for an admin', async () => {
    const customer = await send('{ users { id } }', `Bearer ${await stack.issuer.token('u1')}`);
    expect(customer.response.status).toBe(403);
    expect(customer.response.errors).toEqual([
      { message: 'Query.users requires the scopes ADMIN', extensions: { code: 'FORBIDDEN' } },
    ]);
    expect(customer.subgraphCalled).toBe(false);
    const anonymous = await send('{ users { id } }');
    expect(errorCodes(anonymous.response)).toEqual(['UNAUTHENTICATED']);
    expect(anonymous.subgraphCalled).toBe(false);
    const admin = await send(
      '{ users { id } }',
      `Bearer ${await stack.issuer.token('u2', { roles: ['ADMIN'] })}`,
    );
    expect(admin.response.errors).toBeUndefined();
    expect(admin.response.data).toEqual({ users: [{ id: 'u1' }, { id: 'u2' }] });
  });
});
