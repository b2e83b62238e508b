import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql } from '@shop/platform/testing';
import { startRouter, startStack, type Stack } from './fixtures.js';

describe('router: operation limits (defaults: depth 12, aliases 30, cost 5000, 64 KiB)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  async function refusedBeforeSubgraphs(query: string, limit: string, max: number) {
    const before = stack.subgraphCalls();
    const response = await graphql(stack.router.graphqlUrl, query);
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.message).toMatch(new RegExp(`exceeds the limit of ${max}$`));
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit, max });
    expect(stack.subgraphCalls()).toBe(before);
  }

  it('serves an operation within every limit', async () => {
    const response = await graphql(
      stack.router.graphqlUrl,
      '{ a: ping b: ping product(id: "p1") { related(first: 5) { name } } }',
    );
    expect(response.errors).toBeUndefined();
  });

  it('refuses an operation deeper than 12', async () => {
    const nested = (levels: number) =>
      `{ product(id: "p1") { ${'related(first: 1) { '.repeat(levels)}name${' }'.repeat(levels)} } }`;
    expect((await graphql(stack.router.graphqlUrl, nested(10))).errors).toBeUndefined(); // depth 12
    await refusedBeforeSubgraphs(nested(11), 'depth', 12);
  });

  it('refuses more than 30 aliases', async () => {
    await refusedBeforeSubgraphs(
      `{ ${Array.from({ length: 31 }, (_, i) => `p${i}: ping`).join(' ')} }`,
      'aliases',
      30,
    );
  });

  it('refuses an operation costing more than 5000', async () => {
    // 1 + 100 * (1 + 100 * 1) = 10101
    await refusedBeforeSubgraphs('{ products(first: 100) { related(first: 100) { name } } }', 'cost', 5000);
    // Lists without first/last count 10 each: 1 + 10 * (1 + 10 * (1 + 10 * (1 + 10))) = 11111
    await refusedBeforeSubgraphs('{ products { related { related { related { name } } } } }', 'cost', 5000);
  });

  it('refuses a POST body over 64 KiB with 413 and the size limit', async () => {
    const before = stack.subgraphCalls();
    const padding = ' '.repeat(70 * 1024);
    const response = await fetch(stack.router.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ ping ${padding}}` }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = (await response.json()) as {
      errors: { message: string; extensions: Record<string, unknown> }[];
    };
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'size',
      max: 65536,
    });
    expect(body.errors[0]!.message).toMatch(/request size in bytes \d+ exceeds the limit of 65536/);
    expect(stack.subgraphCalls()).toBe(before);
  });

  it('refuses a GET whose URL is over the limit', async () => {
    const before = stack.subgraphCalls();
    // Node's default header limit (16 KiB) is below 64 KiB, so a small limit shows the router's own check.
    const small = await startRouter({
      supergraphPath: stack.file.path,
      jwksUrl: stack.jwks.url,
      issuer: stack.issuer,
      limits: { maxRequestBytes: 1024 },
    });
    try {
      const query = encodeURIComponent(`{ ping ${'#'.repeat(1100)}\n}`);
      const response = await fetch(`${small.graphqlUrl}?query=${query}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(response.status).toBe(413);
      expect(
        ((await response.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions,
      ).toMatchObject({
        code: 'OPERATION_LIMIT_EXCEEDED',
        limit: 'size',
        max: 1024,
      });
      expect(stack.subgraphCalls()).toBe(before);
    } finally {
      await small.stop();
    }
  });

  it('counts refusals in graphql_errors_total', async () => {
    const text = await (await fetch(`${stack.router.url}/metrics`)).text();
    expect(text).toMatch(/graphql_errors_total\{[^}]*code="OPERATION_LIMIT_EXCEEDED"[^}]*\} [1-9]/);
  });
});
