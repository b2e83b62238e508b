/**
 * Tracing overhead benchmark (not a test): the same work through the router on a stack with tracing off
 * (no `OTEL_EXPORTER_OTLP_ENDPOINT`) and on (every process exporting OTLP/HTTP JSON to a receiver in this
 * process, which counts the spans), and the difference.
 *
 *   npm run bench:tracing -- [--rounds 2] [--queries 400] [--orders 40] [--concurrency 4] [--modes off,on,unsampled]
 *
 * Each round starts one isolated stack per mode (`off`, `on`, `unsampled`, see {@link Mode}; rounds
 * alternate the order so a drift of the machine's load hits every mode), warms it up, then measures:
 * - queries: the contract's `Product` query (products, inventory and recommendations, SQL in each) sent
 *   `--concurrency` at a time, `--queries` in all: latency percentiles and throughput;
 * - orders: `--orders` contract `PlaceOrder`s, two at a time, each followed to CONFIRMED by its
 *   `OrderStatus` subscription through the router: placeOrder latency, and settle time (from sending
 *   placeOrder to receiving CONFIRMED: outbox relay, Kafka hops through inventory and payments, the live
 *   consumer, the subscription's per-event plan);
 * - CPU: `process_cpu_seconds_total` of the router and every subgraph (from their `/metrics`), per query
 *   and per order (Postgres, Redis and Kafka are not counted).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startStack, type RunningStack } from '../scripts/stack.js';
import { contract } from '../test/support/contract.js';
import { ADDRESS, ascending, percentile, routerClient, writeResults } from './support/shop.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    queries: { type: 'string', default: '400' },
    orders: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '4' },
    modes: { type: 'string', default: 'off,on,unsampled' },
  },
});
const rounds = Number(values.rounds);
const queries = Number(values.queries);
const orders = Number(values.orders);
const concurrency = Number(values.concurrency);

/** An OTLP/HTTP JSON receiver that only counts what it is sent. */
async function startReceiver() {
  let spans = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
      };
      for (const r of body.resourceSpans ?? [])
        for (const s of r.scopeSpans ?? []) spans += s.spans?.length ?? 0;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans: () => spans,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** CPU seconds the router and every subgraph have used so far, summed. */
async function stackCpuSeconds(stack: RunningStack): Promise<number> {
  const urls = [stack.routerUrl, ...Object.values(stack.subgraphUrls)].map((u) =>
    u.replace(/\/graphql$/, '/metrics'),
  );
  const readings = await Promise.all(
    urls.map(async (url) => {
      const text = await (await fetch(url)).text();
      return Number(/^process_cpu_seconds_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 'NaN');
    }),
  );
  return readings.reduce((a, b) => a + b, 0);
}

/** Runs `count` calls of `task`, `parallel` at a time; resolves each call's duration in ms. */
async function closedLoop(count: number, parallel: number, task: () => Promise<void>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const started = performance.now();
        await task();
        durations.push(performance.now() - started);
      }
    }),
  );
  return durations;
}

const ms = (values: number[], p: number) => Number(percentile(ascending(values), p).toFixed(1));

interface Figures {
  mode: Mode;
  round: number;
  query: { p50: number; p95: number; p99: number; perSecond: number; cpuMs: number };
  order: { placeP50: number; settleP50: number; settleP95: number; cpuMs: number };
  /** Spans the receiver got per query and per order (0 unless `on`). */
  spansPerQuery: number;
  spansPerOrder: number;
}

/**
 * `off`: no endpoint. `on`: every trace recorded and exported. `unsampled`: the SDK running with a root
 * sampler ratio of 0 (`parentbased_traceidratio`, 0), so spans are started but none recorded: the cost a
 * service pays for the traces a low production ratio leaves out.
 */
type Mode = 'off' | 'on' | 'unsampled';
const MODES = values.modes.split(',').map((mode) => {
  if (mode !== 'off' && mode !== 'on' && mode !== 'unsampled') throw new Error(`unknown mode ${mode}`);
  return mode as Mode;
});

const ENV: Record<Mode, (receiverUrl: string) => Record<string, string>> = {
  off: () => ({}),
  on: (url) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_BSP_SCHEDULE_DELAY: '1000' }),
  unsampled: (url) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0',
  }),
};

