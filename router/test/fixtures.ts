/**
 * Real servers for the router's e2e specs: tiny fixture subgraphs (the kit's `createGraphQLService`, so they
 * verify forwarded tokens like the real ones), a supergraph composed from them with `@apollo/composition`
 * into a temp file, a JWKS endpoint serving a test issuer's keys, and the router itself on port 0.
 */
import { EventEmitter, on } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeServices } from '@apollo/composition';
import {
  createGraphQLService,
  createJwtVerifier,
  createLogger,
  markCurrentState,
  requireViewer,
  serviceUnavailable,
  type RequestContext,
} from '@shop/platform';
import { createTestIssuer, type TestIssuer } from '@shop/platform/testing';
import { GraphQLError, parse } from 'graphql';
import { buildRouter, type Router, type RouterOptions } from '../src/app.js';

const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';

/** What a fixture subgraph saw of one request to its /graphql. */
export interface RecordedCall {
  headers: IncomingHttpHeaders;
}

export interface FixtureSubgraph {
  name: string;
  /** Its /graphql URL (the routing URL in the supergraph). */
  url: string;
  sdl: string;
  calls: RecordedCall[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

export const ACCOUNTS_SDL = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])

type Query {
  me: User @authenticated
  users(first: Int = 20): [User!]! @requiresScopes(scopes: [["ADMIN"]])
  ping: String!
  slow(ms: Int!): String!
  whoami: String
  boom: String
}

type Mutation {
  touch: Int!
  "Refused with SERVICE_UNAVAILABLE and retryAfterSeconds = shed when shed > 0 (a service shedding load)."
  reserve(shed: Int!): Int!
}

type User @key(fields: "id") {
  id: ID!
  name: String!
  email: String! @authenticated
  friends(first: Int): [User!]!
}
`;

export const catalogSdl = (
  version: 1 | 2,
) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])

type Query {
  product(id: ID!): Product
  products(first: Int = 10): [Product!]!
}

type Product @key(fields: "id") {
  id: ID!
  name: String!
  createdBy: User!
  related(first: Int): [Product!]!${version === 2 ? '\n  price: Int!' : ''}
}

type User @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

const USERS = [
  { id: 'u1', name: 'Ada', email: 'ada@example.com' },
  { id: 'u2', name: 'Grace', email: 'grace@example.com' },
];
const PRODUCTS = [
  { id: 'p1', name: 'Lamp', createdBy: { id: 'u1' }, price: 1999 },
  { id: 'p2', name: 'Desk', createdBy: { id: 'u2' }, price: 24900 },
];

async function startFixture(
  name: string,
  sdl: string,
  resolvers: Record<string, Record<string, unknown>>,
  issuer: TestIssuer,
  { exposeErrors = false, port = 0 } = {},
): Promise<FixtureSubgraph> {
  const calls: RecordedCall[] = [];
  const logger = createLogger(name, { level: logLevel });
  const service = createGraphQLService<RequestContext>({
    name,
    typeDefs: parse(sdl),
    resolvers: resolvers as never,
    logger,
    verifyToken: createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
    context: (base) => base,
    exposeErrors,
    routes: (app) => {
      app.use('/graphql', (req, _res, next) => {
        calls.push({ headers: { ...req.headers } });
        next();
      });
    },
  });
  let connections = 0;
  service.httpServer.on('connection', () => (connections += 1));
  const { url } = await service.listen(port, '127.0.0.1');
  return {
    name,
    url: `${url}/graphql`,
    sdl,
    calls,
    get connections() {
      return connections;
    },
    stop: () => service.close(),
  };
}

/**
 * `accounts`: `me` (@authenticated), `users` (@requiresScopes ADMIN), `slow(ms)`, `boom` (a leaky internal
 * error), the mutations `touch` and `reserve(shed)` (refused as a service shedding load when shed > 0).
 */
export function startAccounts(issuer: TestIssuer, options: { exposeErrors?: boolean } = {}) {
  return startFixture(
    'accounts',
    ACCOUNTS_SDL,
    {
      Query: {
        me: (_: unknown, __: unknown, { viewer }: RequestContext) =>
          USERS.find((u) => u.id === requireViewer(viewer).id),
        users: () => USERS,
        ping: () => 'pong',
        slow: async (_: unknown, { ms }: { ms: number }) => {
          await sleep(ms);
          return `slept ${ms}`;
        },
        whoami: (_: unknown, __: unknown, { viewer }: RequestContext) => viewer?.id ?? null,
        boom: () => {
          throw new GraphQLError('relation "users" does not exist at postgres://10.0.0.7:5432/accounts');
        },
      },
      Mutation: {
        touch: () => 1,
        reserve: (_: unknown, { shed }: { shed: number }) => {
          if (shed > 0) throw serviceUnavailable('Too many reservations right now', shed);
          return 0;
        },
      },
      User: {
        __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id),
        friends: () => USERS,
      },
    },
    issuer,
    options,
  );
}

/** `catalog`: products referencing accounts' `User`; version 2 adds `Product.price`. */
export function startCatalog(issuer: TestIssuer, version: 1 | 2 = 1) {
  return startFixture(
    'catalog',
    catalogSdl(version),
    {
      Query: {
        product: (_: unknown, { id }: { id: string }) => PRODUCTS.find((p) => p.id === id),
        products: () => PRODUCTS,
      },
      Product: {
        __resolveReference: (ref: { id: string }) => PRODUCTS.find((p) => p.id === ref.id),
        related: () => PRODUCTS,
      },
    },
    issuer,
  );
}

export const TRACKING_SDL = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated"])

type Query {
  parcel(id: ID!): Parcel
}

type Subscription {
  "The parcel's current state, then every move; completes once it is DELIVERED."
  parcelMoved(id: ID!): Parcel! @authenticated
  "A counter anyone may watch."
  ticks: Int!
}

type Parcel @key(fields: "id") {
  id: ID!
  status: String!
  product: Product!
}

type Product @key(fields: "id", resolvable: false) {
  id: ID!
}
`;

