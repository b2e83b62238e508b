import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { gql } from 'graphql-tag';
import WebSocket from 'ws';
import { z } from 'zod';
import {
  createGraphQLService,
  createJwtVerifier,
  createKafka,
  createLiveEvents,
  createLogger,
  createMetrics,
  envelope,
  notFound,
  requireViewer,
  snapshotThenStream,
  type EventProducer,
  type GraphQLService,
  type KafkaClient,
  type LiveEvent,
  type RequestContext,
  type Stoppable,
} from '../src/index.js';
import {
  createTestIssuer,
  graphql,
  waitFor,
  webSocketClient,
  type TestIssuer,
} from '../src/testing/index.js';

/**
 * A tiny subgraph with subscriptions fed from a real Kafka topic, run as two replicas (two
 * services, each with its own Kafka client and live-event consumer group) sharing one "database"
 * (a Map standing in for Postgres), as two pods of one subgraph would.
 */

const TICKET_CHANGED = 'tickets.ticket.changed.v1';
const ticketChanged = z.object({ version: z.number().int().positive(), status: z.string().min(1) });
type Topics = { [TICKET_CHANGED]: z.infer<typeof ticketChanged> };
type TicketEvent = LiveEvent<Topics>;

interface Ticket {
  id: string;
  version: number;
  status: string;
}
interface Context extends RequestContext {
  /** Unique per context: shows each subscription event gets a fresh one. */
  contextId: string;
}

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  "A ticket whose status moves OPEN -> ... -> CLOSED."
  type Ticket @key(fields: "id") {
    id: ID!
    version: Int!
    status: String!
    "The replica that sent this."
    servedBy: String!
  }
  "One change of a ticket, as the live consumer saw it."
  type TicketChange {
    eventId: ID!
    ticketId: ID!
    version: Int!
    status: String!
    servedBy: String!
    "The context this event was resolved with."
    contextId: String!
  }
  type Query {
    whoami: String!
    broken: String
  }
  type Subscription {
    "Every ticket change (signed-in callers only); slowMs makes each event slow to resolve."
    ticketChanges(slowMs: Int): TicketChange!
    "The ticket now, then each change, completing once CLOSED."
    ticketWatch(id: ID!): Ticket!
  }
