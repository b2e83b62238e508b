import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, loadConfig } from '@shop/platform/edge';
import { createTestIssuer, errorCodes, graphql, waitFor, type TestIssuer } from '@shop/platform/testing';
import { createClient, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { buildRouter, type Router } from '../src/app.js';
import { routerEnv, routerOptionsFrom } from '../src/config.js';
import {
  composeSupergraph,
  deadUrl,
  serveJwks,
  startAccounts,
  startCatalog,
  startTracking,
  supergraphFileOf,
  type FixtureSubgraph,
  type TrackingSubgraph,
} from './fixtures.js';

const logger = createLogger('router', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * The routing URLs in the composed file point where nothing listens (as the committed supergraph's
 * 127.0.0.1 URLs do inside a Kubernetes pod); SUBGRAPH_URL_<NAME> in the router's environment points at
 * the real subgraphs. The router is built from that environment exactly as main.ts builds it.
 */
describe('router: SUBGRAPH_URL_<NAME> overrides the supergraph routing URLs', () => {
  let issuer: TestIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let accounts: FixtureSubgraph;
  let catalog: FixtureSubgraph;
  let tracking: TrackingSubgraph;
  let file: Awaited<ReturnType<typeof supergraphFileOf>>;
  let overridden: { router: Router; url: string };
  let plain: { router: Router; url: string };

  const composedAtDeadUrls = async () =>
    composeSupergraph([
      { name: 'accounts', url: await deadUrl(), sdl: accounts.sdl },
      { name: 'catalog', url: await deadUrl(), sdl: catalog.sdl },
      { name: 'tracking', url: await deadUrl(), sdl: tracking.sdl },
    ]);

  const start = async (env: NodeJS.ProcessEnv) => {
    const router = buildRouter(
      routerOptionsFrom(
        loadConfig(routerEnv, {
          SUPERGRAPH_PATH: file.path,
          SUPERGRAPH_POLL_INTERVAL_MS: '200',
          AUTH_JWKS_URL: jwks.url.toString(),
          JWT_ISSUER: issuer.issuer,
          JWT_AUDIENCE: issuer.audience,
          READINESS_CACHE_MS: '0',
          ...env,
        }),
        logger,
      ),
    );
    const { url } = await router.listen(0, '127.0.0.1');
    return { router, url };
  };

  beforeAll(async () => {
    issuer = await createTestIssuer();
    jwks = await serveJwks(issuer);
    accounts = await startAccounts(issuer);
    catalog = await startCatalog(issuer);
    tracking = await startTracking(issuer);
    file = await supergraphFileOf([
      { name: 'accounts', url: await deadUrl(), sdl: accounts.sdl },
      { name: 'catalog', url: await deadUrl(), sdl: catalog.sdl },
      { name: 'tracking', url: await deadUrl(), sdl: tracking.sdl },
    ]);
  });
  afterAll(async () => {
    await overridden?.router.close();
    await plain?.router.close();
    await Promise.all([accounts?.stop(), catalog?.stop(), tracking?.stop(), jwks?.stop()]);
    await file?.remove();
  });

  it('sends query fetches, readiness probes and subscription upstreams to the overriding URLs', async () => {
    // Without overrides the router follows the file and reaches nothing: the control.
    plain = await start({});
    const unreachable = await graphql(`${plain.url}/graphql`, '{ product(id: "p1") { name } }');
    expect(errorCodes(unreachable)).toEqual(['SUBREQUEST_HTTP_ERROR']);
    expect((await fetch(`${plain.url}/health/ready`)).status).toBe(503);

    overridden = await start({
      SUBGRAPH_URL_ACCOUNTS: accounts.url,
      SUBGRAPH_URL_CATALOG: catalog.url,
      SUBGRAPH_URL_TRACKING: tracking.url,
    });

    // Queries: a plan across two subgraphs, both at their overriding URLs.
    const accountsBefore = accounts.calls.length;
    const catalogBefore = catalog.calls.length;
    const answer = await graphql(
      `${overridden.url}/graphql`,
      '{ product(id: "p1") { name createdBy { id name } } }',
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ product: { name: 'Lamp', createdBy: { id: 'u1', name: 'Ada' } } });
    expect(catalog.calls.length).toBeGreaterThan(catalogBefore);
    expect(accounts.calls.length).toBeGreaterThan(accountsBefore);

    // Readiness probes every subgraph at its overriding URL.
    const ready = await fetch(`${overridden.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ok',
      checks: { supergraph: true, accounts: true, catalog: true, tracking: true },
    });

    // Subscriptions: the upstream graphql-ws connection goes to the overriding URL's ws: form.
    const client = createClient({
      url: `${overridden.url.replace('http:', 'ws:')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const results: ExecutionResult[] = [];
    const dispose = client.subscribe(
      { query: 'subscription { ticks }' },
      { next: (value) => void results.push(value as ExecutionResult), error: () => {}, complete: () => {} },
    );
    try {
      await waitFor(() => tracking.subscribers === 1, 8_000, 'the subscription to reach tracking');
      tracking.tick(7);
      await waitFor(() => results.length === 1, 8_000, 'the event');
      expect(results).toEqual([{ data: { ticks: 7 } }]);
    } finally {
      dispose();
      await client.dispose();
    }
  });

  it('keeps overriding after the supergraph file is reloaded with other routing URLs', async () => {
    const reloads = async () => {
      const text = await (await fetch(`${overridden.url}/metrics`)).text();
      return Number(
        /router_supergraph_reloads_total\{[^}]*outcome="applied"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    };
    const before = await reloads();
    await writeFile(file.path, await composedAtDeadUrls());
    await waitFor(async () => (await reloads()) === before + 1, 8_000, 'the reload');

    const catalogBefore = catalog.calls.length;
    const answer = await graphql(`${overridden.url}/graphql`, '{ product(id: "p2") { name } }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ product: { name: 'Desk' } });
    expect(catalog.calls.length).toBeGreaterThan(catalogBefore);
    expect((await fetch(`${overridden.url}/health/ready`)).status).toBe(200);
  });
});
