/**
 * Subscription benchmark (not a test): opens N graphql-ws connections to one router, each subscribed to
 * the contract's `NotificationFeed` (`notificationAdded`), drives real orders through the stack, and
 * prints event-to-client latency, what was delivered against what was expected, the router's memory per
 * idle connection, and the upstream subscriptions the router holds for its client subscriptions.
 *
 *   npm run bench:subscriptions -- [--subscribers 1000] [--customers 20] [--mode steady|burst]
 *     [--rate 100] [--duration 30] [--orders 3] [--workers N] [--connect-concurrency 64] [--out file.json]
 *
 * Starts its own isolated stack (every subgraph and the router as real processes on the local
 * infrastructure; `npm run infra:up` or `npm test` starts that), with the router's per-customer
 * connection cap raised for the benchmark's customers. The client sockets are spread over `--workers`
 * worker threads (default one per 2,500 sockets), each connecting `--connect-concurrency / workers` at a
 * time; connection i belongs to customer i mod `--customers`.
 *
 * - Memory: the router's RSS and heap (its `/metrics`) before any connection and once every client has
 *   subscribed and the readings stopped moving, divided by the number of connections.
 * - Events: `--mode steady` places orders open-loop at `--rate / 2` per second for `--duration` seconds,
 *   round-robin over the customers (each order makes two order events: ORDER_PLACED, then
 *   ORDER_CONFIRMED or ORDER_CANCELLED, so `--rate` is order events per second at the source);
 *   `--mode burst` places `--orders` orders per customer at once. Every subscriber of a customer must
 *   receive both events of every accepted order of that customer exactly once: lost and doubled
 *   deliveries are counted.
 * - Latency: from the notification's `createdAt` (the notifications subgraph, committed with it) to its
 *   arrival at the client socket (`Date.now()` in the worker thread; one clock on one machine): outbox
 *   relay, Kafka, the per-replica live consumer, the subgraph's WebSocket, the router's plan for
 *   `order { status }` (a fetch to orders) and the client's socket.
 * - Upstream: `router_upstream_subscription_connections` (the router's sockets to subgraphs) and the
 *   notifications subgraph's `graphql_subscriptions_active` (the subscriptions the router opened there),
 *   next to the router's `router_subscriptions_active` (client subscriptions).
 *
 * Figures are printed with a line per P5 target (met or not) and written to
 * `.local/bench/subscriptions.json` (and `--out`).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startStack, type RunningStack } from '../scripts/stack.js';
import { contract } from '../test/support/contract.js';
import {
  addTallies,
  eventKey,
  expectedKeys,
  isSettled,
  sourceRate,
  tally,
  type FeedNotification,
  type Tally,
} from './src/subscriptions/deliveries.js';
import { isStable, metricSum, p5Verdicts, type Verdict } from './src/subscriptions/figures.js';
import {
  ADDRESS,
  ascending,
  orderLoad,
  PLACE_ORDER,
  percentile,
  routerClient,
  sleep,
  writeResults,
} from './support/shop.js';

// ------------------------------------------------------------------------------------ worker side

interface WorkerInput {
  url: string;
  query: string;
  /** This worker's connections: the customer index and access token of each. */
  connections: { customer: number; token: string }[];
  concurrency: number;
}

type ToWorker = { kind: 'report'; expected: Record<number, string[]> } | { kind: 'close' };

interface WorkerReport {
  kind: 'report';
  tally: Tally;
  /** Event-to-client ms of every order-event delivery (duplicates included). */
  latencies: Float64Array;
  /** Each order event seen: its key and creation time (ms since the epoch). */
  created: [string, number][];
  /** The thread's event-loop delay since its sockets were open (ms): what the client adds to latency. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

type FromWorker =
  | { kind: 'connected'; opened: number; failed: number; problems: string[] }
  | { kind: 'progress'; received: number; closed: number; errors: number; problems: string[] }
  | WorkerReport;

/** Runs `count` tasks, at most `parallel` at a time. */
async function bounded(count: number, parallel: number, task: (index: number) => Promise<void>) {
  let next = 0;
  const runner = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, runner));
}