`;

const logger = createLogger('platform-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shared "database" of both replicas, and the only writer: state change, then its event. */
function ticketStore(publish: (events: ReturnType<typeof envelope>[]) => Promise<void>) {
  const rows = new Map<string, Ticket>();
  return {
    rows,
    async change(id: string, status: string, { publishEvent = true } = {}) {
      const version = (rows.get(id)?.version ?? 0) + 1;
      rows.set(id, { id, version, status });
      if (publishEvent) await publish([envelope(TICKET_CHANGED, id, { version, status })]);
      return version;
    },
  };
}
type Store = ReturnType<typeof ticketStore>;

interface Replica {
  name: string;
  url: string;
  service: GraphQLService;
  live: ReturnType<typeof createLiveEvents<Topics>>;
  stop(): Promise<void>;
}

async function startReplica(
  name: string,
  namespace: string,
  issuer: TestIssuer,
  store: Store,
): Promise<Replica> {
  // Its own Kafka client, as a separate process would have.
  const kafka: KafkaClient = createKafka({ clientId: name, brokers, logger, namespace });
  const metrics = createMetrics('tickets');
  const live = createLiveEvents<Topics>({
    kafka,
    name: 'tickets',
    topics: { [TICKET_CHANGED]: ticketChanged.parse },
    logger,
    registry: metrics.registry,
  });
  const service = createGraphQLService<Context>({
    name: 'tickets',
    typeDefs,
    resolvers: {
      Query: {
        whoami: (_: unknown, __: unknown, ctx: Context) => ctx.viewer?.id ?? 'anonymous',
        broken: () => {
          throw new Error('select * from ticket -- connect ECONNREFUSED db-internal:5432');
        },
      },
      Subscription: {
        ticketChanges: {
          subscribe: (_: unknown, { slowMs }: { slowMs?: number | null }, ctx: Context) => {
            requireViewer(ctx.viewer);
            return live.subscribe(slowMs ? { bufferSize: 2 } : {});
          },
          resolve: async (event: TicketEvent, { slowMs }: { slowMs?: number | null }) => {
            if (slowMs) await sleep(slowMs);
            return event;
          },
        },
        ticketWatch: {
          subscribe: (_: unknown, { id }: { id: string }) =>
            snapshotThenStream<Ticket, TicketEvent>({
              subscribe: () => live.subscribe({ key: id }),
              load: async () => {
                const row = store.rows.get(id);
                if (!row) throw notFound('No such ticket');
                return { ...row };
              },
              version: (ticket) => ticket.version,
              eventVersion: (event) => event.payload.version,
              apply: (event, previous) => ({ ...previous, ...event.payload }),
              isFinal: (ticket) => ticket.status === 'CLOSED',
            }),
          resolve: (ticket: Ticket) => ticket,
        },
      },
      Ticket: {
        servedBy: () => name,
      },
      TicketChange: {
        eventId: (event: TicketEvent) => event.id,
        ticketId: (event: TicketEvent) => event.key,
        version: (event: TicketEvent) => event.payload.version,
        status: (event: TicketEvent) => event.payload.status,
        servedBy: () => name,
        contextId: (_: unknown, __: unknown, ctx: Context) => ctx.contextId,
      },
    },
    logger,
    verifyToken: createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
    context: (base) => ({ ...base, contextId: randomUUID() }),
    readiness: { live: live.ready },
    metrics,
    subscriptions: { connectionInitTimeoutMs: 500, keepAliveMs: 1_000 },
  });
  // As main.ts does: consumers first, so the live view is in place before the first client.
  const consumer: Stoppable = await live.start();
  const { url } = await service.listen(0, '127.0.0.1');
  let stopped: Promise<void> | undefined;
  return {
    name,
    url: `${url}/graphql`,
    service,
    live,
    // runService's order: HTTP and WebSocket clients first, then the consumers.
    stop: () =>
      (stopped ??= (async () => {
        await service.close();
        await consumer.stop();
      })()),
  };
}

const CHANGES = `subscription Changes($slowMs: Int) {
  ticketChanges(slowMs: $slowMs) { eventId ticketId version status servedBy contextId }
}`;
const WATCH = `subscription Watch($id: ID!) { ticketWatch(id: $id) { id version status servedBy } }`;

describe('subscriptions over graphql-ws, fed by Kafka, on two replicas', () => {
  const namespace = `test_live_${randomBytes(4).toString('hex')}.`;
  let issuer: TestIssuer;
  let writer: KafkaClient;
  let producer: EventProducer;
  let store: Store;
  let lastPublished: Parameters<EventProducer['publish']>[0] = [];
  let one: Replica;
  let two: Replica;
  const clients: { dispose(): Promise<void> }[] = [];
  const track = <T extends { dispose(): Promise<void> }>(client: T) => (clients.push(client), client);

  beforeAll(async () => {
    issuer = await createTestIssuer();
    writer = createKafka({ clientId: 'tickets-writer', brokers, logger, namespace });
    await writer.ensureTopics([TICKET_CHANGED]);
    producer = await writer.producer();
    store = ticketStore(async (events) => {
      lastPublished = events;
      await producer.publish(events);
    });
    [one, two] = await Promise.all([
      startReplica('replica-1', namespace, issuer, store),
      startReplica('replica-2', namespace, issuer, store),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose().catch(() => undefined)));
    await Promise.all([one?.stop(), two?.stop()]);
    await producer?.disconnect();
  });

  it('gives every subscriber on every replica every event exactly once, in order per key', async () => {
    expect(one.live.groupId).not.toBe(two.live.groupId);
    const token = await issuer.token('user-1');
    const subscriptions = [one, one, two, two].map((replica) => ({
      replica,
      subscription: track(webSocketClient(replica.url, { token })).subscribe(CHANGES),
    }));
    await waitFor(
      () => one.live.subscribers === 2 && two.live.subscribers === 2,
      20_000,
      'four live subscribers',
    );

    const tickets = ['t-a', 't-b', 't-c'].map((t) => `${t}-${randomUUID().slice(0, 6)}`);
    for (let round = 0; round < 4; round++) {
      for (const ticket of tickets) await store.change(ticket, `STEP_${round}`);
      if (round === 1) {
        // A payload the parser refuses: logged and skipped by every replica, nothing else lost.
        await producer.publish([envelope(TICKET_CHANGED, tickets[0]!, { version: 'not a number' })]);
      }
      if (round === 2) {
        // The last change published again, same event id (an outbox relay that crashed between
        // sending it and marking it sent): every replica skips it, so no subscriber gets it twice.
        await producer.publish(lastPublished);
      }
    }
    const published = 12;
    for (const { replica, subscription } of subscriptions) {
      const results = await subscription.waitFor(published);
      await sleep(300); // anything extra (a duplicate) would arrive now
      expect(subscription.results).toHaveLength(published);
      const changes = results.map((r) => r.data.ticketChanges);
      expect(new Set(changes.map((c) => c.eventId)).size).toBe(published);
      for (const ticket of tickets) {
        expect(changes.filter((c) => c.ticketId === ticket).map((c) => c.version)).toEqual([1, 2, 3, 4]);
      }
      expect(changes.every((c) => c.servedBy === replica.name)).toBe(true);
      // A feed's events are news, not a state: nothing tells a router to replay them to late joiners.
      expect(results.filter((r) => r.extensions && 'currentState' in r.extensions)).toEqual([]);
      // Each event resolved with a context of its own (forks and loaders never outlive an event).
      expect(new Set(changes.map((c) => c.contextId)).size).toBe(published);
    }

    const metrics = await (await fetch(one.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/graphql_subscriptions_active\{[^}]*\} 2\b/);
    expect(metrics).toMatch(/graphql_ws_connections\{[^}]*\} 2\b/);
    expect(metrics).toMatch(/live_subscribers\{[^}]*\} 2\b/);
    expect(metrics).toMatch(
      /live_events_delivered_total\{[^}]*topic="tickets.ticket.changed.v1"[^}]*\} 24\b/,
    );
    expect(metrics).toMatch(/live_events_dropped_total\{[^}]*reason="invalid"[^}]*\} 1\b/);
    expect(metrics).toMatch(/live_events_duplicates_total\{[^}]*\} 1\b/);
    expect(metrics).toMatch(/graphql_subscription_events_total\{[^}]*\} 24\b/);

    for (const { subscription } of subscriptions) subscription.stop();
    await waitFor(() => one.live.subscribers === 0 && two.live.subscribers === 0, 20_000, 'unsubscribed');
    const after = await (await fetch(one.url.replace('/graphql', '/metrics'))).text();
    expect(after).toMatch(/graphql_subscriptions_active\{[^}]*\} 0\b/);
  });

  it('sends the current state, then each change with no gap and no duplicate, and completes at the final one', async () => {
    const id = `t-${randomUUID().slice(0, 8)}`;
    await store.change(id, 'OPEN');
    const token = await issuer.token('user-1');
    const watch = track(webSocketClient(two.url, { token })).subscribe(WATCH, { id });
    await watch.waitFor(1);
    await store.change(id, 'TRIAGED');
    // This change's event is lost (a lagging replica, a dropped buffer): the next one shows a gap,
    // so the current state is loaded rather than the change skipped.
    await store.change(id, 'ASSIGNED', { publishEvent: false });
    await store.change(id, 'IN_PROGRESS');
    // Wait for the reload to be sent, so it cannot already see CLOSED.
    await watch.waitFor(3);
    await store.change(id, 'CLOSED');
    await watch.finished;
    expect(watch.results.map((r) => r.data.ticketWatch)).toEqual([
      { id, version: 1, status: 'OPEN', servedBy: 'replica-2' },
      { id, version: 2, status: 'TRIAGED', servedBy: 'replica-2' },
      { id, version: 4, status: 'IN_PROGRESS', servedBy: 'replica-2' },
      { id, version: 5, status: 'CLOSED', servedBy: 'replica-2' },
    ]);
    // Each is the whole current state (a router sharing the subscription replays the last to a late joiner).
    expect(watch.results.map((r) => r.extensions)).toEqual(Array(4).fill({ currentState: true }));
    await waitFor(() => two.live.subscribers === 0, 20_000, 'the live subscription released');

    const missing = track(webSocketClient(two.url, { token })).subscribe(WATCH, { id: 'no-such-ticket' });
    await expect(missing.finished).rejects.toEqual([
      expect.objectContaining({ message: 'No such ticket', extensions: { code: 'NOT_FOUND' } }),
    ]);
  });

  it('refuses a bad, expired or malformed token in connection_init with 4403', async () => {
    const expired = await issuer.token('user-1', { expiresIn: -5 });
    const foreign = await (await createTestIssuer()).token('user-1');
    for (const token of [expired, foreign, 'not-a-jwt']) {
      const client = track(webSocketClient(one.url, { token }));
      await expect(client.request('{ whoami }')).rejects.toMatchObject({ code: 4403 });
      expect(client.closeCodes).toEqual([4403]);
    }
    const malformed = new WebSocket(one.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => {
      malformed.on('open', () =>
        malformed.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Token abc' } })),
      );
      malformed.on('close', (c) => resolve(c));
    });
    expect(code).toBe(4403);
  });

  it('serves queries over the socket: anonymous without a token, the viewer with one, errors masked', async () => {
    const anonymous = track(webSocketClient(one.url));
    expect(await anonymous.request('{ whoami }')).toEqual({ data: { whoami: 'anonymous' } });
    // Resolvers decide: an anonymous subscription to a signed-in field is refused, with no data.
    const refused = anonymous.subscribe(CHANGES);
    await refused.finished;
    expect(refused.results).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] },
    ]);

    const token = await issuer.token('user-7');
    const signedIn = track(webSocketClient(two.url, { token, lazy: false }));
    expect(await signedIn.request('query Who { whoami }')).toEqual({ data: { whoami: 'user-7' } });
    const broken = await signedIn.request('{ broken }');
    expect(broken.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['broken'],
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(JSON.stringify(broken)).not.toMatch(/select|ECONNREFUSED|db-internal|stack/);
    await expect(signedIn.request('{ whoami')).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
    ]);
    await expect(signedIn.request('{ nope }')).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
    // None of that closed the socket.
    expect(await signedIn.request('{ whoami }')).toEqual({ data: { whoami: 'user-7' } });
    expect(signedIn.closeCodes).toEqual([]);

    const metrics = await (await fetch(two.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(
      /graphql_operation_duration_seconds_count\{[^}]*operation="Who"[^}]*type="query"[^}]*\} 1\b/,
    );
  });

  it('takes per-operation credentials from extensions (one socket, many callers)', async () => {
    const shared = track(webSocketClient(one.url, { lazy: false }));
    const [alice, bob] = await Promise.all([issuer.token('alice'), issuer.token('bob')]);
    const [a, b, none] = await Promise.all([
      shared.request('{ whoami }', {}, { authorization: `Bearer ${alice}` }),
      shared.request('{ whoami }', {}, { authorization: `Bearer ${bob}` }),
      shared.request('{ whoami }'),
    ]);
    expect([a.data?.whoami, b.data?.whoami, none.data?.whoami]).toEqual(['alice', 'bob', 'anonymous']);
    await expect(shared.request('{ whoami }', {}, { authorization: 'Bearer forged' })).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } }),
    ]);
    expect(await shared.request('{ whoami }')).toEqual({ data: { whoami: 'anonymous' } });
    expect(shared.closeCodes).toEqual([]);
  });

  it('ends a subscription when its access token expires', async () => {
    const token = await issuer.token('user-1', { expiresIn: 2 });
    const subscription = track(webSocketClient(one.url, { token })).subscribe(CHANGES);
    await expect(subscription.finished).rejects.toEqual([
      expect.objectContaining({ message: 'Access token expired', extensions: { code: 'UNAUTHENTICATED' } }),
    ]);
  });

  it('ends a subscriber that falls behind with SLOW_SUBSCRIBER instead of buffering without bound', async () => {
    const token = await issuer.token('user-1');
    const slow = track(webSocketClient(two.url, { token })).subscribe(CHANGES, { slowMs: 300 });
    await waitFor(() => two.live.subscribers === 1, 20_000, 'the slow subscriber');
    const ticket = `t-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 6; i++) await store.change(ticket, `S${i}`);
    await expect(slow.finished).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'SLOW_SUBSCRIBER' } }),
    ]);
    expect(slow.results.length).toBeLessThan(6);
    const metrics = await (await fetch(two.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/live_events_dropped_total\{[^}]*reason="overflow"[^}]*\} [1-9]/);
  });

  it('closes a socket that sends no connection_init in time with 4408', async () => {
    const silent = new WebSocket(one.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => silent.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });

  it('pings every client and cuts one that stops answering (keep-alive)', async () => {
    const deaf = new WebSocket(two.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { autoPong: false });
    let pings = 0;
    deaf.on('ping', () => pings++);
    deaf.on('open', () => deaf.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    const startedAt = Date.now();
    const code = await new Promise<number>((resolve) => deaf.on('close', (c) => resolve(c)));
    expect(pings).toBeGreaterThanOrEqual(1);
    // Pinged after 1 s, cut when no pong came by 2 s: an abnormal close, no handshake.
    expect(code).toBe(1006);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('on close(), tells clients to reconnect (1001), fails readiness and stops the live events', async () => {
    const token = await issuer.token('user-1');
    const client = track(webSocketClient(one.url, { token }));
    const subscription = client.subscribe(CHANGES);
    await waitFor(() => one.live.subscribers === 1, 20_000, 'a subscriber on replica 1');
    expect((await fetch(one.url.replace('/graphql', '/health/ready'))).status).toBe(200);
    await one.stop();
    expect(await client.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    await expect(subscription.finished).rejects.toMatchObject({ code: 1001 });
    expect(one.live.subscribers).toBe(0);
    expect(await one.live.ready()).toBe(false);
    // The other replica is unaffected.
    const other = track(webSocketClient(two.url, { token }));
    expect(await other.request('{ whoami }')).toEqual({ data: { whoami: 'user-1' } });
    expect((await graphql(two.url, '{ whoami }', {}, { token })).data).toEqual({ whoami: 'user-1' });
  });
});
