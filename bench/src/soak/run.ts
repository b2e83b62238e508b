/**
 * The soak: its own infrastructure (scripts/infra.sh: Postgres, Redis, three Kafka nodes), an
 * isolated stack on it with a TCP proxy between the router and the products subgraph, a catalog
 * corner and customers of its own; then phases of load with a fault schedule, after each of which
 * the stack settles and the history checker reads every database and the client log.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { graphql } from '../../../platform/src/testing/graphql-client.js';
import { startTcpProxy, type TcpProxy } from '../../../platform/src/testing/tcp-proxy.js';
import { DEV_ADMIN, startStack, type RunningStack } from '../../../scripts/stack.js';
import { ClientLog } from './client-log.js';
import { readDatabases, settle } from './collect.js';
import { plan, runFaults, type FaultKind } from './faults.js';
import { checkHistory, type Report } from './history.js';
import { soakInfra, type SoakInfra, type SoakInfraOptions } from './infra.js';
import { random, startLoad, type Customer, type LoadOptions } from './load.js';

export interface SoakOptions extends SoakInfraOptions {
  seed: number;
  customers: number;
  products: number;
  /** Units on hand per product before the load. */
  stockPerProduct: number;
  /** The subgraph the router reaches through the TCP proxy (default products). */
  proxied?: string;
  /** Extra environment for every process of the stack. */
  env?: Record<string, string>;
  /** Where the client log (JSONL) goes. */
  logFile: string;
}

export interface PhaseOptions {
  seconds: number;
  faultsPerKind: number;
  /** Bounded wait for the stack to settle afterwards (default 180 s). */
  settleMs?: number;
  load?: Partial<Pick<LoadOptions, 'orderRate' | 'browseRate' | 'resendRate' | 'cancelRate' | 'declineRate'>>;
}

export interface PhaseResult {
  report: Report;
  seconds: number;
  faults: FaultKind[];
  load: ReturnType<typeof startLoad>['stats'];
  settleMs: number;
  /** Empty when the stack settled; else what was still moving (orders left open, with their state). */
  waiting: string[];
}

