/**
 * What the benchmarks share: a client of the router, the development admin, a catalog corner of their
 * own, customers, percentiles, and an open-loop order load (orders at a fixed rate, each retried with
 * its idempotency key while the stack refuses it, as a storefront would).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { graphql, type GraphQLResponse } from '../../platform/src/testing/graphql-client.js';
import { DEV_ADMIN, ROOT } from '../../scripts/stack.js';

export const ADDRESS = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      status
    }
  }
`;

/** The `p`-th percentile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Ascending copy. */
export const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** Writes a benchmark's figures as JSON under `.local/bench/<name>.json`; resolves the path. */
export async function writeResults(name: string, results: unknown): Promise<string> {
  const dir = join(process.env.INFRA_DIR ?? join(ROOT, '.local'), 'bench');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** A client of one router. */
export function routerClient(routerUrl: string) {
  const request = <D = any>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    graphql<D>(routerUrl, query, variables, token ? { token } : {});
  const ok = <D = any>(response: GraphQLResponse<D>, what: string): D => {
    if (response.errors || !response.data)
      throw new Error(`${what} failed: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  return {
    request,
    async adminToken(): Promise<string> {
      const login = await request(
        'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
        DEV_ADMIN,
      );
      return ok(login, 'admin login').login.accessToken;
    },
    /** A category and one product in it with `stock` units; resolves the product id. */
    async stockedProduct(admin: string, stock: number, price = '3.00'): Promise<string> {
      const tag = randomUUID().slice(0, 8);
      const category = ok(
        await request(
          'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
          { input: { name: `Bench ${tag}` } },
          admin,
        ),
        'createCategory',
      ).createCategory.id;
      const product = ok(
        await request(
          'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
          { input: { sku: `BENCH-${tag}`, name: `Bench item ${tag}`, price, categoryId: category } },
          admin,
        ),
        'createProduct',
      ).createProduct.id;
      ok(
        await request(
          'mutation($id: ID!, $delta: Int!) { adjustStock(productId: $id, delta: $delta) { id } }',
          { id: product, delta: stock },
          admin,
        ),
        'adjustStock',
      );
      return product;
    },
    /** Registers `count` customers, a few at a time (password hashing is deliberately slow). */
    async customers(count: number): Promise<{ id: string; token: string }[]> {
      const made: { id: string; token: string }[] = [];
      while (made.length < count) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(4, count - made.length) }, async () => {
            const registered = ok(
              await request(
                'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
                {
                  input: {
                    email: `bench-${randomUUID()}@example.com`,
                    password: 'correct horse battery',
                    name: 'Bench',
                  },
                },
              ),
              'register',
            ).register;
            return { id: registered.user.id as string, token: registered.accessToken as string };
          }),
        );
        made.push(...batch);
      }
      return made;
    },
  };
}

/** A 503's `Retry-After` (seconds) in milliseconds, if the answer had one. */
export function retryAfterMs(
  response: Partial<Pick<GraphQLResponse, 'status' | 'headers'>>,
): number | undefined {
  if (response.status !== 503) return undefined;
  const seconds = Number(response.headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * The wait before retry number `tries` (1 after the first refusal): 100 ms doubling per try up to 5 s,
 * and never less than the answer's `Retry-After`.
 */
export function retryWaitMs(
  tries: number,
  response: Partial<Pick<GraphQLResponse, 'status' | 'headers'>>,
): number {
  const backoff = Math.min(5_000, 100 * 2 ** Math.max(0, tries - 1));
  return Math.max(backoff, retryAfterMs(response) ?? 0);
}

/** One order of an {@link orderLoad}. */
export interface PlacedOrder {
  key: string;
  customer: { id: string; token: string };
  /** When the load decided to place it. */
  startedAt: number;
  /** When placeOrder first answered with the order (undefined: never, within `giveUpMs`). */
  acceptedAt?: number;
  orderId?: string;
  tries: number;
  /** Error codes of the refused tries, in order. */
  refusals: string[];
}

/**
 * Places orders at `rate` per second (open loop: a slow answer does not slow the rate), round-robin over
 * `customers`, each retried with its idempotency key while refused, for at most `giveUpMs` (default
 * 30 s), as the README tells clients to: after a 503's `Retry-After` (the stack shedding load), with
 * exponential backoff ({@link retryWaitMs}).
 * `onAccepted` sees each order as soon as placeOrder returns it.
 */
export function orderLoad(options: {
  routerUrl: string;
  customers: { id: string; token: string }[];
  productId: string;
  rate: number;
  giveUpMs?: number;
  onAccepted?: (order: PlacedOrder) => void;
}) {
  const { request } = routerClient(options.routerUrl);
  const orders: PlacedOrder[] = [];
  const inFlight = new Set<Promise<void>>();
  const giveUpMs = options.giveUpMs ?? 30_000;
  const place = async (order: PlacedOrder) => {
    while (Date.now() - order.startedAt < giveUpMs) {
      order.tries += 1;
      const response = await request(
        PLACE_ORDER,
        {
          input: {
            idempotencyKey: order.key,
            items: [{ productId: options.productId, quantity: 1 }],
            paymentToken: 'tok_visa',
            shippingAddress: ADDRESS,
          },
        },
        order.customer.token,
      ).catch(
        (error: unknown) =>
          ({ errors: [{ message: String(error), extensions: { code: 'NETWORK' } }] }) as GraphQLResponse,
      );
      const id = response.data?.placeOrder?.id as string | undefined;
      if (!response.errors && id) {
        order.acceptedAt = Date.now();
        order.orderId = id;
        options.onAccepted?.(order);
        return;
      }
      order.refusals.push(
        response.errors?.map((e) => e.extensions?.code ?? 'NO_CODE').join(',') ?? 'NO_DATA',
      );
      await sleep(retryWaitMs(order.tries, response));
    }
  };
  let running = true;
  const interval = 1000 / options.rate;
  const started = Date.now();
  const loop = (async () => {
    for (let n = 0; running; n += 1) {
      const due = started + n * interval;
      // One reading of the clock: a second one could be past `due` and ask for a negative wait.
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running) break;
      const order: PlacedOrder = {
        key: randomUUID(),
        customer: options.customers[n % options.customers.length]!,
        startedAt: Date.now(),
        tries: 0,
        refusals: [],
      };
      orders.push(order);
      const done: Promise<void> = place(order).finally(() => inFlight.delete(done));
      inFlight.add(done);
    }
  })();
  return {
    orders,
    /** Stops placing new orders; resolves once every order placed so far was accepted or given up. */
    async stop(): Promise<PlacedOrder[]> {
      running = false;
      await loop;
      while (inFlight.size) await Promise.all([...inFlight]);
      return orders;
    },
  };
}
