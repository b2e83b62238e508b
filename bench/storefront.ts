/**
 * Storefront benchmark (not a test; its smoke run is test/storefront.e2e.spec.ts): the whole local
 * stack under a storefront's mix, stepped up to saturation.
 *
 *   npm run bench:storefront -- [--users 2,4,8,16,32] [--duration 20] [--warmup 5] [--seed 20261207]
 *                               [--products 120] [--categories 6] [--idle 5] [--whole-sessions]
 *                               [--out <file>] [--env NAME=value ...]
 *
 * Starts its own isolated stack (every subgraph and the router as real processes on the local
 * Postgres, Redis and Kafka), seeds a catalog through the API as the development admin (`--categories`
 * categories, `--products` products with stock for every checkout) and registers one customer per
 * virtual user of the largest step. Virtual users run in a closed loop (each sends its next request
 * once the previous one answered), over keep-alive connections, the contract's operations
 * (schema/contract/operations.graphql) as the storefront sends them: browse/search = `Categories` and
 * `Products` (a category sorted, a search, the next page), product page = `Product` (with its
 * recommendations) and `ForYou` once per signed-in session, cart = `AddToCart`, `UpdateCartItem`,
 * `Cart`, checkout = `PlaceOrder` of the cart's line. Each virtual user alternates a guest session
 * and a signed-in one (half the sessions are signed in; carts and checkouts are the signed-in
 * customer's, the API has no guest carts); a pair of sessions is exactly 10:5:3:1 by request
 * (src/storefront/mix.ts), the order inside a session from `--seed`. Every answer is checked
 * (GraphQL errors, shape, the asked category, price order, the cart's line); an error counts by
 * operation and code.
 *
 * First the stack's CPU with no traffic for `--idle` seconds (what it costs before any request:
 * polls, heartbeats, timers). Each step runs `--warmup` seconds at its number of users, then
 * `--duration` seconds measured: req/s, p50/p99 per operation and overall, errors, CPU seconds of
 * every process of the stack (router and subgraphs, from /proc/<pid>/stat), of this load generator
 * and of Postgres, Redis and Kafka (every process of theirs on the machine, shared with whatever else
 * runs), and CPU ms per request. Then every order placed is read back (`Order`, as its customer)
 * until it is CONFIRMED or CANCELLED, and the saturation point (highest req/s), the p99 at the step
 * up to it nearest half of it and one line per P3 target are printed (targets are printed, never
 * asserted). `--whole-sessions` lets each user finish its pair of sessions after the step's time
 * (every kind runs, the mix is exact: smoke runs).
 * `--env` passes settings to every process of the stack (e.g. `--env ROUTER_WORKERS=2 --env
 * LOG_LEVEL=warn`); CPU of a process counts its child processes too (the router's workers).
 * Figures: .local/bench/storefront.json (or `--out`). Exits 1 on any error.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startStack, type RunningStack } from '../scripts/stack.js';
import { contract } from '../test/support/contract.js';
import { random, type Random } from './src/soak/load.js';
import { OPERATIONS, sessionPlan, type Kind, type Operation, type Step } from './src/storefront/mix.js';
import {
  cpuDelta,
  formatCpu,
  formatErrors,
  formatOperations,
  formatSteps,
  StepRecorder,
  summarizeStep,
  TODAY_RPS,
  verdict,
  type IdleCpu,
  type StepResult,
} from './src/storefront/report.js';
import { cpuSnapshot } from './support/cpu.js';
import { ADDRESS, routerClient, sleep, writeResults } from './support/shop.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '2,4,8,16,32' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    idle: { type: 'string', default: '5' },
    seed: { type: 'string', default: '20261207' },
    products: { type: 'string', default: '120' },
    categories: { type: 'string', default: '6' },
    'whole-sessions': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
  },
});
const steps = values.users.split(',').map(Number);
const durationMs = Number(values.duration) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const idleMs = Number(values.idle) * 1000;
const seed = Number(values.seed);
const productCount = Number(values.products);
const categoryCount = Number(values.categories);
const wholeSessions = values['whole-sessions'];
/** `--env NAME=value` (repeatable): extra environment for every process of the stack. */
const stackEnv = Object.fromEntries(
  values.env.map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--env ${pair}: expected NAME=value`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
if (steps.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--users: ${values.users}`);

