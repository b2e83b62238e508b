import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, graphql } from '@shop/platform/testing';
import { startStack, type Stack } from './fixtures.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('router: federation over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('joins a query across subgraphs', async () => {
    const response = await graphql(
      stack.router.graphqlUrl,
      'query Joined { product(id: "p1") { name createdBy { name } } }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ product: { name: 'Lamp', createdBy: { name: 'Ada' } } });
  });

  it("forwards the caller's token, request id, trace context and address to every subgraph fetch", async () => {
    const token = await stack.issuer.token('u2');
    const before = { accounts: stack.accounts.calls.length, catalog: stack.catalog.calls.length };
    const response = await graphql(
      stack.router.graphqlUrl,
      '{ whoami product(id: "p1") { createdBy { name } } }',
      {},
      {
        token,
        headers: {
          'x-request-id': 'client-request-42',
          traceparent: TRACEPARENT,
          tracestate: 'vendor=abc',
          'x-forwarded-for': '6.6.6.6',
        },
      },
    );
    expect(response.data).toEqual({ whoami: 'u2', product: { createdBy: { name: 'Ada' } } });
    expect(response.headers.get('x-request-id')).toBe('client-request-42');
    const calls = [
      ...stack.accounts.calls.slice(before.accounts),
      ...stack.catalog.calls.slice(before.catalog),
    ];
    // whoami + the User entity fetch on accounts, product on catalog.
    expect(calls.length).toBe(3);
    for (const { headers } of calls) {
      expect(headers.authorization).toBe(`Bearer ${token}`);
      expect(headers['x-request-id']).toBe('client-request-42');
      expect(headers.traceparent).toBe(TRACEPARENT);
      expect(headers.tracestate).toBe('vendor=abc');
      // A client-supplied x-forwarded-for is not trusted by default: the peer address replaces it.
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    }
  });

  it('generates a request id and starts a trace when the client sends neither, one per request', async () => {
    const before = stack.accounts.calls.length;
    const first = await graphql(stack.router.graphqlUrl, '{ ping }');
    const second = await graphql(stack.router.graphqlUrl, '{ ping }');
    const [a, b] = stack.accounts.calls.slice(before);
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a!.headers['x-request-id']).toBe(first.headers.get('x-request-id'));
    expect(b!.headers['x-request-id']).toBe(second.headers.get('x-request-id'));
    expect(a!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(a!.headers.traceparent).not.toBe(b!.headers.traceparent);
    expect(a!.headers.authorization).toBeUndefined();
    expect(a!.headers.tracestate).toBeUndefined();
  });

  it('reuses keep-alive connections to a subgraph', async () => {
    const before = stack.catalog.connections;
    for (let i = 0; i < 10; i++) {
      const response = await graphql(stack.router.graphqlUrl, '{ product(id: "p2") { name } }');
      expect(response.data).toEqual({ product: { name: 'Desk' } });
    }
    // Ten sequential fetches over at most one new connection (none when the pool already had one).
    expect(stack.catalog.connections - before).toBeLessThanOrEqual(1);
  });

  it('serves queries over GET with the preflight header and refuses mutations over GET', async () => {
    const query = encodeURIComponent('{ ping }');
    const get = await fetch(`${stack.router.graphqlUrl}?query=${query}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { ping: 'pong' } });
    const before = stack.subgraphCalls();
    const mutation = await fetch(
      `${stack.router.graphqlUrl}?query=${encodeURIComponent('mutation { touch }')}`,
      {
        headers: { 'apollo-require-preflight': 'true' },
      },
    );
    expect(mutation.status).toBe(405);
    expect(stack.subgraphCalls()).toBe(before);
  });

  it('answers parse and validation errors with Apollo codes without calling a subgraph', async () => {
    const before = stack.subgraphCalls();
    expect(errorCodes(await graphql(stack.router.graphqlUrl, '{ ping'))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(errorCodes(await graphql(stack.router.graphqlUrl, '{ nope }'))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(stack.subgraphCalls()).toBe(before);
  });
});
