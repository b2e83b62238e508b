/**
 * Subscription benchmark (not a test): opens N graphql-ws connections to the router, each subscribed to
 * `notificationAdded` (the contract's NotificationFeed), drives real orders through the stack, and prints
 * event-to-client latency percentiles and the router's memory per connection.
 *
 *   npm run bench:subscriptions -- [--subscribers 1000] [--customers 20] [--orders 3]
 *
 * Starts its own isolated stack (every subgraph and the router as real processes on the local
 * infrastructure; `npm run infra:up` or `npm test` starts that). Latency is measured from the moment the
 * notifications subgraph created a notification (`createdAt`, committed with it) to the moment the client
 * received it through the router: Kafka outbox relay, the per-replica live consumer, the subgraph's
 * WebSocket, the router's plan for `order { status }` (a fetch to orders) and the client's socket.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from '../platform/src/testing/graphql-client.js';
import { DEV_ADMIN, startStack } from '../scripts/stack.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    customers: { type: 'string', default: '20' },
    orders: { type: 'string', default: '3' },
  },
});
const subscribers = Number(values.subscribers);
const customers = Math.min(Number(values.customers), subscribers);
const ordersPerCustomer = Number(values.orders);

const FEED = `subscription { notificationAdded { id type createdAt order { id status } } }`;
const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function routerMemory(metricsUrl: string) {
  const text = await (await fetch(metricsUrl)).text();
  const read = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

console.log(`starting an isolated stack for ${subscribers} subscribers over ${customers} customers ...`);
const stack = await startStack({
  isolated: true,
  env: {
    LOG_LEVEL: 'warn',
    // The benchmark's customers hold many connections each; the default cap is 10.
    WS_MAX_CONNECTIONS_PER_CUSTOMER: String(Math.ceil(subscribers / customers) + 1),
  },
});
const clients: Client[] = [];
try {
  const routerUrl = stack.routerUrl;
  const metricsUrl = routerUrl.replace(/\/graphql$/, '/metrics');
  const request = (query: string, variables: Record<string, unknown>, token?: string) =>
    graphql<any>(routerUrl, query, variables, token ? { token } : {});

  const admin = (
    await request(
      'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
      DEV_ADMIN,
    )
  ).data.login.accessToken as string;
  const category = await request(
    'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
    { input: { name: `Bench ${randomUUID().slice(0, 8)}` } },
    admin,
  );
  const product = await request(
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
    {
      input: {
        sku: `BENCH-${randomUUID().slice(0, 8)}`,
        name: 'Bench lamp',
        price: '10.00',
        categoryId: category.data.createCategory.id,
      },
    },
    admin,
  );
  const productId = product.data.createProduct.id as string;
  await request(
    'mutation($productId: ID!, $delta: Int!) { adjustStock(productId: $productId, delta: $delta) { productId } }',
    { productId, delta: customers * ordersPerCustomer * 2 },
    admin,
  );

  const accounts = await Promise.all(
    Array.from({ length: customers }, async (_, i) => {
      const registered = await request(
        'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        {
          input: {
            email: `bench-${randomUUID()}@example.com`,
            password: 'correct horse battery',
            name: `Bench ${i}`,
          },
        },
      );
      return registered.data.register.accessToken as string;
    }),
  );

  await sleep(2_000);
  const before = await routerMemory(metricsUrl);
  const received: number[] = [];
  let opened = 0;
  for (let i = 0; i < subscribers; i += 1) {
    const token = accounts[i % customers]!;
    const client = createClient({
      url: routerUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      onNonLazyError: (error) => console.error('connection failed', error),
    });
    clients.push(client);
    client.subscribe<{ notificationAdded: { createdAt: string } }>(
      { query: FEED },
      {
        next: (result) => {
          const createdAt = result.data?.notificationAdded.createdAt;
          if (createdAt) received.push(Date.now() - Date.parse(createdAt));
        },
        error: (error) => console.error('subscription failed', error),
        complete: () => undefined,
      },
    );
    opened += 1;
    if (opened % 100 === 0) await sleep(50);
  }
  await sleep(3_000); // every subscription is open upstream
  const after = await routerMemory(metricsUrl);

  console.log(`placing ${customers * ordersPerCustomer} orders ...`);
  const started = Date.now();
  await Promise.all(
    accounts.map(async (token) => {
      for (let k = 0; k < ordersPerCustomer; k += 1) {
        await request(
          'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
          {
            input: {
              idempotencyKey: randomUUID(),
              items: [{ productId, quantity: 1 }],
              paymentToken: 'tok_visa',
              shippingAddress: address,
            },
          },
          token,
        );
      }
    }),
  );
  // Each order brings ORDER_PLACED and ORDER_CONFIRMED to each of its customer's connections.
  const wanted = subscribers * ordersPerCustomer * 2;
  const deadline = Date.now() + 120_000;
  while (received.length < wanted && Date.now() < deadline) await sleep(200);
  const elapsed = (Date.now() - started) / 1000;

  const sorted = [...received].sort((a, b) => a - b);
  console.log('');
  console.log(
    `subscribers: ${subscribers} connections (${customers} customers), orders: ${customers * ordersPerCustomer}`,
  );
  console.log(`events delivered: ${received.length} of ${wanted} in ${elapsed.toFixed(1)} s`);
  console.log(
    `event-to-client latency ms: p50 ${percentile(sorted, 50)}  p90 ${percentile(sorted, 90)}  p99 ${percentile(sorted, 99)}  max ${sorted.at(-1)}`,
  );
  console.log(
    `router memory: rss ${mib(before.rss)} -> ${mib(after.rss)}, heap ${mib(before.heap)} -> ${mib(after.heap)}`,
  );
  console.log(
    `router memory per connection: rss ${kib((after.rss - before.rss) / subscribers)}, heap ${kib((after.heap - before.heap) / subscribers)}`,
  );
} finally {
  await Promise.all(clients.map(async (c) => c.dispose()));
  await stack.stop();
}