/** Stock of every product: far more than the checkouts of a run take (at most 3 units each). */
const STOCK = 10_000;
const PAGE = 12;
const SORTS = ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'NAME_ASC'] as const;
const ADJECTIVES = ['walnut', 'copper', 'linen', 'granite', 'velvet', 'amber', 'cobalt', 'maple', 'slate'];
const NOUNS = ['kettle', 'lamp', 'chair', 'backpack', 'headphones', 'mug', 'blanket', 'notebook', 'speaker'];

/** The contract's operations, as storefronts send them. */
const QUERIES = Object.fromEntries(
  [...OPERATIONS, 'Order' as const].map((name) => [name, contract(name)]),
) as Record<Operation | 'Order', string>;

// ---------------------------------------------------------------- the client

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function post(url: URL, body: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

interface Answer {
  data?: any;
  error?: { code: string; message: string };
  ms: number;
}

/** Sends one operation; never throws: a failure is an answer with an error code. */
async function send(url: URL, op: Operation | 'Order', variables: object, token?: string): Promise<Answer> {
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    ({ status, text } = await post(url, JSON.stringify({ query: QUERIES[op], variables }), token));
  } catch (error) {
    return { ms: performance.now() - started, error: { code: 'NETWORK', message: String(error) } };
  }
  const ms = performance.now() - started;
  let body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return { ms, error: { code: `HTTP_${status}`, message: text.slice(0, 300) } };
  }
  if (body.errors?.length) {
    const code = [...new Set(body.errors.map((e) => e.extensions?.code ?? 'NO_CODE'))].join(',');
    return { ms, error: { code, message: body.errors[0]!.message } };
  }
  if (status !== 200 || !body.data)
    return { ms, error: { code: `HTTP_${status}`, message: text.slice(0, 300) } };
  return { ms, data: body.data };
}

class WrongShape extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new WrongShape(message);
}
const isMoney = (money: any) => typeof money?.amount === 'string' && typeof money?.currencyCode === 'string';

// ---------------------------------------------------------------- the catalog and the customers

interface Catalog {
  categories: string[];
  products: { id: string; categoryId: string }[];
  /** Words of the products' names, for searches that find something. */
  words: string[];
}

