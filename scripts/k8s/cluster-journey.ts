/**
 * What a storefront does, against the chart running on the local cluster (scripts/k8s/cluster-test.sh
 * runs it; ROUTER_URL is the router Service's /graphql, ADMIN_EMAIL / ADMIN_PASSWORD the admin the
 * release bootstraps):
 *
 *   tsx scripts/k8s/cluster-journey.ts order    the admin creates a product with stock; a new customer
 *                                               signs up, places an order and follows it over graphql-ws
 *                                               (orderStatusChanged) to CONFIRMED, while a notificationAdded
 *                                               subscriber sees ORDER_PLACED and ORDER_CONFIRMED
 *   tsx scripts/k8s/cluster-journey.ts load FILE
 *                                               until FILE exists: 4 clients send queries back to back and
 *                                               one holds a notificationAdded subscription, resubscribing
 *                                               when its socket closes (a router pod going away); then it
 *                                               prints the counts and fails when any request failed
 *
 * Each prints one JSON line of what it saw and exits 1 naming the step that failed.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { graphql } from '../../platform/src/testing/graphql-client.js';
import { webSocketClient, type WebSocketTestClient } from '../../platform/src/testing/graphql-ws-client.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { contract } from '../../test/support/contract.js';

const url = process.env.ROUTER_URL ?? 'http://127.0.0.1:4000/graphql';
const ADDRESS = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

async function call(step: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await graphql(url, query, variables, token ? { token } : {});
  if (response.errors || !response.data) throw new Error(`${step}: ${JSON.stringify(response.errors)}`);
  return response.data;
}

async function register() {
  const input = {
    email: `cluster-${randomUUID()}@example.com`,
    password: 'correct horse battery',
    name: 'Cluster',
  };
  const data = await call('sign up', contract('Register'), { input });
  return data.register.accessToken as string;
}

/** The admin's product with `stock` units, in a category of its own. */
async function productWithStock(stock: number) {
  const admin = (
    await call('admin login', contract('Login'), {
      email: process.env.ADMIN_EMAIL,
      password: process.env.ADMIN_PASSWORD,
    })
  ).login.accessToken as string;
  const tag = randomUUID().slice(0, 8);
  const category = await call(
    'create category',
    'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
    { input: { name: `Cluster ${tag}` } },
    admin,
  );
  const input = {
    sku: `CLUSTER-${tag}`,
    name: `Cluster lamp ${tag}`,
    price: '12.50',
    categoryId: category.createCategory.id,
  };
  const id = (await call('create product', contract('CreateProduct'), { input }, admin)).createProduct
    .id as string;
  await call('adjust stock', contract('AdjustStock'), { productId: id, delta: stock }, admin);
  return id;
}

async function order() {
  const started = Date.now();
  const productId = await productWithStock(5);
  const token = await register();
  // The feed subscribes once the WELCOME notification exists, so it sees only this order's.
  await waitFor(
    async () =>
      (
        await call('notifications', contract('MyNotifications'), { first: 10 }, token)
      ).me.notifications.edges.some((e: { node: { type: string } }) => e.node.type === 'WELCOME'),
    30_000,
    'the WELCOME notification',
  );
  const socket = webSocketClient(url, { token });
  try {
    const feed = socket.subscribe(contract('NotificationFeed'));
    await sleep(1000); // the subscription reaches notifications' live events
    const placed = await call(
      'place order',
      contract('PlaceOrder'),
      {
        input: {
          idempotencyKey: randomUUID(),
          items: [{ productId, quantity: 2 }],
          paymentToken: 'tok_visa',
          shippingAddress: ADDRESS,
        },
      },
      token,
    );
    const orderId = placed.placeOrder.id as string;
    const tracking = socket.subscribe(contract('OrderStatus'), { orderId });
    await Promise.race([
      tracking.finished,
      sleep(60_000).then(() => {
        throw new Error(
          `orderStatusChanged: no CONFIRMED within 60 s (saw ${JSON.stringify(tracking.results)})`,
        );
      }),
    ]);
    const statuses = tracking.results.map((r) => r.data?.orderStatusChanged.status);
    if (statuses.at(-1) !== 'CONFIRMED')
      throw new Error(`orderStatusChanged ended at ${JSON.stringify(statuses)}`);
    const notifications = (await feed.waitFor(2, 30_000)).map((r) => r.data?.notificationAdded.type).sort();
    if (notifications.join() !== 'ORDER_CONFIRMED,ORDER_PLACED')
      throw new Error(`notificationAdded saw ${JSON.stringify(notifications)}`);
    console.log(JSON.stringify({ orderId, statuses, notifications, ms: Date.now() - started }));
  } finally {
    await socket.dispose();
  }
}

async function load(stopFile: string) {
  const counts = { ok: 0, failed: 0, resubscribed: 0, events: 0 };
  const failures: string[] = [];
  const token = await register();
  let stopping = false;
  const subscriber = (async () => {
    let socket: WebSocketTestClient | undefined;
    while (!stopping) {
      socket = webSocketClient(url, { token, lazy: false });
      const feed = socket.subscribe(contract('NotificationFeed'));
      const closed = await Promise.race([
        socket.closed.then(() => true),
        feed.finished.then(
          () => true,
          () => true,
        ),
      ]);
      counts.events += feed.results.length;
      await socket.dispose();
      if (closed && !stopping) counts.resubscribed++;
      await sleep(200);
    }
  })();
  const client = async () => {
    while (!existsSync(stopFile)) {
      try {
        const response = await graphql(url, 'query ClusterLoad { categories { id } }');
        if (response.errors || !Array.isArray(response.data?.categories))
          throw new Error(JSON.stringify(response.errors));
        counts.ok++;
      } catch (error) {
        counts.failed++;
        if (failures.length < 10)
          failures.push(
            `${new Date().toISOString()} ${String(error)} ${String((error as { cause?: unknown }).cause ?? '')}`,
          );
      }
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  stopping = true;
  await Promise.race([subscriber, sleep(3000)]);
  console.log(JSON.stringify({ ...counts, failures }));
  if (counts.failed > 0 || counts.ok === 0) process.exit(1);
}

const [mode, arg] = process.argv.slice(2);
const run = mode === 'order' ? order() : mode === 'load' && arg ? load(arg) : undefined;
if (!run) {
  console.error('usage: tsx scripts/k8s/cluster-journey.ts order | load STOP_FILE');
  process.exit(2);
}
run.then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`cluster journey failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
