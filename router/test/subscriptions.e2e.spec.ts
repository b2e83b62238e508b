import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, metricsText, metricSum, waitFor, type TestIssuer } from '@shop/platform/testing';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import {
  composeSupergraph,
  serveJwks,
  startAccounts,
  startCatalog,
  startRouter,
  startTracking,
  supergraphFileOf,
  type FixtureSubgraph,
  type TestRouter,
  type TrackingSubgraph,
} from './fixtures.js';

/** What one subscription received, and how it ended. */
interface Received {
  results: ExecutionResult[];
  ended: Promise<'complete' | { error: unknown }>;
  dispose: () => void;
}

function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}): Received {
  const results: ExecutionResult[] = [];
  let dispose: () => void = () => undefined;
  const ended = new Promise<'complete' | { error: unknown }>((resolve) => {
    dispose = client.subscribe(
      { query, variables },
      {
        next: (value) => void results.push(value as ExecutionResult),
        error: (error) => resolve({ error }),
        complete: () => resolve('complete'),
      },
    );
  });
  return { results, ended, dispose };
}

/** The close code and reason a raw socket ends with. */
function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

const PARCEL = `subscription($id: ID!) { parcelMoved(id: $id) { id status product { id name } } }`;

describe('router: subscriptions over graphql-ws', () => {
  let issuer: TestIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let accounts: FixtureSubgraph;
  let catalog: FixtureSubgraph;
  let tracking: TrackingSubgraph;
  let file: Awaited<ReturnType<typeof supergraphFileOf>>;
  let router: TestRouter;
  let wsUrl: string;
  const clients: Client[] = [];

  const client = (token?: string, options: { retry?: boolean } = {}) => {
    const created = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: options.retry ? 5 : 0,
      connectionParams: async () => (token ? { authorization: `Bearer ${token}` } : {}),
      onNonLazyError: () => undefined,
    });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    issuer = await createTestIssuer();
    jwks = await serveJwks(issuer);
    accounts = await startAccounts(issuer);
    catalog = await startCatalog(issuer);
    tracking = await startTracking(issuer);
    file = await supergraphFileOf([accounts, catalog, tracking]);
    router = await startRouter({
      supergraphPath: file.path,
      jwksUrl: jwks.url,
      issuer,
      supergraphWatch: { debounceMs: 50, pollIntervalMs: 500 },
      websocket: {
        connectionInitTimeoutMs: 500,
        maxSubscriptionsPerConnection: 3,
        maxConnectionsPerViewer: 2,
        maxBufferedEvents: 5,
        keepAliveMs: 1_000,
      },
      upstreamRetry: { initialMs: 50, maxMs: 200 },
    });
    wsUrl = router.graphqlUrl.replace('http:', 'ws:');
  });
  /** A router series' value (summed over its labels, or those with `subgraph`); 0 when absent. */
  const metric = async (name: string, subgraph?: string, from: TestRouter = router) =>
    metricSum(await metricsText(from.graphqlUrl), name, subgraph ? { subgraph } : {}) || 0;

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await router?.stop();
    await Promise.all([accounts?.stop(), catalog?.stop(), tracking?.stop(), jwks?.stop()]);
    await file?.remove();
  });

  it('sends the current state, then each event with fields of other subgraphs, then completes', async () => {
    tracking.move({ id: 'x1', status: 'LABELLED', product: { id: 'p1' } });
    const ada = client(await issuer.token('u1'));
    const parcel = subscribe(ada, PARCEL, { id: 'x1' });
    await waitFor(() => parcel.results.length === 1, 10_000, 'the current state');
    tracking.move({ id: 'x1', status: 'IN_TRANSIT', product: { id: 'p2' } });
    tracking.move({ id: 'x1', status: 'DELIVERED', product: { id: 'p2' } });
    expect(await parcel.ended).toBe('complete');
    expect(parcel.results).toEqual([
      { data: { parcelMoved: { id: 'x1', status: 'LABELLED', product: { id: 'p1', name: 'Lamp' } } } },
      { data: { parcelMoved: { id: 'x1', status: 'IN_TRANSIT', product: { id: 'p2', name: 'Desk' } } } },
      { data: { parcelMoved: { id: 'x1', status: 'DELIVERED', product: { id: 'p2', name: 'Desk' } } } },
    ]);
    await waitFor(() => tracking.subscribers === 0, 10_000, 'the upstream subscription to end');
  });

  it('runs queries and mutations over the same socket, through the same pipeline as HTTP', async () => {
    const ada = client(await issuer.token('u1'));
    const query = await new Promise<ExecutionResult>((resolve, reject) => {
      ada.subscribe(
        { query: '{ me { name } product(id: "p1") { name createdBy { name } } }' },
        {
          next: (value) => resolve(value as ExecutionResult),
          error: reject,
          complete: () => undefined,
        },
      );
    });
    expect(query).toEqual({
      data: { me: { name: 'Ada' }, product: { name: 'Lamp', createdBy: { name: 'Ada' } } },
    });
    const anonymous = client();
    const refused = await new Promise<ExecutionResult>((resolve, reject) => {
      anonymous.subscribe(
        { query: '{ me { name } }' },
        { next: (v) => resolve(v as ExecutionResult), error: reject, complete: () => undefined },
      );
    });
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a subscription sent over HTTP with 400 BAD_REQUEST naming the WebSocket transport, and subscribes to nothing', async () => {
    const response = await fetch(router.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.token('u1')}` },
      body: JSON.stringify({ query: PARCEL, variables: { id: 'x1' } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message:
            'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql, not over HTTP',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    expect(tracking.subscribers).toBe(0);
  });

  it('refuses an anonymous subscription to an @authenticated field, and invalid documents, with codes', async () => {
    const anonymous = client();
    const refused = subscribe(anonymous, PARCEL, { id: 'x1' });
    const outcome = (await refused.ended) as { error: { extensions?: { code?: string } }[] };
    expect(outcome.error.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const invalid = subscribe(anonymous, 'subscription { parcelMoved(id: "x1") { nope } }');
    const invalidOutcome = (await invalid.ended) as { error: { extensions?: { code?: string } }[] };
    expect(invalidOutcome.error.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(tracking.subscribers).toBe(0);
  });

  it('closes the socket with 4403 for a bad token and 4408 without connection_init', async () => {
    const bad = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => bad.once('open', resolve));
    const badClosed = closed(bad);
    bad.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } }));
    expect((await badClosed).code).toBe(4403);

    const expired = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => expired.once('open', resolve));
    const expiredClosed = closed(expired);
    const old = await issuer.token('u1', { expiresIn: -10 });
    expired.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${old}` } }));
    expect((await expiredClosed).code).toBe(4403);

    const silent = new WebSocket(wsUrl, 'graphql-transport-ws');
    expect((await closed(silent)).code).toBe(4408);
  });

  it('ends a subscription when its token expires', async () => {
    tracking.move({ id: 'x2', status: 'LABELLED', product: { id: 'p1' } });
    const shortLived = client(await issuer.token('u-expiring', { expiresIn: 2 }));
    const parcel = subscribe(shortLived, PARCEL, { id: 'x2' });
    const outcome = await parcel.ended;
    // The router's timer and the subgraph's own check race to end it: either way the client gets the
    // current state, then UNAUTHENTICATED, and nothing more; the router then closes the socket with 4403.
    expect(parcel.results).toHaveLength(2);
    expect(parcel.results[0]).toEqual({
      data: { parcelMoved: { id: 'x2', status: 'LABELLED', product: { id: 'p1', name: 'Lamp' } } },
    });
    expect(parcel.results[1]?.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    if (outcome !== 'complete') expect((outcome.error as { code?: number }).code).toBe(4403);
    await waitFor(() => tracking.subscribers === 0, 10_000, 'the upstream subscription to end');
  });

  it("closes every idle connection of a token when it expires, the first to leave not taking the others' timer", async () => {
    const token = await issuer.token('u-expiring-tabs', { expiresIn: 2 });
    const open = async (params: Record<string, string>) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      const acked = new Promise((resolve) => socket.once('message', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: params }));
      expect(JSON.parse(String(await acked))).toEqual({ type: 'connection_ack' });
      return { socket, ended: closed(socket) };
    };
    // Two tabs (the most a customer may hold here), either spelling of the header; the second holds the
    // first one's copy of the token and shares its timer.
    const first = await open({ authorization: `Bearer ${token}` });
    const second = await open({ Authorization: `Bearer ${token}` });
    first.socket.close(1000);
    expect((await first.ended).code).toBe(1000);
    // No subscription: only the router's own timer closes it, with 4403.
    expect(await second.ended).toEqual({ code: 4403, reason: 'Token expired' });
  });

  it('shares one upstream subscription among subscriptions of one operation, variables and caller, replaying the current state to a late joiner', async () => {
    tracking.move({ id: 'x5', status: 'LABELLED', product: { id: 'p1' } });
    const token = await issuer.token('u-tabs');
    const [tab1, tab2] = [client(token), client(token)];
    const upstreamBefore = tracking.subscribers;
    const sharedBefore = await metric('router_upstream_subscriptions_shared_total', 'tracking');
    const resolvedBefore = await metric('router_subscription_event_duration_seconds_count');
    const first = [subscribe(tab1, PARCEL, { id: 'x5' }), subscribe(tab2, PARCEL, { id: 'x5' })];
    await waitFor(() => first.every((p) => p.results.length === 1), 10_000, 'the current state in both tabs');
    expect(tracking.subscribers).toBe(upstreamBefore + 1);
    expect(await metric('router_upstream_subscriptions', 'tracking')).toBe(1);

    // Joins the open upstream subscription: the current state comes from the router, at once.
    const late = subscribe(tab1, PARCEL, { id: 'x5' });
    await waitFor(() => late.results.length === 1, 10_000, 'the replayed state');
    expect(tracking.subscribers).toBe(upstreamBefore + 1);
    expect(await metric('router_upstream_subscriptions_shared_total', 'tracking')).toBe(sharedBefore + 2);

    // Another caller (another token) never shares: the subgraph authorizes each subscription itself.
    const other = subscribe(client(await issuer.token('u-other')), PARCEL, { id: 'x5' });
    await waitFor(() => other.results.length === 1, 10_000, "the other caller's state");
    expect(tracking.subscribers).toBe(upstreamBefore + 2);
    expect(await metric('router_upstream_subscriptions', 'tracking')).toBe(2);

    tracking.move({ id: 'x5', status: 'IN_TRANSIT', product: { id: 'p2' } });
    tracking.move({ id: 'x5', status: 'DELIVERED', product: { id: 'p2' } });
    const all = [...first, late, other];
    for (const parcel of all) expect(await parcel.ended).toBe('complete');
    // Each got every state once, resolved by its own plan, and without the subgraph's mark.
    for (const parcel of all) {
      expect(parcel.results).toEqual([
        { data: { parcelMoved: { id: 'x5', status: 'LABELLED', product: { id: 'p1', name: 'Lamp' } } } },
        { data: { parcelMoved: { id: 'x5', status: 'IN_TRANSIT', product: { id: 'p2', name: 'Desk' } } } },
        { data: { parcelMoved: { id: 'x5', status: 'DELIVERED', product: { id: 'p2', name: 'Desk' } } } },
      ]);
    }
    await waitFor(() => tracking.subscribers === upstreamBefore, 10_000, 'the upstream subscriptions to end');
    expect(await metric('router_upstream_subscriptions', 'tracking')).toBe(0);
    // Each event was resolved once for the three subscriptions of u-tabs and once for u-other's: three
    // states each, none again for the late joiner.
    expect(await metric('router_subscription_event_duration_seconds_count')).toBe(resolvedBefore + 6);
  });

  it('gives a late joiner of a shared feed only what comes after it joined, and ends the upstream with the last subscriber', async () => {
    const token = await issuer.token('u-feed');
    const socket = client(token);
    const upstreamBefore = tracking.subscribers;
    const early = subscribe(socket, 'subscription { ticks }');
    await waitFor(() => tracking.subscribers === upstreamBefore + 1, 10_000, 'the upstream subscription');
    tracking.tick(1);
    await waitFor(() => early.results.length === 1, 10_000, 'the first tick');
    const sharedBefore = await metric('router_upstream_subscriptions_shared_total', 'tracking');
    const late = subscribe(socket, 'subscription { ticks }');
    await waitFor(
      async () =>
        (await metric('router_upstream_subscriptions_shared_total', 'tracking')) === sharedBefore + 1,
      10_000,
      'the late subscription joined',
    );
    tracking.tick(2);
    await waitFor(() => early.results.length === 2 && late.results.length === 1, 10_000, 'the second tick');
    expect(early.results).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }]);
    expect(late.results).toEqual([{ data: { ticks: 2 } }]);
    expect(tracking.subscribers).toBe(upstreamBefore + 1);

    early.dispose();
    tracking.tick(3);
    await waitFor(() => late.results.length === 2, 10_000, 'the third tick');
    expect(tracking.subscribers).toBe(upstreamBefore + 1);
    late.dispose();
    await waitFor(() => tracking.subscribers === upstreamBefore, 10_000, 'the upstream subscription to end');
    expect(await metric('router_upstream_subscriptions', 'tracking')).toBe(0);
  });

  it('opens one upstream subscription per client subscription with SUBSCRIPTION_DEDUPLICATION=false', async () => {
    const alone = await startRouter({
      supergraphPath: file.path,
      jwksUrl: jwks.url,
      issuer,
      subscriptionDeduplication: false,
    });
    const socket = createClient({
      url: alone.graphqlUrl.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await issuer.token('u-alone')}` },
    });
    try {
      tracking.move({ id: 'x6', status: 'LABELLED', product: { id: 'p1' } });
      const upstreamBefore = tracking.subscribers;
      const parcels = [subscribe(socket, PARCEL, { id: 'x6' }), subscribe(socket, PARCEL, { id: 'x6' })];
      await waitFor(() => parcels.every((p) => p.results.length === 1), 10_000, 'the current state twice');
      expect(tracking.subscribers).toBe(upstreamBefore + 2);
      expect(await metric('router_upstream_subscriptions', 'tracking', alone)).toBe(2);
      tracking.move({ id: 'x6', status: 'DELIVERED', product: { id: 'p2' } });
      for (const parcel of parcels) {
        expect(await parcel.ended).toBe('complete');
        expect(parcel.results.map((r) => r.extensions)).toEqual([undefined, undefined]);
      }
      await waitFor(
        () => tracking.subscribers === upstreamBefore,
        10_000,
        'the upstream subscriptions to end',
      );
      expect(await metric('router_upstream_subscriptions', 'tracking', alone)).toBe(0);
    } finally {
      await socket.dispose();
      await alone.stop();
    }
  });

  it('caps subscriptions per connection and connections per customer', async () => {
    const token = await issuer.token('u9');
    const busy = client(token);
    const before = await metric('router_subscriptions_active');
    const ticks = [1, 2, 3].map(() => subscribe(busy, 'subscription { ticks }'));
    // One caller's three identical subscriptions: three at the router, one upstream.
    await waitFor(
      async () => (await metric('router_subscriptions_active')) === before + 3,
      10_000,
      'three subscriptions',
    );
    const fourth = subscribe(busy, 'subscription { ticks }');
    const refused = (await fourth.ended) as { error: { extensions?: { code?: string; limit?: string } }[] };
    expect(refused.error[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'subscriptions',
    });
    ticks.forEach((t) => t.dispose());

    // The customer's second connection (busy is the first), acknowledged before the third one tries:
    // otherwise the raw socket below could be counted second and this client refused instead.
    const second = client(token);
    await new Promise<void>((resolve) => second.on('connected', () => resolve()));
    const third = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => third.once('open', resolve));
    const thirdClosed = closed(third);
    third.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    expect((await thirdClosed).code).toBe(1008);
  });

  it('disconnects a client that does not read its events instead of buffering without bound', async () => {
    const slow = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => slow.once('open', resolve));
    const slowClosed = closed(slow);
    slow.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await new Promise((resolve) => slow.once('message', resolve)); // connection_ack
    slow.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' } }));
    await waitFor(() => tracking.subscribers >= 1, 10_000, 'the slow subscription');
    // Stop reading: the kernel buffers fill, the router's sends stop completing, events pile up.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const dropped = () => router.router.metrics.subscriptionEvents.get();
    for (let i = 0; i < 20_000 && slow.readyState === WebSocket.OPEN; i += 1) {
      tracking.tick(i);
      if (i % 200 === 0) await sleep(5);
    }
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slowClosed).code).toBe(1013);
    const values = (await dropped()).values;
    expect(values.find((v) => v.labels.outcome === 'dropped')?.value).toBeGreaterThan(0);
  });

  it('reconnects upstream when the subgraph restarts and the client still gets the final state', async () => {
    tracking.move({ id: 'x3', status: 'LABELLED', product: { id: 'p1' } });
    const ada = client(await issuer.token('u-restart'));
    const parcel = subscribe(ada, PARCEL, { id: 'x3' });
    await waitFor(() => parcel.results.length === 1, 10_000, 'the current state');
    const { port, parcels } = tracking;
    await tracking.stop();
    parcels.set('x3', { id: 'x3', status: 'IN_TRANSIT', product: { id: 'p1' } });
    tracking = await startTracking(issuer, { port, parcels });
    await waitFor(() => parcel.results.length === 2, 10_000, 'the state after the reconnect');
    tracking.move({ id: 'x3', status: 'DELIVERED', product: { id: 'p2' } });
    expect(await parcel.ended).toBe('complete');
    expect(
      parcel.results.map((r) => (r.data as { parcelMoved: { status: string } }).parcelMoved.status),
    ).toEqual(['LABELLED', 'IN_TRANSIT', 'DELIVERED']);
  });

  it('keeps a live subscription across a supergraph reload and resolves new events with the new plan', async () => {
    tracking.move({ id: 'x4', status: 'LABELLED', product: { id: 'p1' } });
    const ada = client(await issuer.token('u-reload'));
    const parcel = subscribe(ada, PARCEL, { id: 'x4' });
    await waitFor(() => parcel.results.length === 1, 10_000, 'the current state');
    // A new catalog version at a new URL: the reloaded plan must fetch product names there.
    const catalogV2 = await startCatalog(issuer, 2);
    try {
      const before = catalogV2.calls.length;
      const applied = async () =>
        (await router.router.metrics.supergraphReloads.get()).values.find(
          (v) => v.labels.outcome === 'applied',
        )?.value ?? 0;
      const reloadsBefore = await applied();
      await writeFile(file.path, composeSupergraph([accounts, catalogV2, tracking]));
      const deadline = Date.now() + 10_000;
      while ((await applied()) === reloadsBefore && Date.now() < deadline) await sleep(50);
      expect(await applied()).toBe(reloadsBefore + 1);
      tracking.move({ id: 'x4', status: 'DELIVERED', product: { id: 'p2' } });
      expect(await parcel.ended).toBe('complete');
      expect(parcel.results.at(-1)).toEqual({
        data: { parcelMoved: { id: 'x4', status: 'DELIVERED', product: { id: 'p2', name: 'Desk' } } },
      });
      expect(catalogV2.calls.length).toBeGreaterThan(before);
    } finally {
      await writeFile(file.path, composeSupergraph([accounts, catalog, tracking]));
      await catalogV2.stop();
    }
  });

  it('counts active subscriptions and tells clients to reconnect (1001) when it shuts down', async () => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' } }));
    const metrics = async () => (await fetch(`${router.url}/metrics`)).text();
    await waitFor(() => tracking.subscribers >= 1, 10_000, 'the subscription');
    expect(await metrics()).toMatch(/router_subscriptions_active\{[^}]*\} [1-9]/);
    const socketClosed = closed(socket);
    await router.stop();
    expect((await socketClosed).code).toBe(1001);
    await waitFor(() => tracking.subscribers === 0, 10_000, 'the upstream subscription to end');
  });
});