/** Copies every `*.log` of `from` into `to` (emptied first). */
async function keepLogs(from: string, to: string) {
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  for (const file of await readdir(from))
    if (file.endsWith('.log')) await copyFile(join(from, file), join(to, file));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function ok<D = any>(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await graphql<D>(url, query, variables, token ? { token } : {});
  if (response.errors || !response.data) throw new Error(`setup failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** Points the router's supergraph at the proxy for `name` (the router is restarted to serve it). */
async function routeThrough(stack: RunningStack, name: string, proxy: TcpProxy) {
  const direct = stack.subgraphUrls[name]!;
  const sdl = await readFile(stack.supergraphPath, 'utf8');
  const needle = `url: "${direct}"`;
  if (sdl.split(needle).length !== 2) throw new Error(`the supergraph names ${direct} not exactly once`);
  await writeFile(stack.supergraphPath, sdl.replace(needle, `url: "http://127.0.0.1:${proxy.port}/graphql"`));
  await stack.processes.get('router')!.restart();
}

export interface Soak {
  readonly stack: RunningStack;
  readonly infra: SoakInfra;
  readonly log: ClientLog;
  /** One phase of load and faults, then settle and check the whole history so far. */
  phase(options: PhaseOptions): Promise<PhaseResult>;
  stop(): Promise<void>;
}

/** Starts the infrastructure, the stack and the soak's catalog and customers. */
export async function startSoak(options: SoakOptions): Promise<Soak> {
  const rng = random(options.seed);
  const infra = soakInfra(options);
  const savedEnv = { ...process.env };
  await mkdir(options.dir, { recursive: true });
  await infra.up();
  // The stack's processes, the Kafka admin and the database reads of this process use the soak's
  // infrastructure until stop().
  Object.assign(process.env, infra.clientEnv);
  let stack: RunningStack | undefined;
  let proxy: TcpProxy | undefined;
  const log = new ClientLog(options.logFile);
  const stop = async () => {
    // The services' logs outlive the run (an isolated stack's folder goes with it): <dir>/logs.
    if (stack) await keepLogs(dirname(stack.supergraphPath), join(options.dir, 'logs'));
    await stack?.stop().catch((error) => log.note('stack stop failed', { error: String(error) }));
    await proxy?.close();
    await log.close();
    await infra.down();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  };
  try {
    stack = await startStack({
      isolated: true,
      env: { LOG_LEVEL: 'warn', ...infra.clientEnv, ...options.env },
    });
    const proxied = options.proxied ?? 'products';
    const target = new URL(stack.subgraphUrls[proxied]!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    await routeThrough(stack, proxied, proxy);

    const url = stack.routerUrl;
    const admin = (
      await ok(
        url,
        'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
        DEV_ADMIN,
      )
    ).login.accessToken as string;
    const tag = randomUUID().slice(0, 8);
    const category = (
      await ok(
        url,
        'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
        { input: { name: `Soak ${tag}` } },
        admin,
      )
    ).createCategory.id as string;
    const products: string[] = [];
    const initialStock: Record<string, number> = {};
    for (let i = 0; i < options.products; i++) {
      const id = (
        await ok(
          url,
          'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
          {
            input: {
              sku: `SOAK-${tag}-${i}`,
              name: `Soak item ${tag} ${i}`,
              price: `${rng.int(2, 40)}.50`,
              categoryId: category,
            },
          },
          admin,
        )
      ).createProduct.id as string;
      await ok(
        url,
        'mutation($id: ID!, $delta: Int!) { adjustStock(productId: $id, delta: $delta) { id } }',
        { id, delta: options.stockPerProduct },
        admin,
      );
      products.push(id);
      initialStock[id] = options.stockPerProduct;
    }
    const customers: (Customer & { refreshToken: string })[] = [];
    while (customers.length < options.customers) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(4, options.customers - customers.length) }, async () => {
          const registered = (
            await ok(
              url,
              'mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }',
              {
                input: {
                  email: `soak-${randomUUID()}@example.com`,
                  password: 'correct horse battery',
                  name: 'Soak',
                },
              },
            )
          ).register;
          return {
            id: registered.user.id as string,
            token: registered.accessToken as string,
            refreshToken: registered.refreshToken as string,
          };
        }),
      );
      customers.push(...batch);
    }
    log.note('setup', {
      products,
      initialStock,
      customers: customers.map((c) => c.id),
      proxied,
      proxyPort: proxy.port,
    });

    // Access tokens live 15 minutes: each customer's session is refreshed every 5 (again 10 s later
    // when a fault refused it), so a long soak keeps signed-in clients.
    let refreshing: NodeJS.Timeout | undefined;
    const refresh = async (customer: (typeof customers)[number]) => {
      const response = await graphql(
        url,
        'mutation($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken } }',
        { refreshToken: customer.refreshToken },
      ).catch(() => undefined);
      const session = response?.data?.refreshSession;
      if (!session) return false;
      customer.token = session.accessToken;
      customer.refreshToken = session.refreshToken;
      return true;
    };
    const scheduleRefresh = (ms: number) => {
      refreshing = setTimeout(async () => {
        const done = await Promise.all(customers.map(refresh));
        scheduleRefresh(done.every(Boolean) ? 300_000 : 10_000);
      }, ms);
      refreshing.unref();
    };
    scheduleRefresh(300_000);

    const running = stack;
    const runningProxy = proxy;
    return {
      stack: running,
      infra,
      log,
      async phase(phase) {
        const started = Date.now();
        log.note('phase', { seconds: phase.seconds, faultsPerKind: phase.faultsPerKind });
        const load = startLoad({ routerUrl: url, log, customers, products, rng, ...phase.load });
        const planned = plan(phase.faultsPerKind, phase.seconds * 1_000);
        const kinds = planned.map((fault) => fault.kind);
        try {
          const faults = runFaults(planned, {
            stack: running,
            infra,
            proxy: runningProxy,
            proxied,
            log,
            rng,
          });
          await Promise.all([faults, sleep(phase.seconds * 1_000)]);
        } catch (error) {
          await load.stop();
          await load.closeSubscriptions();
          throw error;
        }
        await load.stop();
        const seconds = (Date.now() - started) / 1_000;
        const settleStarted = Date.now();
        try {
          const quiet = await settle(infra.clientEnv.DATABASE_URL, running, phase.settleMs ?? 180_000);
          if (!quiet.settled) log.note('did not settle', { waiting: quiet.waiting });
          // The last transitions reach their subscribers a moment after they commit.
          const until = Date.now() + 15_000;
          while (load.watching() > 0 && Date.now() < until) await sleep(200);
          const settleMs = Date.now() - settleStarted;
          const stored = await readDatabases(
            infra.clientEnv.DATABASE_URL,
            running,
            customers.map((c) => c.id),
          );
          const report = checkHistory({
            requests: log.requests,
            events: log.events,
            faults: log.faults,
            initialStock,
            customers: customers.map((c) => c.id),
            ...stored,
          });
          return { report, seconds, faults: kinds, load: load.stats, settleMs, waiting: quiet.waiting };
        } finally {
          await load.closeSubscriptions();
        }
      },
      async stop() {
        clearTimeout(refreshing);
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The soak's defaults: `npm run soak` (.local/soak, ports 5632, 6579, 9292/9293 and +10, +20). */
export function defaultSoakOptions(root: string): SoakOptions {
  const dir = process.env.SOAK_INFRA_DIR ?? join(root, '.local', 'soak');
  return {
    dir,
    pgPort: Number(process.env.SOAK_PGPORT ?? 5632),
    redisPort: Number(process.env.SOAK_REDIS_PORT ?? 6579),
    kafkaPort: Number(process.env.SOAK_KAFKA_PORT ?? 9292),
    kafkaControllerPort: Number(process.env.SOAK_KAFKA_CONTROLLER_PORT ?? 9293),
    seed: Number(process.env.SOAK_SEED ?? 20261203),
    customers: Number(process.env.SOAK_CUSTOMERS ?? 8),
    products: Number(process.env.SOAK_PRODUCTS ?? 6),
    stockPerProduct: 0,
    logFile: join(dir, 'client-log.jsonl'),
  };
}