async function seedCatalog(stack: RunningStack, rng: Random): Promise<Catalog> {
  const client = routerClient(stack.routerUrl);
  const admin = await client.adminToken();
  const tag = randomUUID().slice(0, 6);
  const ok = (response: { data?: any; errors?: unknown }, what: string) => {
    if (response.errors || !response.data) throw new Error(`${what}: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  const categories: string[] = [];
  for (let n = 0; n < categoryCount; n += 1) {
    const created = ok(
      await client.request(
        'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
        { input: { name: `Storefront ${tag} ${n}` } },
        admin,
      ),
      'createCategory',
    );
    categories.push(created.createCategory.id);
  }
  const products: Catalog['products'] = [];
  const words = new Set<string>();
  const createOne = async (n: number) => {
    const [adjective, noun] = [ADJECTIVES[n % ADJECTIVES.length]!, NOUNS[Math.floor(n / 3) % NOUNS.length]!];
    words.add(adjective).add(noun);
    const categoryId = categories[n % categories.length]!;
    const id = ok(
      await client.request(
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        {
          input: {
            sku: `SF-${tag}-${n}`,
            name: `${adjective} ${noun} ${tag}${n}`,
            description: `A ${adjective} ${noun} for the storefront benchmark.`,
            price: `${rng.int(3, 199)}.${rng.pick(['00', '49', '99'])}`,
            categoryId,
          },
        },
        admin,
      ),
      'createProduct',
    ).createProduct.id as string;
    ok(
      await client.request(
        'mutation($id: ID!, $delta: Int!) { adjustStock(productId: $id, delta: $delta) { id } }',
        { id, delta: STOCK },
        admin,
      ),
      'adjustStock',
    );
    products.push({ id, categoryId });
  };
  for (let n = 0; n < productCount; n += 4)
    await Promise.all(Array.from({ length: Math.min(4, productCount - n) }, (_, k) => createOne(n + k)));
  products.sort((a, b) => a.id.localeCompare(b.id));
  return { categories, products, words: [...words].sort() };
}

// ---------------------------------------------------------------- the virtual users

interface PlacedOrder {
  id: string;
  token: string;
}

/** One virtual user: a customer of its own, alternating guest and signed-in sessions. */
class Shopper {
  private plan: Step[] = [];
  private position = 0;
  private sessions = 0;
  private signedIn: boolean;
  private listing?: { variables: Record<string, any>; endCursor: string };
  private purchase?: { productId: string; quantity: number };
  private readonly recentlyOrdered: string[] = [];

  constructor(
    private readonly url: URL,
    private readonly customer: { id: string; token: string },
    private readonly catalog: Catalog,
    private readonly rng: Random,
    index: number,
    private readonly orders: PlacedOrder[],
  ) {
    // Half the users start signed in, so about half of the sessions running at any time are.
    this.signedIn = index % 2 === 1;
  }

  /** Between two pairs of sessions (a guest one and a signed-in one). */
  get atPairBoundary(): boolean {
    if (this.position < this.plan.length) return false;
    const completed = this.sessions + (this.plan.length > 0 ? 1 : 0);
    return completed % 2 === 0;
  }

  /** Sends the next request of the session (a new session when the last one is over). */
  async next(record: (op: Operation, kind: Kind, ms: number, error?: Answer['error']) => void) {
    if (this.position >= this.plan.length) {
      if (this.plan.length > 0) {
        this.sessions += 1;
        this.signedIn = !this.signedIn;
      }
      this.plan = sessionPlan(this.signedIn, this.rng);
      this.position = 0;
    }
    const step = this.plan[this.position++]!;
    const { op, variables, verify } = this.request(step);
    const answer = await send(this.url, op, variables, this.signedIn ? this.customer.token : undefined);
    let error = answer.error;
    if (!error) {
      try {
        verify(answer.data);
      } catch (problem) {
        if (!(problem instanceof WrongShape)) throw problem;
        error = { code: 'WRONG_SHAPE', message: problem.message };
      }
    }
    record(op, step.kind, answer.ms, error);
  }

  private pickProduct(avoid: readonly string[] = []) {
    const candidates = this.catalog.products.filter((p) => !avoid.includes(p.id));
    return this.rng.pick(candidates.length ? candidates : this.catalog.products).id;
  }

  private request(step: Step): { op: Operation; variables: object; verify: (data: any) => void } {
    switch (step.op) {
      case 'Categories':
        return {
          op: 'Categories',
          variables: {},
          verify: (data) => {
            check(Array.isArray(data.categories), 'categories is not a list');
            const ids = new Set(data.categories.map((c: any) => c.id));
            check(
              this.catalog.categories.every((id) => ids.has(id)),
              'a seeded category is missing',
            );
            check(
              data.categories.every((c: any) => typeof c.productCount === 'number'),
              'productCount missing',
            );
          },
        };
      case 'Products':
        return this.listing && step.variant === 'nextPage'
          ? this.products({ ...this.listing.variables, after: this.listing.endCursor })
          : step.variant === 'search'
            ? this.products({ first: PAGE, filter: { query: this.searchText() } })
            : this.products({
                first: PAGE,
                filter: { categoryId: this.rng.pick(this.catalog.categories) },
                sort: this.rng.pick(SORTS),
              });
      case 'Product': {
        const id = this.pickProduct();
        return {
          op: 'Product',
          variables: { id },
          verify: (data) => {
            const product = data.product;
            check(product?.id === id, `product ${id} answered ${product?.id}`);
            check(
              typeof product.name === 'string' && isMoney(product.price),
              'product without name or price',
            );
            check(typeof product.availableQuantity === 'number', 'availableQuantity missing');
            check(
              Array.isArray(product.recommendations) && product.recommendations.length <= 4,
              'recommendations is not a list of at most 4',
            );
            check(
              product.recommendations.every((r: any) => r.id !== id && isMoney(r.price)),
              'recommendations hold the product itself or lack a price',
            );
          },
        };
      }
      case 'ForYou':
        return {
          op: 'ForYou',
          variables: { first: 4 },
          verify: (data) => {
            check(data.me?.id === this.customer.id, 'me is not the customer');
            check(
              Array.isArray(data.me.recommendedProducts) && data.me.recommendedProducts.length <= 4,
              'recommendedProducts is not a list of at most 4',
            );
          },
        };
      case 'AddToCart': {
        const productId = this.pickProduct(this.recentlyOrdered);
        this.purchase = { productId, quantity: 1 };
        return {
          op: 'AddToCart',
          variables: { productId, quantity: 1 },
          verify: (data) => {
            check(typeof data.addToCart?.id === 'string', 'addToCart without cart id');
            check(
              data.addToCart.items.some((i: any) => i.product?.id === productId && i.quantity >= 1),
              'the added product is not in the cart',
            );
          },
        };
      }
      case 'UpdateCartItem': {
        const quantity = this.rng.int(1, 3);
        const productId = this.purchase?.productId ?? this.pickProduct();
        this.purchase = { productId, quantity };
        return {
          op: 'UpdateCartItem',
          variables: { productId, quantity },
          verify: (data) =>
            check(
              data.updateCartItem?.items?.some(
                (i: any) => i.product?.id === productId && i.quantity === quantity,
              ),
              `the cart has not ${quantity} of the product`,
            ),
        };
      }
      case 'Cart': {
        const expected = this.purchase;
        return {
          op: 'Cart',
          variables: {},
          verify: (data) => {
            const cart = data.cart;
            check(typeof cart?.id === 'string' && isMoney(cart.subtotal), 'cart without id or subtotal');
            check(Array.isArray(cart.items), 'cart items is not a list');
            check(
              cart.items.every((i: any) => isMoney(i.lineTotal) && typeof i.product?.name === 'string'),
              'a cart line lacks its total or product',
            );
            if (expected)
              check(
                cart.items.some(
                  (i: any) => i.product.id === expected.productId && i.quantity === expected.quantity,
                ),
                `the cart has not ${expected.quantity} of the product`,
              );
          },
        };
      }
      case 'PlaceOrder': {
        const line = this.purchase ?? { productId: this.pickProduct(), quantity: 1 };
        this.purchase = undefined;
        // The cart's ordered lines leave it asynchronously (orders.order.placed.v1): the next purchases
        // of this customer pick other products, so a late removal never takes their line.
        this.recentlyOrdered.push(line.productId);
        if (this.recentlyOrdered.length > 4) this.recentlyOrdered.shift();
        return {
          op: 'PlaceOrder',
          variables: {
            input: {
              idempotencyKey: randomUUID(),
              items: [line],
              paymentToken: 'tok_visa',
              shippingAddress: ADDRESS,
            },
          },
          verify: (data) => {
            const order = data.placeOrder;
            check(typeof order?.id === 'string' && isMoney(order.total), 'placeOrder without id or total');
            check(
              order.items?.length === 1 &&
                order.items[0].product?.id === line.productId &&
                order.items[0].quantity === line.quantity,
              'the order does not hold the cart line',
            );
            this.orders.push({ id: order.id, token: this.customer.token });
          },
        };
      }
    }
  }

  private searchText() {
    const word = this.rng.pick(this.catalog.words);
    return this.rng.chance(0.5) ? word.slice(0, 4) : word;
  }

  private products(variables: Record<string, any>) {
    const categoryId: string | undefined = variables.filter?.categoryId;
    const searching = Boolean(variables.filter?.query);
    return {
      op: 'Products' as const,
      variables,
      verify: (data: any) => {
        const page = data.products;
        check(typeof page?.totalCount === 'number' && Array.isArray(page.edges), 'products is not a page');
        check(page.edges.length <= variables.first, 'more products than asked for');
        check(page.totalCount >= page.edges.length, 'totalCount below the page');
        const nodes = page.edges.map((e: any) => e.node);
        check(
          nodes.every((n: any) => typeof n.id === 'string' && isMoney(n.price)),
          'a product lacks id or price',
        );
        if (categoryId)
          check(
            nodes.every((n: any) => n.category?.id === categoryId),
            'a product of another category',
          );
        if (searching && !variables.after)
          check(page.totalCount > 0, `search "${variables.filter.query}" found nothing`);
        const prices = nodes.map((n: any) => Number(n.price.amount));
        if (variables.sort === 'PRICE_ASC')
          check(
            prices.every((p: number, i: number) => i === 0 || prices[i - 1] <= p),
            'not sorted by price',
          );
        if (variables.sort === 'PRICE_DESC')
          check(
            prices.every((p: number, i: number) => i === 0 || prices[i - 1] >= p),
            'not sorted by price',
          );
        this.listing = page.pageInfo?.hasNextPage
          ? { variables: { ...variables, after: undefined }, endCursor: page.pageInfo.endCursor }
          : undefined;
      },
    };
  }
}

// ---------------------------------------------------------------- steps, orders, report

async function runStep(shoppers: Shopper[], users: number, pids: () => Map<string, number | undefined>) {
  const active = shoppers.slice(0, users);
  const warmup = new StepRecorder();
  const measured = new StepRecorder();
  let recorder = warmupMs > 0 ? warmup : measured;
  const stopAt = performance.now() + warmupMs + durationMs;
  const record = (op: Operation, kind: Kind, ms: number, error?: Answer['error']) =>
    recorder.record(op, kind, ms, error);
  const loops = Promise.all(
    active.map(async (shopper) => {
      while (performance.now() < stopAt || (wholeSessions && !shopper.atPairBoundary))
        await shopper.next(record);
    }),
  );
  if (warmupMs > 0) await sleep(warmupMs);
  recorder = measured;
  const before = cpuSnapshot(pids());
  const started = performance.now();
  await loops;
  const seconds = (performance.now() - started) / 1000;
  return summarizeStep({ users, seconds, recorder: measured, warmup, before, after: cpuSnapshot(pids()) });
}

/** CPU of every process over `--idle` seconds without traffic, after 3 s of quiet (none with `--idle 0`). */
async function measureIdle(pids: () => Map<string, number | undefined>): Promise<IdleCpu | undefined> {
  if (idleMs <= 0) return undefined;
  // The set-up's own events (products created, customers registered) settle first.
  await sleep(3_000);
  const before = cpuSnapshot(pids());
  const started = performance.now();
  await sleep(idleMs);
  const after = cpuSnapshot(pids());
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuDelta(before, after) };
}

/** Reads every order back as its customer until it is settled; resolves the count by status. */
async function verifyOrders(url: URL, orders: PlacedOrder[], errors: StepRecorder) {
  const byStatus: Record<string, number> = {};
  const deadline = performance.now() + 90_000;
  let found = 0;
  const queue = [...orders];
  const worker = async () => {
    for (let order = queue.shift(); order; order = queue.shift()) {
      for (;;) {
        const answer = await send(url, 'Order', { id: order.id }, order.token);
        if (answer.error) {
          errors.error('verification', answer.error.code, answer.error.message);
          break;
        }
        const status = answer.data.order?.status as string | undefined;
        if (answer.data.order?.id !== order.id) {
          errors.error('verification', 'NOT_FOUND', `order ${order.id} not found`);
          break;
        }
        if (status === 'CONFIRMED' || status === 'CANCELLED' || performance.now() > deadline) {
          found += 1;
          byStatus[status!] = (byStatus[status!] ?? 0) + 1;
          break;
        }
        await sleep(250);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { placed: orders.length, found, byStatus };
}

async function main() {
  const rng = random(seed);
  const load = () =>
    loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
  console.log(
    `storefront: users ${steps.join(',')}, ${durationMs / 1000} s per step after ${warmupMs / 1000} s of warm-up, ` +
      `seed ${seed}; ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${load()}`,
  );
  const stack = await startStack({ isolated: true, env: stackEnv });
  try {
    const url = new URL(stack.routerUrl);
    const catalog = await seedCatalog(stack, rng);
    const customers = await routerClient(stack.routerUrl).customers(Math.max(...steps));
    console.log(
      `stack up (router ${stack.routerUrl}); ${catalog.categories.length} categories, ${catalog.products.length} ` +
        `products, ${customers.length} customers`,
    );
    const orders: PlacedOrder[] = [];
    const shoppers = customers.map(
      (customer, index) =>
        new Shopper(url, customer, catalog, random((seed + index * 0x9e3779b1) >>> 0), index, orders),
    );
    const pids = () => new Map([...stack.processes].map(([name, p]) => [name, p.child.pid]));
    const idle = await measureIdle(pids);
    const results: StepResult[] = [];
    for (const users of steps) {
      const result = await runStep(shoppers, users, pids);
      results.push(result);
      console.log(
        `  ${users} users: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.errors} errors, ` +
          `machine ${Math.round(result.machineBusy * 100)}% busy`,
      );
    }
    const verification = new StepRecorder();
    const checkedOrders = await verifyOrders(url, orders, verification);
    const warmupErrors = results.flatMap((r) => r.warmupErrors);
    const otherErrors = [...warmupErrors, ...verification.errors.values()];
    const summary = verdict(
      results,
      otherErrors.reduce((n, e) => n + e.count, 0),
    );

    console.log('');
    for (const line of formatSteps(results)) console.log(line);
    console.log('');
    for (const line of formatOperations(results)) console.log(line);
    console.log('');
    for (const line of formatCpu(results, idle)) console.log(line);
    const allErrors = [...results.flatMap((r) => r.errorsByCode), ...otherErrors];
    if (allErrors.length) {
      console.log('\nerrors (steps, warm-ups, verification):');
      for (const line of formatErrors(allErrors)) console.log(line);
    }
    console.log(
      `\norders: ${checkedOrders.placed} placed, ${checkedOrders.found} read back: ` +
        Object.entries(checkedOrders.byStatus)
          .map(([status, n]) => `${n} ${status}`)
          .join(', '),
    );
    console.log(
      `saturation: ${summary.saturation.rps} req/s at ${summary.saturation.users} users (today ~${TODAY_RPS}); ` +
        `half of it: ${summary.half.rps} req/s at ${summary.half.users} users, p99 ${summary.half.p99} ms`,
    );
    for (const target of summary.targets)
      console.log(`P3 ${target.target}: ${target.met ? 'met' : 'NOT met'} (${target.value})`);
    console.log(`load average now ${load()}`);

    const figures = {
      options: { users: steps, durationMs, warmupMs, seed, wholeSessions, env: stackEnv },
      machine: {
        cores: cpus().length,
        model: cpus()[0]?.model.trim(),
        node: process.version,
        loadavg: loadavg(),
      },
      catalog: { categories: catalog.categories.length, products: catalog.products.length, stock: STOCK },
      customers: customers.length,
      services: [...stack.processes.keys()],
      idle,
      steps: results,
      orders: checkedOrders,
      errors: allErrors,
      verdict: summary,
    };
    let file: string;
    if (values.out) {
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, `${JSON.stringify(figures, null, 2)}\n`);
      file = values.out;
    } else file = await writeResults('storefront', figures);
    console.log(`figures: ${file}`);
    process.exitCode = summary.errors === 0 && checkedOrders.found === checkedOrders.placed ? 0 : 1;
  } finally {
    agent.destroy();
    await stack.stop();
  }
}

await main();
// Kafka clients of the stack's helpers may hold the event loop a while longer.
process.exit();
