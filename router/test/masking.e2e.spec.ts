import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql } from '@shop/platform/testing';
import { startStack, type Stack } from './fixtures.js';

/** POSTs `query` and returns the parsed body and its raw text. */
async function raw(url: string, query: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text,
    body: JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions?: unknown }[] },
  };
}

describe('router: error masking in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ production: true });
  });
  afterAll(() => stack?.stop());

  it("reduces a subgraph's internal error to a generic message with code and serviceName", async () => {
    const { text, body } = await raw(stack.router.graphqlUrl, '{ ping boom }');
    expect(body.data).toEqual({ ping: 'pong', boom: null });
    expect(body.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'accounts' },
      },
    ]);
    expect(text).not.toMatch(/postgres|10\.0\.0\.7|relation|stacktrace/);
  });

  it('keeps contract errors of subgraphs and the edge as they are', async () => {
    const { body } = await raw(stack.router.graphqlUrl, '{ me { name } }');
    expect(body.errors).toEqual([
      { message: 'Authentication required for Query.me', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('hides schema suggestions and introspection, and serves no Sandbox', async () => {
    const typo = await graphql(stack.router.graphqlUrl, '{ pin }');
    expect(typo.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const introspection = await graphql(stack.router.graphqlUrl, '{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await (await fetch(stack.router.graphqlUrl, { headers: { accept: 'text/html' } })).text();
    expect(page).not.toMatch(/new window.EmbeddedSandbox/);
  });

  it('masks a subgraph that cannot be reached: no host, port or errno, just code and serviceName', async () => {
    await stack.catalog.stop();
    const { text, body, status } = await raw(stack.router.graphqlUrl, '{ ping product(id: "p1") { name } }');
    expect(body.data).toEqual({ ping: 'pong', product: null });
    // Partly served: 200 with the data that is there.
    expect(status).toBe(200);
    expect(body.errors).toEqual([
      {
        message: 'Subgraph "catalog" is unavailable',
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'catalog' },
      },
    ]);
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|:\d{4,5}/);
  });
});

describe('router: errors in development', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ production: false });
  });
  afterAll(() => stack?.stop());

  it("keeps a subgraph's message for debugging but never a stack trace or the subgraph's URL", async () => {
    const { text, body } = await raw(stack.router.graphqlUrl, '{ boom }');
    expect(body.errors?.[0]?.message).toMatch(/relation "users" does not exist/);
    expect(text).not.toMatch(/stacktrace/);
    await stack.catalog.stop();
    const down = await raw(stack.router.graphqlUrl, '{ product(id: "p1") { name } }');
    expect(down.body.errors).toEqual([
      {
        message: 'Subgraph "catalog" request failed',
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'catalog' },
      },
    ]);
    // Nothing served, and retrying may help: 503 with Retry-After.
    expect([down.status, down.retryAfter]).toEqual([503, '1']);
  });
});