async function measure(mode: Mode, round: number, receiverUrl: string, spans: () => number) {
  const stack = await startStack({
    isolated: true,
    env: {
      LOG_LEVEL: 'warn',
      ...ENV[mode](receiverUrl),
    },
  });
  const sockets: Client[] = [];
  try {
    const router = routerClient(stack.routerUrl);
    const admin = await router.adminToken();
    const productId = await router.stockedProduct(admin, 100_000);
    // One WebSocket per customer, its token in connection_init (as a storefront holds it).
    const customers = (await router.customers(2)).map((customer) => {
      const socket = createClient({
        url: stack.routerUrl.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${customer.token}` },
      });
      sockets.push(socket);
      return { ...customer, socket };
    });
    const product = contract('Product');
    const placeOrder = contract('PlaceOrder');
    const orderStatus = contract('OrderStatus');

    const query = async () => {
      const response = await router.request(product, { id: productId });
      if (response.errors) throw new Error(`Product failed: ${JSON.stringify(response.errors)}`);
    };
    const placeTimes: number[] = [];
    let n = 0;
    const order = async () => {
      const customer = customers[n++ % customers.length]!;
      const started = performance.now();
      const placed = await router.request(
        placeOrder,
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
      placeTimes.push(performance.now() - started);
      const id = placed.data?.placeOrder?.id as string | undefined;
      if (!id) throw new Error(`PlaceOrder failed: ${JSON.stringify(placed.errors)}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          void router
            .request('query($id: ID!) { order(id: $id) { status } }', { id }, customer.token)
            .then((now) =>
              reject(new Error(`order ${id} not CONFIRMED within 60 s (now ${JSON.stringify(now)})`)),
            );
        }, 60_000);
        const settle = (error?: Error) => {
          clearTimeout(timer);
          stop();
          if (error) reject(error);
          else resolve();
        };
        const stop = customer.socket.subscribe<{ orderStatusChanged: { status: string } }>(
          { query: orderStatus, variables: { orderId: id } },
          {
            next: (result) => {
              const status = result.data?.orderStatusChanged.status;
              if (status === 'CONFIRMED') settle();
              else if (status === 'CANCELLED' || result.errors)
                settle(new Error(`order ${id}: ${status ?? JSON.stringify(result.errors)}`));
            },
            error: (error) => settle(error instanceof Error ? error : new Error(JSON.stringify(error))),
            complete: () => undefined,
          },
        );
      });
    };

    // Warm-up: plans cached, connections pooled, JIT settled, consumers joined.
    console.log('  warming up');
    await closedLoop(50, concurrency, query);
    await closedLoop(6, 2, order);
    console.log('  measuring');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // The warm-up's spans are exported within the batch delay: wait for them before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const spansBeforeQueries = spans();
    let cpu = await stackCpuSeconds(stack);
    const queryStarted = performance.now();
    const queryTimes = await closedLoop(queries, concurrency, query);
    const queryElapsed = performance.now() - queryStarted;
    const queryCpu = (await stackCpuSeconds(stack)) - cpu;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const spansAfterQueries = spans();

    placeTimes.length = 0;
    const spansBefore = spans();
    cpu = await stackCpuSeconds(stack);
    const settleTimes = await closedLoop(orders, 2, order);
    // Let the consumers that follow CONFIRMED (notifications, recommendations) and the exporters finish.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const orderCpu = (await stackCpuSeconds(stack)) - cpu;

    const figures: Figures = {
      mode,
      round,
      query: {
        p50: ms(queryTimes, 50),
        p95: ms(queryTimes, 95),
        p99: ms(queryTimes, 99),
        perSecond: Number(((queries / queryElapsed) * 1000).toFixed(1)),
        cpuMs: Number(((queryCpu / queries) * 1000).toFixed(2)),
      },
      order: {
        placeP50: ms(placeTimes, 50),
        settleP50: ms(settleTimes, 50),
        settleP95: ms(settleTimes, 95),
        cpuMs: Number(((orderCpu / orders) * 1000).toFixed(1)),
      },
      spansPerQuery: Math.round((spansAfterQueries - spansBeforeQueries) / queries),
      spansPerOrder: Math.round((spans() - spansBefore) / orders),
    };
    console.log(JSON.stringify(figures));
    return figures;
  } finally {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await stack.stop();
  }
}

const receiver = await startReceiver();
const results: Figures[] = [];
try {
  for (let round = 1; round <= rounds; round += 1) {
    // Alternate which mode goes first, so a change in the machine's load hits both.
    const modes = round % 2 ? MODES : [...MODES].reverse();
    for (const mode of modes) {
      console.log(`round ${round}: tracing ${mode} ...`);
      results.push(await measure(mode, round, receiver.url, receiver.spans));
    }
  }
} finally {
  await receiver.close();
}

const median = (list: number[]) => percentile(ascending(list), 50);
const summary = MODES.map((mode) => {
  const of = results.filter((r) => r.mode === mode);
  return {
    mode,
    'query p50 ms': median(of.map((r) => r.query.p50)),
    'query p99 ms': median(of.map((r) => r.query.p99)),
    'queries/s': median(of.map((r) => r.query.perSecond)),
    'CPU ms/query': median(of.map((r) => r.query.cpuMs)),
    'placeOrder p50 ms': median(of.map((r) => r.order.placeP50)),
    'settle p50 ms': median(of.map((r) => r.order.settleP50)),
    'settle p95 ms': median(of.map((r) => r.order.settleP95)),
    'CPU ms/order': median(of.map((r) => r.order.cpuMs)),
    'spans/query': median(of.map((r) => r.spansPerQuery)),
    'spans/order': median(of.map((r) => r.spansPerOrder)),
  };
});
console.log(
  `\nmedians over ${rounds} round(s), ${queries} queries at ${concurrency} in flight, ${orders} orders:`,
);
console.table(summary);
console.log(
  `written to ${await writeResults('tracing', { rounds, queries, orders, concurrency, results, summary })}`,
);
