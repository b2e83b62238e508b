/**
 * Orders benchmark (not a test): orders placed through the router at a fixed rate for a fixed time, one
 * step per rate, each order followed by an `orderStatusChanged` subscriber until it settles. Prints, per
 * step: placeOrder latency, placed-to-CONFIRMED latency as the subscriber sees it, sustained orders per
 * second (accepted and settled), the statuses, the orders not settled, refusals by code, and whether
 * every order and every unit of stock is accounted for; then a line per target.
 *
 *   npm run bench:orders -- [--rates 10,100] [--duration 60] [--customers 40] [--products 4]
 *                           [--settle 60] [--warmup 5] [--give-up 30] [--out <file>]
 *
 * Starts its own isolated stack (every subgraph and the router as real processes on the local
 * infrastructure). Seeds `--products` products, each with stock for every order of the run (the load
 * goes round-robin over them, so one stock row is not all that is measured), and `--customers` registered
 * customers (registration hashes passwords slowly: a few dozen at most). The run must fit in an access
 * token's lifetime (15 minutes): the customers sign in once.
 *
 * The load is open loop (bench/support/shop.ts `orderLoad`, one per product, staggered so the orders are
 * evenly spaced): a slow answer does not slow the rate; a refused placeOrder is retried with its
 * idempotency key every 100 ms, for at most `--give-up` seconds from its first try. placeOrder latency is
 * from the first try to the accepted answer. An offer given up may still have been created (its try
 * timed out at the router, say): the check afterwards finds such orders in the customers' lists and
 * counts them, with their status and stock, as "created anyway".
 *
 * Each customer holds one graphql-ws connection to the router (as a storefront does) and subscribes there
 * to the contract's `OrderStatus` (`orderStatusChanged(orderId)`) as soon as placeOrder returns an order.
 * The subscription sends the order's current state first, then every change, and completes after
 * CONFIRMED or CANCELLED. When the order has already settled by the time the subscription starts, its
 * first message is the CONFIRMED snapshot, received later than the confirmation: placed-to-CONFIRMED
 * counts it as received (an upper bound), and the table also shows how many came that way, the live
 * events alone, and the commit time (the state's `updatedAt`, same machine clock). A connection holds
 * many subscriptions at once, so the router's WS_MAX_SUBSCRIPTIONS_PER_CONNECTION (default 20) is raised
 * for this stack to what one customer can have open in the largest step.
 *
 * Before the steps, a warm-up (`--warmup` seconds at 2 orders/s, not measured) runs orders through the
 * fresh stack the same way, so its consumers have joined their groups and its code paths are warm.
 *
 * After each step's load stops, it waits (at most `--settle` seconds) until every accepted order is
 * terminal, then checks with the API (the contract's `MyOrders`, as each customer) that every accepted
 * order exists, once, with a terminal status, and that each product's available stock went down by
 * exactly its CONFIRMED units. It also prints the CPU seconds each process of the stack (and the load
 * generator) used per step, from its start to the end of its checks: where two shared cores went.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startStack, type RunningStack } from '../scripts/stack.js';
import {
  formatSteps,
  formatVerdicts,
  isTerminal,
  summarizeStep,
  verdicts,
  type OrderRecord,
  type StepResult,
  type UnansweredOrder,
} from './src/orders/report.js';
import { stackCpuSeconds } from './support/cpu.js';
import { orderLoad, routerClient, sleep, writeResults, type PlacedOrder } from './support/shop.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '10,100' },
    duration: { type: 'string', default: '60' },
    customers: { type: 'string', default: '40' },
    products: { type: 'string', default: '4' },
    settle: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    'give-up': { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});
/** The flag's number; refused unless finite and above 0 (or at least 0 with `zero`). */
function numberFlag(name: string, text: string, zero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero))
    throw new Error(`--${name} must be a ${zero ? 'non-negative' : 'positive'} number, not ${text}`);
  return value;
}
const rates = values.rates.split(',').map((rate) => numberFlag('rates', rate));
const durationS = numberFlag('duration', values.duration);
const customerCount = numberFlag('customers', values.customers);
const productCount = numberFlag('products', values.products);
const settleS = numberFlag('settle', values.settle);
const warmupS = numberFlag('warmup', values.warmup, true);
const giveUpS = numberFlag('give-up', values['give-up']);