/** One worker thread's share of the client sockets: connect, subscribe, count, report. */
async function clientWorker(input: WorkerInput) {
  const port = parentPort!;
  const clients: Client[] = [];
  const received = input.connections.map(() => new Map<string, number>());
  const latencies: number[] = [];
  const created = new Map<string, number>();
  const problems: string[] = [];
  const problem = (what: string) => {
    if (problems.length < 10) problems.push(what);
  };
  let unique = 0;
  let closed = 0;
  let errors = 0;
  let disposing = false;

  const onEvent = (index: number, notification: FeedNotification | undefined, at: number) => {
    if (!notification) return;
    const key = eventKey(notification);
    if (!key) return;
    const createdAt = Date.parse(notification.createdAt);
    latencies.push(at - createdAt);
    const map = received[index]!;
    const count = (map.get(key) ?? 0) + 1;
    map.set(key, count);
    if (count > 1) return;
    unique += 1;
    if (!created.has(key)) created.set(key, createdAt);
  };

  const open = (index: number) =>
    new Promise<boolean>((resolve) => {
      const { token } = input.connections[index]!;
      let connected = false;
      const client = createClient({
        url: input.url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
        onNonLazyError: () => undefined,
        on: {
          connected: () => {
            connected = true;
            resolve(true);
          },
          closed: (event) => {
            const code = (event as { code?: number } | undefined)?.code;
            if (!connected) {
              problem(`connection refused (close ${code})`);
              resolve(false);
            } else if (!disposing) {
              closed += 1;
              problem(`connection closed (close ${code})`);
            }
          },
        },
      });
      clients[index] = client;
      client.subscribe<{ notificationAdded: FeedNotification }>(
        { query: input.query },
        {
          next: (result) => {
            const at = Date.now();
            if (result.errors) {
              errors += 1;
              problem(`event errors: ${JSON.stringify(result.errors)}`);
            }
            onEvent(index, result.data?.notificationAdded, at);
          },
          error: (error) => {
            if (disposing) return;
            errors += 1;
            problem(`subscription failed: ${JSON.stringify(error instanceof Error ? error.message : error)}`);
          },
          complete: () => undefined,
        },
      );
    });

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let opened = 0;
  await bounded(input.connections.length, input.concurrency, async (index) => {
    if (await open(index)) opened += 1;
  });
  port.postMessage({
    kind: 'connected',
    opened,
    failed: input.connections.length - opened,
    problems: [...problems],
  } satisfies FromWorker);
  loopDelay.enable();
  const progress = setInterval(
    () =>
      port.postMessage({
        kind: 'progress',
        received: unique,
        closed,
        errors,
        problems: [...problems],
      } satisfies FromWorker),
    500,
  );

  port.on('message', (message: ToWorker) => {
    if (message.kind === 'report') {
      const expected = new Map(
        Object.entries(message.expected).map(([customer, keys]) => [Number(customer), new Set(keys)]),
      );
      const tallies = input.connections.map((c, i) => tally(received[i]!, expected.get(c.customer)!));
      const buffer = Float64Array.from(latencies);
      port.postMessage(
        {
          kind: 'report',
          tally: addTallies(tallies),
          latencies: buffer,
          created: [...created],
          loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
          loopDelayMaxMs: loopDelay.max / 1e6,
        } satisfies FromWorker,
        [buffer.buffer],
      );
      return;
    }
    clearInterval(progress);
    disposing = true;
    void Promise.all(clients.map(async (client) => client.dispose())).then(() => port.close());
  });
}

// ------------------------------------------------------------------------------------ main side