export interface Parcel {
  id: string;
  status: string;
  product: { id: string };
}

/** `tracking`: a subgraph with subscriptions, fed by `move` and `tick` from the test. */
export interface TrackingSubgraph extends FixtureSubgraph {
  /** Records the parcel's new state and sends it to its subscribers. */
  move(parcel: Parcel): void;
  tick(value: number): void;
  /** Open subscriptions. */
  readonly subscribers: number;
  port: number;
  parcels: Map<string, Parcel>;
}

/** State survives a restart: pass the previous `parcels` map to a restarted fixture. */
export async function startTracking(
  issuer: TestIssuer,
  { port = 0, parcels = new Map<string, Parcel>() } = {},
): Promise<TrackingSubgraph> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let subscribers = 0;
  // An iterator whose return() ends it at once, even while it waits for the next event (an async
  // generator would only run its cleanup after that event), as a real subgraph's stream must.
  function watch<T>(event: string, first?: T, done?: (value: T) => boolean): AsyncIterableIterator<T> {
    subscribers += 1;
    const source = on(events, event) as AsyncIterableIterator<[T]>;
    let pending = first === undefined ? [] : [first];
    let finished = false;
    let last = false;
    const finish = async (): Promise<IteratorResult<T>> => {
      if (!finished) {
        finished = true;
        subscribers -= 1;
        pending = [];
        await source.return?.();
      }
      return { done: true, value: undefined };
    };
    return {
      async next() {
        if (finished || last) return finish();
        let value: T;
        if (pending.length > 0) value = pending.shift()!;
        else {
          const result = await source.next();
          if (result.done || finished) return finish();
          value = result.value[0];
        }
        if (done?.(value)) last = true;
        return { done: false, value };
      },
      return: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
  const fixture = await startFixture(
    'tracking',
    TRACKING_SDL,
    {
      Query: { parcel: (_: unknown, { id }: { id: string }) => parcels.get(id) ?? null },
      Subscription: {
        parcelMoved: {
          subscribe: (_: unknown, { id }: { id: string }, { viewer }: RequestContext) => {
            requireViewer(viewer);
            // A parcel is a whole current state (as snapshotThenStream's are): late joiners get the last.
            const current = parcels.get(id);
            return watch<Parcel>(
              `parcel:${id}`,
              current && markCurrentState(current),
              (p) => p.status === 'DELIVERED',
            );
          },
          resolve: (parcel: Parcel) => parcel,
        },
        ticks: { subscribe: () => watch<number>('tick'), resolve: (value: number) => value },
      },
      Parcel: { __resolveReference: (ref: { id: string }) => parcels.get(ref.id) },
    },
    issuer,
    { port },
  );
  return {
    ...fixture,
    get connections() {
      return fixture.connections;
    },
    port: Number(new URL(fixture.url).port),
    parcels,
    move(parcel) {
      parcels.set(parcel.id, parcel);
      events.emit(`parcel:${parcel.id}`, markCurrentState(parcel));
    },
    tick(value) {
      events.emit('tick', value);
    },
    get subscribers() {
      return subscribers;
    },
  };
}

/** Composes subgraphs (name, routing URL, SDL) into a supergraph SDL as `npm run compose` does. */
export function composeSupergraph(subgraphs: { name: string; url: string; sdl: string }[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

/** A temp directory with a supergraph file; `remove()` deletes it. */
export async function supergraphFileOf(subgraphs: { name: string; url: string; sdl: string }[]) {
  const dir = await mkdtemp(join(tmpdir(), 'router-e2e-'));
  const path = join(dir, 'supergraph.graphql');
  await writeFile(path, composeSupergraph(subgraphs));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Serves `issuer.jwks` at `<url>/.well-known/jwks.json`, as the auth subgraph does. */
export async function serveJwks(
  issuer: TestIssuer,
): Promise<{ url: URL; requests: () => number; stop(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(issuer.jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    requests: () => requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A routing URL where nothing listens. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

export interface TestRouter {
  router: Router;
  /** The router's base URL (`http://127.0.0.1:<port>`). */
  url: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/** Starts the router on port 0 against a supergraph file, verifying tokens of `issuer` served at `jwksUrl`. */
export async function startRouter(
  options: { supergraphPath: string; jwksUrl: URL; issuer: TestIssuer } & Partial<RouterOptions>,
): Promise<TestRouter> {
  const { jwksUrl, issuer, ...rest } = options;
  const router = buildRouter({
    auth: { jwks: jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    logger: createLogger('router', { level: logLevel }),
    ...rest,
  });
  const { url } = await router.listen(0, '127.0.0.1');
  return { router, url, graphqlUrl: `${url}/graphql`, stop: () => router.close() };
}

/** The common set-up: accounts + catalog, their supergraph file, a JWKS endpoint and the router. */
export async function startStack(routerOptions: Partial<RouterOptions> = {}) {
  const issuer = await createTestIssuer();
  const jwks = await serveJwks(issuer);
  const accounts = await startAccounts(issuer, { exposeErrors: true });
  const catalog = await startCatalog(issuer);
  const file = await supergraphFileOf([accounts, catalog]);
  const router = await startRouter({
    supergraphPath: file.path,
    jwksUrl: jwks.url,
    issuer,
    ...routerOptions,
  });
  return {
    issuer,
    jwks,
    accounts,
    catalog,
    file,
    router,
    /** Calls both fixtures received so far. */
    subgraphCalls: () => accounts.calls.length + catalog.calls.length,
    async stop() {
      await router.stop();
      await Promise.all([accounts.stop(), catalog.stop(), jwks.stop()]);
      await file.remove();
    },
  };
}
export type Stack = Awaited<ReturnType<typeof startStack>>;