const ORDER_STATUS = /* GraphQL */ `
  subscription OrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      id
      status
      cancellationReason
      updatedAt
      total {
        amount
        currencyCode
      }
      items {
        quantity
        product {
          id
          name
        }
      }
    }
  }
`;
const MY_ORDERS = /* GraphQL */ `
  query MyOrders($first: Int, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            status
            total {
              amount
              currencyCode
            }
            createdAt
          }
        }
      }
    }
  }
`;
const AVAILABLE = 'query($id: ID!) { product(id: $id) { id availableQuantity } }';
/** An order no placeOrder answer returned: its status and lines, as its customer. */
const ORDER_LINES = 'query($id: ID!) { order(id: $id) { id status items { quantity product { id } } } }';
/** How often one order is resubscribed after its subscription failed or ended before a terminal state. */
const RESUBSCRIBES = 3;
/** Orders per second of the warm-up (`--warmup` seconds, 0 for none), before the measured steps. */
const WARMUP_RATE = 2;

type Customer = { id: string; token: string };
type Request = ReturnType<typeof routerClient>['request'];

const codesOf = (errors: readonly { extensions?: { code?: unknown } }[]) =>
  errors.map((e) => String(e.extensions?.code ?? 'NO_CODE'));

/** One graphql-ws connection of one customer to the router, connected before it is returned. */
async function connect(wsUrl: string, customer: Customer): Promise<Client> {
  let connected!: () => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    connected = resolve;
    failed = reject;
  });
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 3,
    connectionParams: { authorization: `Bearer ${customer.token}` },
    on: { connected: () => connected() },
    onNonLazyError: (error) => failed(error),
  });
  await ready;
  return client;
}

/**
 * Follows one order with `orderStatusChanged` on `client` until a terminal state, recording into
 * `record.seen`; resubscribes (a fresh snapshot) after an error or an early end, a few times.
 */
function follow(client: Client, record: OrderRecord, attempt = 0): void {
  let first = true;
  let again = false;
  const retry = () => {
    if (again || record.seen.terminal || attempt >= RESUBSCRIBES) return;
    again = true;
    setTimeout(() => follow(client, record, attempt + 1), 200);
  };
  client.subscribe<{ orderStatusChanged: { status: string; updatedAt: string } }>(
    { query: ORDER_STATUS, variables: { orderId: record.orderId } },
    {
      next: (result) => {
        const at = Date.now();
        if (result.errors?.length) record.seen.errors.push(...codesOf(result.errors));
        const state = result.data?.orderStatusChanged;
        const fromSnapshot = first;
        first = false;
        if (!state) return;
        record.seen.statuses.push(state.status);
        if (isTerminal(state.status) && !record.seen.terminal)
          record.seen.terminal = {
            status: state.status,
            at,
            fromSnapshot,
            updatedAt: Date.parse(state.updatedAt),
          };
      },
      error: (error) => {
        record.seen.errors.push(
          ...(Array.isArray(error)
            ? codesOf(error)
            : [`CLOSED_${(error as { code?: number } | undefined)?.code ?? 'UNKNOWN'}`]),
        );
        retry();
      },
      complete: () => {
        if (!record.seen.terminal) {
          record.seen.errors.push('ENDED_BEFORE_TERMINAL');
          retry();
        }
      },
    },
  );
}

/** Resolves once `done()` holds or `deadline` passes; true when it held. */
async function waitUntil(done: () => boolean, deadline: number, everyMs = 100): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

interface Listed {
  status: string;
  customer: Customer;
}

/** Every order of `customer` the API lists, id to status (all pages). */
async function listOrders(request: Request, customer: Customer): Promise<Map<string, Listed>> {
  const listed = new Map<string, Listed>();
  let after: string | undefined;
  for (;;) {
    const response = await request(MY_ORDERS, { first: 100, ...(after ? { after } : {}) }, customer.token);
    const page = response.data?.me?.orders;
    if (response.errors || !page) throw new Error(`MyOrders failed: ${JSON.stringify(response.errors)}`);
    for (const edge of page.edges as { node: { id: string; status: string } }[])
      listed.set(edge.node.id, { status: edge.node.status, customer });
    if (!page.pageInfo.hasNextPage) return listed;
    after = page.pageInfo.endCursor as string;
  }
}

async function listAll(request: Request, customers: readonly Customer[]): Promise<Map<string, Listed>> {
  const all = new Map<string, Listed>();
  for (let i = 0; i < customers.length; i += 8) {
    const lists = await Promise.all(customers.slice(i, i + 8).map((c) => listOrders(request, c)));
    for (const list of lists) for (const [id, listed] of list) all.set(id, listed);
  }
  return all;
}

/** The status and lines of each listed order in `ids`, read as its customer, 16 at a time. */
async function unansweredOrders(
  request: Request,
  listed: Map<string, Listed>,
  ids: readonly string[],
): Promise<UnansweredOrder[]> {
  const found: UnansweredOrder[] = [];
  for (let i = 0; i < ids.length; i += 16) {
    const batch = await Promise.all(
      ids.slice(i, i + 16).map(async (id) => {
        const response = await request(ORDER_LINES, { id }, listed.get(id)!.customer.token);
        const order = response.data?.order;
        if (!order) throw new Error(`order ${id}: ${JSON.stringify(response.errors)}`);
        return {
          status: order.status as string,
          lines: (order.items as { quantity: number; product: { id: string } }[]).map((line) => ({
            productId: line.product.id,
            quantity: line.quantity,
          })),
        };
      }),
    );
    found.push(...batch);
  }
  return found;
}