/** The client sockets, spread over worker threads. */
async function startClients(options: {
  url: string;
  tokens: string[];
  subscribers: number;
  workers: number;
  concurrency: number;
}) {
  const query = contract('NotificationFeed');
  const customers = options.tokens.length;
  const all = Array.from({ length: options.subscribers }, (_, i) => ({
    customer: i % customers,
    token: options.tokens[i % customers]!,
  }));
  const per = Math.ceil(all.length / options.workers);
  const slices = Array.from({ length: options.workers }, (_, w) => all.slice(w * per, (w + 1) * per)).filter(
    (slice) => slice.length > 0,
  );
  const progress = slices.map(() => ({ received: 0, closed: 0, errors: 0, problems: [] as string[] }));
  const reports: ((report: WorkerReport) => void)[] = [];
  const workers = slices.map((connections) => {
    const input: WorkerInput = {
      url: options.url,
      query,
      connections,
      concurrency: Math.max(1, Math.floor(options.concurrency / slices.length)),
    };
    return new Worker(new URL(import.meta.url), { workerData: input });
  });
  const connected = await Promise.all(
    workers.map(
      (worker, w) =>
        new Promise<{ opened: number; failed: number; problems: string[] }>((resolve, reject) => {
          worker.once('error', reject);
          worker.on('error', (error) => console.error(`client thread ${w} failed`, error));
          worker.on('message', (message: FromWorker) => {
            if (message.kind === 'connected') resolve(message);
            else if (message.kind === 'progress') progress[w] = message;
            else reports[w]?.(message);
          });
        }),
    ),
  );
  return {
    opened: connected.reduce((sum, c) => sum + c.opened, 0),
    failed: connected.reduce((sum, c) => sum + c.failed, 0),
    problems: connected.flatMap((c) => c.problems),
    /** Order events received so far, counted once per connection. */
    received: () => progress.reduce((sum, p) => sum + p.received, 0),
    closed: () => progress.reduce((sum, p) => sum + p.closed, 0),
    errors: () => progress.reduce((sum, p) => sum + p.errors, 0),
    laterProblems: () => progress.flatMap((p) => p.problems),
    /** Every worker's tally against `expected` (customer index -> event keys), with latencies. */
    async report(expected: Record<number, string[]>) {
      const answers = await Promise.all(
        workers.map(
          (worker, w) =>
            new Promise<WorkerReport>((resolve) => {
              reports[w] = resolve;
              worker.postMessage({ kind: 'report', expected } satisfies ToWorker);
            }),
        ),
      );
      const latencies: number[] = [];
      for (const answer of answers) for (const ms of answer.latencies) latencies.push(ms);
      const created = new Map(answers.flatMap((a) => a.created));
      return {
        tally: addTallies(answers.map((a) => a.tally)),
        latencies,
        created,
        loopDelayP99Ms: Math.max(...answers.map((a) => a.loopDelayP99Ms)),
        loopDelayMaxMs: Math.max(...answers.map((a) => a.loopDelayMaxMs)),
      };
    },
    async close() {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.postMessage({ kind: 'close' } satisfies ToWorker);
              setTimeout(() => void worker.terminate(), 10_000).unref();
            }),
        ),
      );
    },
  };
}

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');
const scrape = async (graphqlUrl: string) => (await fetch(metricsUrl(graphqlUrl))).text();

/** The router's and the notifications subgraph's subscription figures, from their `/metrics`. */
async function subscriptionCounts(stack: RunningStack) {
  const [router, notifications] = await Promise.all([
    scrape(stack.routerUrl),
    scrape(stack.subgraphUrls.notifications!),
  ]);
  const zeroIfAbsent = (n: number) => (Number.isNaN(n) ? 0 : n);
  return {
    clientConnections: zeroIfAbsent(metricSum(router, 'router_websocket_connections')),
    clientSubscriptions: zeroIfAbsent(metricSum(router, 'router_subscriptions_active')),
    upstreamConnections: zeroIfAbsent(metricSum(router, 'router_upstream_subscription_connections')),
    upstreamSubscriptions: zeroIfAbsent(metricSum(notifications, 'graphql_subscriptions_active')),
    liveSubscribers: zeroIfAbsent(metricSum(notifications, 'live_subscribers')),
    delivered: zeroIfAbsent(metricSum(router, 'router_subscription_events_total', { outcome: 'delivered' })),
    dropped: zeroIfAbsent(metricSum(router, 'router_subscription_events_total', { outcome: 'dropped' })),
  };
}

/** CPU seconds used so far by the router and by every subgraph (`process_cpu_seconds_total`). */
async function cpuSeconds(stack: RunningStack): Promise<Record<string, number>> {
  const services = { router: stack.routerUrl, ...stack.subgraphUrls };
  const readings = await Promise.all(
    Object.entries(services).map(
      async ([name, url]) => [name, metricSum(await scrape(url), 'process_cpu_seconds_total')] as const,
    ),
  );
  return Object.fromEntries(readings);
}

