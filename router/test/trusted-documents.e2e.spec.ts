import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestIssuer, waitFor, type TestIssuer } from '@shop/platform/testing';
import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import {
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const PING = 'query Ping {\n  ping\n}';
const PRODUCT =
  'query Product($id: ID!) {\n  product(id: $id) {\n    name\n    createdBy {\n      name\n    }\n  }\n}';
const TICKS = 'subscription Ticks {\n  ticks\n}';
const operations = [
  { id: sha256(PING), name: 'Ping', type: 'query', body: PING },
  // Ids are the manifest's to choose: not every list uses the body's hash.
  { id: 'product-page-v1', name: 'Product', type: 'query', body: PRODUCT },
  { id: sha256(TICKS), name: 'Ticks', type: 'subscription', body: TICKS },
];
const manifest = { format: 'apollo-persisted-query-manifest', version: 1, operations };
const byId = (id: string) => ({ persistedQuery: { version: 1, sha256Hash: id } });

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post(router: TestRouter, body: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(router.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function get(router: TestRouter, params: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${router.graphqlUrl}?${new URLSearchParams(params)}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;

async function refusals(router: TestRouter, code: string): Promise<number> {
  const text = await router.router.metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('graphql_errors_total{') && l.includes(`code="${code}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The first result of one operation over graphql-ws, or the errors it was refused with. */
function once(client: Client, payload: { query: string; extensions?: Record<string, unknown> }) {
  return new Promise<ExecutionResult | { refused: unknown }>((resolve) => {
    const dispose = client.subscribe(payload, {
      next: (value) => {
        resolve(value as ExecutionResult);
        dispose();
      },
      error: (error) => resolve({ refused: error }),
      complete: () => undefined,
    });
  });
}

describe('router: trusted documents (TRUSTED_DOCUMENTS)', () => {
  let issuer: TestIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let accounts: FixtureSubgraph;
  let catalog: FixtureSubgraph;
  let tracking: TrackingSubgraph;
  let file: Awaited<ReturnType<typeof supergraphFileOf>>;
  let dir: string;
  let manifestPath: string;
  let trusted: TestRouter;
  let idsOnly: TestRouter;
  let open: TestRouter;
  const clients: Client[] = [];
  const subgraphCalls = () => accounts.calls.length + catalog.calls.length;
  const wsClient = (router: TestRouter) => {
    const client = createClient({
      url: router.graphqlUrl.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    issuer = await createTestIssuer();
    jwks = await serveJwks(issuer);
    accounts = await startAccounts(issuer);
    catalog = await startCatalog(issuer);
    tracking = await startTracking(issuer);
    file = await supergraphFileOf([accounts, catalog, tracking]);
    dir = await mkdtemp(join(tmpdir(), 'trusted-documents-'));
    manifestPath = join(dir, 'persisted-query-manifest.json');
    await writeFile(manifestPath, JSON.stringify(manifest));
    const common = { supergraphPath: file.path, jwksUrl: jwks.url, issuer };
    trusted = await startRouter({ ...common, trustedDocuments: { manifests: [manifestPath] } });
    idsOnly = await startRouter({
      ...common,
      trustedDocuments: { manifests: [manifestPath], requireId: true },
    });
    open = await startRouter(common);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await Promise.all([trusted?.stop(), idsOnly?.stop(), open?.stop()]);
    await Promise.all([accounts?.stop(), catalog?.stop(), tracking?.stop(), jwks?.stop()]);
    await file?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a listed operation by its id, over POST and GET, whatever the id looks like', async () => {
    await expect(post(trusted, { extensions: byId(sha256(PING)) })).resolves.toEqual({
      status: 200,
      body: { data: { ping: 'pong' } },
    });
    await expect(
      post(trusted, { variables: { id: 'p1' }, extensions: byId('product-page-v1') }),
    ).resolves.toEqual({
      status: 200,
      body: { data: { product: { name: 'Lamp', createdBy: { name: 'Ada' } } } },
    });
    await expect(
      get(trusted, { extensions: JSON.stringify(byId(sha256(PING))), operationName: 'Ping' }),
    ).resolves.toEqual({ status: 200, body: { data: { ping: 'pong' } } });
  });

  it('runs a listed document sent in full, however it is spaced or commented', async () => {
    const reformatted = '# the header check\nquery Ping{ping,}';
    await expect(post(trusted, { query: reformatted })).resolves.toEqual({
      status: 200,
      body: { data: { ping: 'pong' } },
    });
    // The body sent along with its id must be the listed one.
    await expect(post(trusted, { query: PING, extensions: byId(sha256(PING)) })).resolves.toMatchObject({
      status: 200,
    });
  });

  it('refuses any other operation with 400 before a subgraph is called, and counts the refusal', async () => {
    const before = subgraphCalls();
    const counted = await refusals(trusted, 'QUERY_NOT_IN_SAFELIST');
    for (const query of [
      '{ ping }',
      'query Ping { ping whoami }',
      '{ __schema { types { name } } }',
      'not graphql {',
    ]) {
      const answer = await post(trusted, { query });
      expect(answer.status).toBe(400);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors).toEqual([
        {
          message: 'This operation is not one of the trusted documents this server runs',
          extensions: { code: 'QUERY_NOT_IN_SAFELIST' },
        },
      ]);
    }
    const viaGet = await get(trusted, { query: '{ ping }' });
    expect([viaGet.status, codeOf(viaGet)]).toEqual([400, 'QUERY_NOT_IN_SAFELIST']);
    expect(await refusals(trusted, 'QUERY_NOT_IN_SAFELIST')).toBe(counted + 5);
    expect(subgraphCalls()).toBe(before);
  });

  it('refuses an unknown id, a listed id sent with another document, and a malformed persistedQuery', async () => {
    const before = subgraphCalls();
    const unknown = await post(trusted, { extensions: byId(sha256('{ ping }')) });
    expect(unknown).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'This persisted query id is not one of the trusted documents this server runs',
            extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
          },
        ],
      },
    });
    // What a client registering an automatic persisted query sends: refused, nothing registered.
    const register = await post(trusted, { query: '{ whoami }', extensions: byId(sha256('{ whoami }')) });
    expect([register.status, codeOf(register)]).toEqual([400, 'PERSISTED_QUERY_NOT_IN_LIST']);
    const swapped = await post(trusted, { query: '{ whoami }', extensions: byId(sha256(PING)) });
    expect([swapped.status, codeOf(swapped)]).toEqual([400, 'PERSISTED_QUERY_NOT_IN_LIST']);
    const malformed = await post(trusted, {
      extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } },
    });
    expect([malformed.status, codeOf(malformed)]).toEqual([400, 'BAD_REQUEST']);
    expect(subgraphCalls()).toBe(before);
  });

  it('serves a listed subscription over graphql-ws and refuses unlisted subscriptions and queries there', async () => {
    const client = wsClient(trusted);
    const refusedSubscription = await once(client, { query: 'subscription { ticks }' });
    expect(refusedSubscription).toEqual({
      refused: [
        {
          message: 'This operation is not one of the trusted documents this server runs',
          extensions: { code: 'QUERY_NOT_IN_SAFELIST' },
        },
      ],
    });
    const refusedQuery = await once(client, { query: '{ whoami }' });
    expect(refusedQuery).toMatchObject({ refused: [{ extensions: { code: 'QUERY_NOT_IN_SAFELIST' } }] });
    const unknownId = await once(client, { query: '', extensions: byId('nope') });
    expect(unknownId).toMatchObject({ refused: [{ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } }] });
    expect(tracking.subscribers).toBe(0);

    await expect(once(client, { query: '', extensions: byId(sha256(PING)) })).resolves.toEqual({
      data: { ping: 'pong' },
    });
    const ticks = once(client, { query: TICKS });
    await waitFor(() => tracking.subscribers === 1, 10_000, 'the listed subscription to reach the subgraph');
    tracking.tick(7);
    await expect(ticks).resolves.toEqual({ data: { ticks: 7 } });
  });

  it('with TRUSTED_DOCUMENTS_REQUIRE_ID refuses even a listed document sent in full, and runs it by id', async () => {
    const inFull = await post(idsOnly, { query: PING });
    expect(inFull).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message:
              'This server runs operations by id only: send extensions.persistedQuery with a listed id',
            extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' },
          },
        ],
      },
    });
    await expect(post(idsOnly, { extensions: byId(sha256(PING)) })).resolves.toEqual({
      status: 200,
      body: { data: { ping: 'pong' } },
    });
  });

  it('without a list, serves any operation and automatic persisted queries (an id first, the document once)', async () => {
    const query = '{ ping whoami }';
    const first = await post(open, { extensions: byId(sha256(query)) });
    expect(codeOf(first)).toBe('PERSISTED_QUERY_NOT_FOUND');
    await expect(post(open, { query, extensions: byId(sha256(query)) })).resolves.toEqual({
      status: 200,
      body: { data: { ping: 'pong', whoami: null } },
    });
    await expect(post(open, { extensions: byId(sha256(query)) })).resolves.toEqual({
      status: 200,
      body: { data: { ping: 'pong', whoami: null } },
    });
  });

  it('does not start on a manifest it cannot use, naming the file and the problem', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ format: 'something-else', version: 1, operations: [] }));
    const common = { supergraphPath: file.path, jwksUrl: jwks.url, issuer };
    await expect(startRouter({ ...common, trustedDocuments: { manifests: [broken] } })).rejects.toThrow(
      `${broken}: not a persisted query manifest`,
    );
    await expect(
      startRouter({ ...common, trustedDocuments: { manifests: [join(dir, 'missing.json')] } }),
    ).rejects.toThrow(`${join(dir, 'missing.json')}: cannot be read (ENOENT)`);
  });
});