async function availableStock(request: Request, products: readonly string[]): Promise<number[]> {
  return Promise.all(
    products.map(async (id) => {
      const response = await request(AVAILABLE, { id });
      const quantity = response.data?.product?.availableQuantity;
      if (typeof quantity !== 'number') throw new Error(`stock of ${id}: ${JSON.stringify(response.errors)}`);
      return quantity;
    }),
  );
}

/** CPU seconds used between two readings, largest first, rounded to 0.1 s. */
function cpuBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after)
      .map((name) => [name, Math.round(((after[name] ?? 0) - (before[name] ?? 0)) * 10) / 10] as const)
      .sort((a, b) => b[1] - a[1]),
  );
}

/** `items` rotated left by `by`. */
const rotate = <T>(items: readonly T[], by: number) => [
  ...items.slice(by % items.length),
  ...items.slice(0, by % items.length),
];

interface StepContext {
  stack: RunningStack;
  routerUrl: string;
  request: Request;
  customers: Customer[];
  products: string[];
  /**
   * Every order id of the run so far, accepted or found unanswered (the API lists the customers'
   * earlier orders too).
   */
  knownSoFar: Set<string>;
}

/** A step's figures, and the CPU seconds each process used from its start to the end of its checks. */
type Step = StepResult & { cpuSeconds: Record<string, number> };

/** One step: `rate` orders/s for `seconds`, then the settle wait and the checks. */
async function runStep(context: StepContext, rate: number, seconds: number): Promise<Step> {
  const { request, customers, products } = context;
  const stockBefore = await availableStock(request, products);
  const cpuBefore = stackCpuSeconds(context.stack);
  const wsUrl = context.routerUrl.replace(/^http/, 'ws');
  const clients = new Map<string, Client>();
  await Promise.all(customers.map(async (c) => clients.set(c.id, await connect(wsUrl, c))));
  const records = new Map<PlacedOrder, OrderRecord>();
  const recordOf = (order: PlacedOrder, productId: string) => {
    let record = records.get(order);
    if (!record) {
      record = {
        productId,
        startedAt: order.startedAt,
        tries: 0,
        refusals: [],
        seen: { statuses: [], errors: [] },
      };
      records.set(order, record);
    }
    return record;
  };
  try {
    // One load per product at rate/products, each started 1/rate after the previous: evenly spaced.
    const startedAt = Date.now();
    const loads = [];
    for (const [i, productId] of products.entries()) {
      const due = startedAt + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      loads.push({
        productId,
        load: orderLoad({
          routerUrl: context.routerUrl,
          customers: rotate(customers, Math.floor((i * customers.length) / products.length)),
          productId,
          rate: rate / products.length,
          giveUpMs: giveUpS * 1000,
          onAccepted: (order) => {
            const record = recordOf(order, productId);
            record.acceptedAt = order.acceptedAt;
            record.orderId = order.orderId;
            follow(clients.get(order.customer.id)!, record);
          },
        }),
      });
    }
    const end = startedAt + seconds * 1000;
    if (end > Date.now()) await sleep(end - Date.now());
    const loadS = (Date.now() - startedAt) / 1000;
    const placed = await Promise.all(
      loads.map(async ({ productId, load }) => ({ productId, orders: await load.stop() })),
    );
    const orders: OrderRecord[] = [];
    for (const { productId, orders: list } of placed)
      for (const order of list) {
        const record = recordOf(order, productId);
        Object.assign(record, { tries: order.tries, refusals: order.refusals });
        orders.push(record);
      }
    orders.sort((a, b) => a.startedAt - b.startedAt);
    const accepted = orders.filter((o) => o.orderId !== undefined);
    for (const o of accepted) context.knownSoFar.add(o.orderId!);
    console.log(
      `  ${rate}/s: ${orders.length} offered, ${accepted.length} accepted; waiting for them to settle ...`,
    );

    const deadline = Date.now() + settleS * 1000;
    await waitUntil(() => accepted.every((o) => o.seen.terminal), deadline);
    let listed = await listAll(request, customers);
    const statusOf = (id: string) => listed.get(id)?.status;
    const allSettled = () => [...listed.values()].every((order) => isTerminal(order.status));
    while (!(allSettled() && accepted.every((o) => listed.has(o.orderId!))) && Date.now() < deadline) {
      await sleep(1_000);
      listed = await listAll(request, customers);
    }
    for (const o of accepted) o.apiStatus = statusOf(o.orderId!);
    const unansweredIds = [...listed.keys()].filter((id) => !context.knownSoFar.has(id));
    for (const id of unansweredIds) context.knownSoFar.add(id);
    const unanswered = await unansweredOrders(request, listed, unansweredIds);

    // A cancellation's stock comes back through an event: give the stock until the deadline to agree.
    const confirmedOf = (productId: string) =>
      accepted.filter((o) => o.productId === productId && o.apiStatus === 'CONFIRMED').length +
      unanswered
        .filter((o) => o.status === 'CONFIRMED')
        .flatMap((o) => o.lines)
        .filter((line) => line.productId === productId)
        .reduce((sum, line) => sum + line.quantity, 0);
    let stockAfter = await availableStock(request, products);
    const exact = () => products.every((id, i) => stockBefore[i]! - stockAfter[i]! === confirmedOf(id));
    while (!exact() && Date.now() < deadline) {
      await sleep(500);
      stockAfter = await availableStock(request, products);
    }
    const step = summarizeStep({
      rate,
      durationS: seconds,
      loadS,
      startedAt,
      orders,
      stock: products.map((productId, i) => ({ productId, before: stockBefore[i]!, after: stockAfter[i]! })),
      unanswered,
    });
    return { ...step, cpuSeconds: cpuBetween(cpuBefore, stackCpuSeconds(context.stack)) };
  } finally {
    await Promise.all([...clients.values()].map(async (client) => client.dispose()));
  }
}