/** CPU cores each service used between two readings `seconds` apart, busiest first. */
const coresBetween = (before: Record<string, number>, after: Record<string, number>, seconds: number) =>
  Object.fromEntries(
    Object.keys(after)
      .map((name) => [name, (after[name]! - before[name]!) / seconds] as const)
      .sort((a, b) => b[1] - a[1]),
  );

/** Polls `read` every `everyMs` until `done` holds of what it read, or `timeoutMs` passed; resolves the last reading. */
async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T, history: T[]) => boolean,
  timeoutMs: number,
  everyMs = 1_000,
): Promise<{ value: T; settled: boolean }> {
  const history: T[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    history.push(value);
    if (done(value, history)) return { value, settled: true };
    if (Date.now() > deadline) return { value, settled: false };
    await sleep(everyMs);
  }
}

/** The router's RSS and heap once three readings a second apart agree within 1% (at most 60 s). */
async function settledRouterMemory(routerUrl: string) {
  const reading = await waitFor(
    async () => {
      const text = await scrape(routerUrl);
      return {
        rss: metricSum(text, 'process_resident_memory_bytes'),
        heap: metricSum(text, 'nodejs_heap_size_used_bytes'),
      };
    },
    (_, history) =>
      isStable(history.map((r) => r.rss)) &&
      isStable(
        history.map((r) => r.heap),
        3,
        0.02,
      ),
    60_000,
  );
  return { ...reading.value, stable: reading.settled };
}

/** Places `perCustomer` orders for every customer at once (one after the other per customer). */
async function burstOrders(
  routerUrl: string,
  customers: { token: string }[],
  productId: string,
  perCustomer: number,
) {
  const { request } = routerClient(routerUrl);
  const accepted: string[][] = customers.map(() => []);
  let refused = 0;
  await Promise.all(
    customers.map(async (customer, c) => {
      for (let k = 0; k < perCustomer; k += 1) {
        const response = await request(
          PLACE_ORDER,
          {
            input: {
              idempotencyKey: randomUUID(),
              items: [{ productId, quantity: 1 }],
              paymentToken: 'tok_visa',
              shippingAddress: ADDRESS,
            },
          },
          customer.token,
        );
        const id = response.data?.placeOrder?.id as string | undefined;
        if (id) accepted[c]!.push(id);
        else refused += 1;
      }
    }),
  );
  return { accepted, placed: customers.length * perCustomer, refused };
}

/** Places orders at `ordersPerSecond` for `seconds` (open loop, retried with their idempotency key). */
async function steadyOrders(
  routerUrl: string,
  customers: { id: string; token: string }[],
  productId: string,
  ordersPerSecond: number,
  seconds: number,
) {
  const load = orderLoad({ routerUrl, customers, productId, rate: ordersPerSecond });
  await sleep(seconds * 1000);
  const orders = await load.stop();
  const index = new Map(customers.map((c, i) => [c.id, i]));
  const accepted: string[][] = customers.map(() => []);
  for (const order of orders) if (order.orderId) accepted[index.get(order.customer.id)!]!.push(order.orderId);
  return {
    accepted,
    placed: orders.length,
    refused: orders.filter((o) => !o.orderId).length,
    retried: orders.filter((o) => o.tries > 1).length,
  };
}

const MY_ORDERS = /* GraphQL */ `
  query BenchOrders($after: String) {
    me {
      orders(first: 100, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            status
          }
        }
      }
    }
  }
`;

/** Every order of one customer, with its status. */
async function ordersOf(routerUrl: string, token: string): Promise<{ id: string; status: string }[]> {
  const { request } = routerClient(routerUrl);
  const orders: { id: string; status: string }[] = [];
  let after: string | undefined;
  for (;;) {
    const response = await request(MY_ORDERS, after ? { after } : {}, token);
    const page = response.data?.me?.orders;
    if (!page) throw new Error(`MyOrders failed: ${JSON.stringify(response.errors)}`);
    for (const edge of page.edges) orders.push(edge.node);
    if (!page.pageInfo.hasNextPage) return orders;
    after = page.pageInfo.endCursor;
  }
}

/**
 * Every customer's orders once all of them settled (CONFIRMED or CANCELLED), or once their statuses
 * stopped changing for 30 s.
 */
