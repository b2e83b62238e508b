import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, graphql } from '@shop/platform/testing';
import { startAccounts, startRouter, startStack, supergraphFileOf, type Stack } from './fixtures.js';

describe('router: HTTP surface', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ readiness: { cacheMs: 0, timeoutMs: 1000 } });
  });
  afterAll(() => stack?.stop());

  it('refuses a GET query and a text/plain POST without the CSRF preflight header', async () => {
    const before = stack.subgraphCalls();
    const get = await fetch(`${stack.router.graphqlUrl}?query=${encodeURIComponent('{ ping }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/Cross-Site Request Forgery/);
    const post = await fetch(stack.router.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ ping }' }),
    });
    expect(post.status).toBe(400);
    expect(await post.text()).toMatch(/Cross-Site Request Forgery/);
    expect(stack.subgraphCalls()).toBe(before);
    const metrics = await (await fetch(`${stack.router.url}/metrics`)).text();
    expect(metrics).toMatch(
      /graphql_errors_total\{code="BAD_REQUEST",operation="unknown",service="router"\} 2/,
    );
  });

  it('serves the Apollo Sandbox on GET /graphql and GET / for browsers', async () => {
    const sandbox = await fetch(stack.router.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(sandbox.status).toBe(200);
    expect(sandbox.headers.get('content-type')).toMatch(/text\/html/);
    expect(await sandbox.text()).toMatch(/new window.EmbeddedSandbox/);
    const root = await fetch(`${stack.router.url}/`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
    const followed = await fetch(`${stack.router.url}/`, { headers: { accept: 'text/html' } });
    expect(followed.url).toBe(stack.router.graphqlUrl);
    expect(await followed.text()).toMatch(/new window.EmbeddedSandbox/);
  });

  it('answers liveness always and readiness when every subgraph answers', async () => {
    const live = await fetch(`${stack.router.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${stack.router.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { supergraph: true, accounts: true, catalog: true },
    });
  });

  it('exposes Prometheus metrics: operations by name, subgraph fetches by subgraph, errors by code, process', async () => {
    await graphql(stack.router.graphqlUrl, 'query Joined { product(id: "p1") { name createdBy { name } } }');
    await graphql(stack.router.graphqlUrl, 'query Broken { boom }');
    const response = await fetch(`${stack.router.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /graphql_operation_duration_seconds_count\{[^}]*operation="Joined"[^}]*type="query"[^}]*\} 1/,
    );
    expect(text).toMatch(
      /subgraph_fetch_duration_seconds_count\{[^}]*subgraph="catalog"[^}]*outcome="ok"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /subgraph_fetch_duration_seconds_count\{[^}]*subgraph="accounts"[^}]*outcome="errors"[^}]*\} 1/,
    );
    expect(text).toMatch(
      /graphql_errors_total\{[^}]*code="INTERNAL_SERVER_ERROR"[^}]*operation="Broken"[^}]*\} 1/,
    );
    expect(text).toMatch(/service="router"/);
    expect(text).toMatch(/^process_cpu_seconds_total/m);
    expect(text).toMatch(/^# TYPE router_supergraph_reloads_total counter/m);
  });
});

describe('router: readiness and shutdown', () => {
  it('is not ready while a subgraph of the supergraph is down', async () => {
    const stack = await startStack({ readiness: { cacheMs: 0, timeoutMs: 1000 } });
    try {
      await stack.accounts.stop();
      const down = await fetch(`${stack.router.url}/health/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({
        status: 'unavailable',
        checks: { supergraph: true, accounts: false, catalog: true },
      });
    } finally {
      await stack.stop();
    }
  });

  it('caches the readiness report for cacheMs', async () => {
    const stack = await startStack({ readiness: { cacheMs: 60_000 } });
    try {
      expect((await fetch(`${stack.router.url}/health/ready`)).status).toBe(200);
      const probes = stack.accounts.calls.length;
      await fetch(`${stack.router.url}/health/ready`);
      await fetch(`${stack.router.url}/health/ready`);
      expect(stack.accounts.calls.length).toBe(probes);
    } finally {
      await stack.stop();
    }
  });

  it('on close fails readiness, finishes in-flight requests, then stops accepting', async () => {
    const stack = await startStack({ shutdownDelayMs: 400 });
    try {
      const inFlight = graphql(stack.router.graphqlUrl, '{ slow(ms: 700) }');
      await sleep(100);
      const closing = stack.router.router.close();
      const ready = await fetch(`${stack.router.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'shutting down' });
      // Still served while the delay runs, but on a connection the client must not reuse.
      const query = await graphql(stack.router.graphqlUrl, '{ ping }');
      expect(query.data).toEqual({ ping: 'pong' });
      expect(query.headers.get('connection')).toBe('close');
      expect((await inFlight).data).toEqual({ slow: 'slept 700' });
      await closing;
      await expect(fetch(`${stack.router.url}/health/live`)).rejects.toThrow();
    } finally {
      await stack.stop();
    }
  });

  it('refuses to start on a supergraph file that is not a supergraph', async () => {
    const issuer = await createTestIssuer();
    const accounts = await startAccounts(issuer);
    const file = await supergraphFileOf([accounts]);
    await writeFile(file.path, 'type Query { nothing: Int }');
    try {
      await expect(
        startRouter({ supergraphPath: file.path, jwksUrl: new URL('http://127.0.0.1:1/jwks'), issuer }),
      ).rejects.toThrow();
    } finally {
      await accounts.stop();
      await file.remove();
    }
  });
});