const largestStep = Math.max(...rates) * durationS;
const perConnection = Math.ceil(largestStep / customerCount) + 20;
const stockPerProduct =
  Math.ceil(rates.reduce((sum, rate) => sum + rate * durationS, 0) + WARMUP_RATE * warmupS) + 100;
console.log(
  `starting an isolated stack (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION=${perConnection}) for steps of ${rates.join(', ')} orders/s, ${durationS} s each ...`,
);
const stack = await startStack({
  isolated: true,
  env: {
    LOG_LEVEL: 'warn',
    // One connection per customer carries every open order of that customer; the default cap is 20.
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: String(perConnection),
  },
});
try {
  const client = routerClient(stack.routerUrl);
  const admin = await client.adminToken();
  const products: string[] = [];
  for (let i = 0; i < productCount; i += 1)
    products.push(await client.stockedProduct(admin, stockPerProduct));
  console.log(
    `seeded ${productCount} products with ${stockPerProduct} units each; registering ${customerCount} customers ...`,
  );
  const customers = await client.customers(customerCount);
  const context: StepContext = {
    stack,
    routerUrl: stack.routerUrl,
    request: client.request,
    customers,
    products,
    knownSoFar: new Set(),
  };
  if (warmupS > 0) {
    // Not measured: the first orders of a fresh stack also wait for its consumers to join their groups.
    console.log(`warm-up: ${WARMUP_RATE} orders/s for ${warmupS} s`);
    const warmup = await runStep(context, WARMUP_RATE, warmupS);
    console.log(
      `  warm-up: ${warmup.accepted} of ${warmup.offered} accepted, ${warmup.statuses.CONFIRMED ?? 0} CONFIRMED, placed-to-CONFIRMED max ${warmup.confirmedMs.max} ms`,
    );
  }
  const steps: Step[] = [];
  for (const rate of rates) {
    console.log(`step: ${rate} orders/s for ${durationS} s`);
    steps.push(await runStep(context, rate, durationS));
  }
  const targets = verdicts(steps);
  console.log('');
  console.log(
    `orders through the router: ${customerCount} customers (one graphql-ws connection each), ${productCount} products, settle ${settleS} s`,
  );
  console.log(formatSteps(steps));
  console.log('');
  for (const step of steps) {
    const top = Object.entries(step.cpuSeconds).filter(([name], i) => i < 6 || name === 'bench');
    const total = Object.values(step.cpuSeconds).reduce((sum, seconds) => sum + seconds, 0);
    const perOrder = step.offered ? Math.round((total * 1000) / step.offered) : Number.NaN;
    console.log(
      `CPU seconds at ${step.rate}/s (load and settle): ${total.toFixed(1)} in all, ${perOrder} ms per offered order; ${top.map(([name, s]) => `${name} ${s}`).join(', ')}`,
    );
  }
  console.log('');
  console.log(formatVerdicts(targets));
  const results = {
    rates,
    durationS,
    customers: customerCount,
    products: productCount,
    settleS,
    warmupS,
    giveUpS,
    stockPerProduct,
    maxSubscriptionsPerConnection: perConnection,
    steps,
    targets,
  };
  // --out (the smoke run) instead of .local/bench/orders.json, which keeps the last real run's figures.
  const file = values.out ?? (await writeResults('orders', results));
  if (values.out) await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nfigures written to ${file}`);
} finally {
  await stack.stop();
}