async function settledOrders(routerUrl: string, customers: { token: string }[]) {
  let lastSeen = '';
  let lastChange = Date.now();
  const { value, settled } = await waitFor(
    () => Promise.all(customers.map((c) => ordersOf(routerUrl, c.token))),
    (orders) => {
      const all = orders.flat();
      const seen = all.map((o) => `${o.id}=${o.status}`).join();
      if (seen !== lastSeen) [lastSeen, lastChange] = [seen, Date.now()];
      return all.every((o) => isSettled(o.status)) || Date.now() - lastChange > 30_000;
    },
    600_000,
    2_000,
  );
  const all = value.flat();
  return {
    orders: value,
    settled,
    count: all.length,
    unsettled: all.filter((o) => !isSettled(o.status)).length,
    cancelled: all.filter((o) => o.status === 'CANCELLED').length,
  };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function printTable(rows: [string, string | number][]) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
}

function printVerdicts(verdicts: Verdict[]) {
  console.log('');
  for (const v of verdicts) console.log(`P5 ${v.met ? 'met    ' : 'NOT met'}  ${v.target}: ${v.measured}`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000' },
      customers: { type: 'string', default: '20' },
      mode: { type: 'string', default: 'steady' },
      rate: { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      orders: { type: 'string', default: '3' },
      workers: { type: 'string' },
      'connect-concurrency': { type: 'string', default: '64' },
      out: { type: 'string' },
    },
  });
  const subscribers = Number(values.subscribers);
  const customerCount = Math.min(Number(values.customers), subscribers);
  const mode = values.mode === 'burst' ? 'burst' : 'steady';
  if (values.mode !== mode) throw new Error(`--mode is steady or burst, not ${values.mode}`);
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  const ordersPerCustomer = Number(values.orders);
  const workerCount = Number(values.workers ?? Math.max(1, Math.min(4, Math.ceil(subscribers / 2_500))));
  const perCustomer = Math.ceil(subscribers / customerCount);
  const plannedOrders =
    mode === 'burst' ? customerCount * ordersPerCustomer : Math.ceil((rate / 2) * duration);

  console.log(
    `starting an isolated stack for ${subscribers} subscribers over ${customerCount} customers (${workerCount} client threads) ...`,
  );
  const stack = await startStack({
    isolated: true,
    env: {
      LOG_LEVEL: 'warn',
      // P5 is about one router process (the router may run a cluster of them).
      ROUTER_WORKERS: '1',
      // The benchmark's customers hold many connections each; the default cap is 10.
      WS_MAX_CONNECTIONS_PER_CUSTOMER: String(perCustomer + 1),
    },
  });
  let clients: Awaited<ReturnType<typeof startClients>> | undefined;
  try {
    const shop = routerClient(stack.routerUrl);
    const admin = await shop.adminToken();
    const productId = await shop.stockedProduct(admin, plannedOrders * 2 + 100);
    const customers = await shop.customers(customerCount);

    const before = await settledRouterMemory(stack.routerUrl);
    console.log(`router before connecting: rss ${mib(before.rss)}, heap ${mib(before.heap)}`);
    const connectStarted = Date.now();
    clients = await startClients({
      url: stack.routerUrl.replace(/^http/, 'ws'),
      tokens: customers.map((c) => c.token),
      subscribers,
      workers: workerCount,
      concurrency: Number(values['connect-concurrency']),
    });
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    console.log(
      `${clients.opened} connections open (${clients.failed} refused) in ${connectSeconds.toFixed(1)} s; waiting for every subscription ...`,
    );
    const opened = clients.opened;
    // Every client subscription served by the router, and the upstream count no longer moving.
    const subscribed = await waitFor(
      () => subscriptionCounts(stack),
      (counts, history) =>
        counts.clientSubscriptions >= opened &&
        isStable(
          history.map((h) => h.upstreamSubscriptions),
          3,
          0,
        ),
      180_000,
    );
    const idle = await settledRouterMemory(stack.routerUrl);
    const counts = await subscriptionCounts(stack);
    console.log(
      `idle: ${counts.clientSubscriptions} client subscriptions, ${counts.upstreamSubscriptions} upstream; rss ${mib(idle.rss)}, heap ${mib(idle.heap)}`,
    );

    console.log(
      mode === 'burst'
        ? `placing ${plannedOrders} orders at once ...`
        : `placing ${rate / 2} orders/s (${rate} order events/s) for ${duration} s ...`,
    );
    const eventsStarted = Date.now();
    const cpuBefore = await cpuSeconds(stack);
    const orders =
      mode === 'burst'
        ? { ...(await burstOrders(stack.routerUrl, customers, productId, ordersPerCustomer)), retried: 0 }
        : await steadyOrders(stack.routerUrl, customers, productId, rate / 2, duration);
    const ordersDone = Date.now();

    // What the stack holds is the truth: orders the load gave up on may exist all the same. Once
    // they settled (or stopped moving), every subscriber of a customer gets both events of each
    // settled order of that customer and the first event of any other.
    const atServer = await settledOrders(stack.routerUrl, customers);
    const expected: Record<number, string[]> = {};
    atServer.orders.forEach((list, c) => (expected[c] = expectedKeys(list)));
    const subscribersOf = (c: number) =>
      Array.from({ length: subscribers }, (_, i) => i).filter((i) => i % customerCount === c).length;
    const wanted = Object.entries(expected).reduce(
      (sum, [c, keys]) => sum + subscribersOf(Number(c)) * keys.length,
      0,
    );
    let lastCount = -1;
    let lastChange = Date.now();
    // Until everything expected came, or nothing new came for 30 s.
    await waitFor(
      async () => clients!.received(),
      (received) => {
        if (received !== lastCount) [lastCount, lastChange] = [received, Date.now()];
        return received >= wanted || Date.now() - lastChange > 30_000;
      },
      600_000,
      250,
    );
    const deliveredAt = Date.now();
    // prom-client resets its loop-delay histogram at each scrape: this one covers the deliveries, from
    // the CPU reading at their start (the last scrape of the router before now).
    const routerText = await scrape(stack.routerUrl);
    const routerLoopDelay = {
      p99Ms: metricSum(routerText, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      maxMs: metricSum(routerText, 'nodejs_eventloop_lag_max_seconds') * 1000,
    };
    const cpuAfter = await cpuSeconds(stack);
    const after = await subscriptionCounts(stack);
    const report = await clients.report(expected);
    const latencies = ascending(report.latencies);
    const createdTimes = [...report.created.values()];
    const sourceEventsPerSecond = sourceRate(createdTimes);
    const acceptedCount = orders.accepted.reduce((sum, ids) => sum + ids.length, 0);
    const rssPerConnection = (idle.rss - before.rss) / Math.max(1, opened);
    const heapPerConnection = (idle.heap - before.heap) / Math.max(1, opened);
    const deliverySeconds = (deliveredAt - eventsStarted) / 1000;

    const results = {
      subscribers,
      customers: customerCount,
      workers: workerCount,
      mode,
      rate: mode === 'steady' ? rate : undefined,
      duration: mode === 'steady' ? duration : undefined,
      connections: {
        opened,
        refused: clients.failed,
        closedLater: clients.closed(),
        subscriptionErrors: clients.errors(),
        connectSeconds,
        subscribedInTime: subscribed.settled,
        problems: [...new Set([...clients.problems, ...clients.laterProblems()])],
      },
      upstream: {
        clientConnections: counts.clientConnections,
        clientSubscriptions: counts.clientSubscriptions,
        upstreamConnections: counts.upstreamConnections,
        upstreamSubscriptions: counts.upstreamSubscriptions,
        liveSubscribers: counts.liveSubscribers,
      },
      memory: {
        before: { rssBytes: before.rss, heapBytes: before.heap },
        idle: { rssBytes: idle.rss, heapBytes: idle.heap, stable: idle.stable },
        rssPerConnectionBytes: rssPerConnection,
        heapPerConnectionBytes: heapPerConnection,
      },
      orders: {
        placed: orders.placed,
        accepted: acceptedCount,
        refused: orders.refused,
        retried: orders.retried,
        placingSeconds: (ordersDone - eventsStarted) / 1000,
        atServer: atServer.count,
        unsettled: atServer.unsettled,
        cancelled: atServer.cancelled,
      },
      events: {
        sourceEvents: createdTimes.length,
        sourceEventsPerSecond,
        expected: report.tally.expected,
        delivered: report.tally.delivered,
        lost: report.tally.missing,
        duplicates: report.tally.duplicates,
        unexpected: report.tally.unexpected,
        deliverySeconds,
        routerDelivered: after.delivered - counts.delivered,
        routerDropped: after.dropped - counts.dropped,
        cpuCores: coresBetween(cpuBefore, cpuAfter, deliverySeconds),
        routerLoopDelayMs: routerLoopDelay,
      },
      latencyMs: {
        count: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        clientLoopDelayP99: report.loopDelayP99Ms,
        clientLoopDelayMax: report.loopDelayMaxMs,
      },
      verdicts: [] as Verdict[],
    };
    results.verdicts = p5Verdicts({
      subscribers,
      subscriptionsActive: counts.clientSubscriptions,
      mode,
      sourceEventsPerSecond,
      p99Ms: results.latencyMs.p99,
      lost: results.events.lost,
      duplicates: results.events.duplicates,
      idleRssPerConnectionBytes: rssPerConnection,
      customers: customerCount,
      upstreamSubscriptions: counts.upstreamSubscriptions,
    });

    const l = results.latencyMs;
    const e = results.events;
    printTable([
      [
        'subscribers',
        `${subscribers} (${customerCount} customers x ${perCustomer}, ${workerCount} client threads)`,
      ],
      [
        'connections',
        `${opened} open, ${clients.failed} refused, ${clients.closed()} closed later, connected in ${connectSeconds.toFixed(1)} s`,
      ],
      [
        'client subscriptions (router)',
        `${counts.clientSubscriptions} on ${counts.clientConnections} sockets`,
      ],
      [
        'upstream (router -> subgraphs)',
        `${counts.upstreamConnections} sockets, ${counts.upstreamSubscriptions} subscriptions at notifications`,
      ],
      [
        'router rss',
        `${mib(before.rss)} -> ${mib(idle.rss)} idle${idle.stable ? '' : ' (still moving)'}, ${kib(rssPerConnection)} per connection`,
      ],
      [
        'router heap',
        `${mib(before.heap)} -> ${mib(idle.heap)} idle, ${kib(heapPerConnection)} per connection`,
      ],
      [
        'mode',
        mode === 'burst'
          ? `burst: ${ordersPerCustomer} orders per customer at once`
          : `steady: ${rate} events/s asked (${rate / 2} orders/s) for ${duration} s`,
      ],
      [
        'orders',
        `${orders.placed} placed, ${acceptedCount} accepted, ${orders.refused} given up, ${orders.retried} retried, in ${results.orders.placingSeconds.toFixed(1)} s; ` +
          `the stack holds ${atServer.count} (${atServer.unsettled} unsettled, ${atServer.cancelled} cancelled)`,
      ],
      [
        'source events',
        `${e.sourceEvents} at ${e.sourceEventsPerSecond.toFixed(1)} events/s (notifications created)`,
      ],
      [
        'deliveries',
        `${e.delivered} of ${e.expected} (${e.lost} lost, ${e.duplicates} doubled, ${e.unexpected} unexpected) in ${deliverySeconds.toFixed(1)} s`,
      ],
      ['router events', `${e.routerDelivered} delivered, ${e.routerDropped} dropped`],
      [
        'CPU cores meanwhile',
        Object.entries(e.cpuCores)
          .slice(0, 4)
          .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
          .join(', '),
      ],
      [
        'event-to-client ms',
        `p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}  (${l.count} deliveries)`,
      ],
      [
        'router loop delay ms',
        `p99 ${e.routerLoopDelayMs.p99Ms.toFixed(1)}  max ${e.routerLoopDelayMs.maxMs.toFixed(1)} (while delivering)`,
      ],
      [
        'client thread loop delay ms',
        `p99 ${l.clientLoopDelayP99.toFixed(1)}  max ${l.clientLoopDelayMax.toFixed(1)} (part of the latency above)`,
      ],
    ]);
    printVerdicts(results.verdicts);
    if (results.connections.problems.length > 0)
      console.log(`\nproblems seen: ${results.connections.problems.join('; ')}`);
    const file = await writeResults('subscriptions', results);
    if (values.out) await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nfigures written to ${values.out ?? file}`);
  } finally {
    await clients?.close();
    await stack.stop();
  }
}

if (isMainThread) await main();
else await clientWorker(workerData as WorkerInput);
