/**
 * Runs the application half of the local stack: every subgraph of supergraph.yaml and the router,
 * each a real Node process running its compiled bundle (`node dist/<service>/main.mjs`, what
 * `npm run build` writes and the images run), on the infrastructure that scripts/infra.sh keeps.
 * Used two ways:
 *
 * - `npm start` / `npm stop` (CLI below): fixed ports from supergraph.yaml, databases named after
 *   the subgraphs, detached processes with logs and pids under .local/stack/.
 * - e2e specs (`startStack({ isolated: true })`): free ports, databases and Kafka topics with a
 *   unique suffix so a run never touches the dev stack, processes stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase } from '../platform/src/testing/database.js';
import { releasePort, reservePort } from '../platform/src/testing/ports.js';
import { assertBuilt } from './built.js';
import {
  composeSupergraph,
  loadSubgraphSources,
  readSupergraphConfig,
} from '../schema/src/supergraph/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STACK_DIR = join(process.env.INFRA_DIR ?? join(ROOT, '.local'), 'stack');
const NODE_BIN = join(ROOT, 'node_modules', '.bin');

/** Development admin account; override with ADMIN_EMAIL / ADMIN_PASSWORD. */
export const DEV_ADMIN = {
  email: process.env.ADMIN_EMAIL ?? 'admin@shop.local',
  password: process.env.ADMIN_PASSWORD ?? 'admin-password-change-me',
};

export interface StackOptions {
  /** Free ports, suffixed databases and a private Kafka namespace (tests). Default false. */
  isolated?: boolean;
  /** Router port when not isolated (default ROUTER_PORT or 4000). */
  routerPort?: number;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Keep processes running after this process exits (npm start). Default false. */
  detached?: boolean;
  /** Per-process readiness timeout in ms (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Subgraphs to run a second replica of (`<name>-2`: same database, Kafka namespace and consumer
   * groups), with a second router (`router-2`) whose supergraph routes them to those replicas.
   */
  replicas?: string[];
  /**
   * Also serve the storefront (web/serve.mjs: web/dist and /graphql proxied to the router), on
   * STOREFRONT_PORT or 3000 when not isolated, a free port when isolated. Default false. The assets
   * must be built (`npm run build -w web`).
   */
  storefront?: boolean;
}

export interface RunningStack {
  routerUrl: string;
  /** The storefront's origin with a trailing slash (`http://127.0.0.1:3000/`), when asked for. */
  storefrontUrl?: string;
  /** The second router's /graphql, when `replicas` were asked for. */
  secondRouterUrl?: string;
  /** The supergraph file the router serves (and watches). */
  supergraphPath: string;
  subgraphUrls: Record<string, string>;
  /** Each subgraph's database name. */
  databases: Record<string, string>;
  /** Prefix of every Kafka topic and consumer group of this stack (KAFKA_NAMESPACE; '' when not isolated). */
  kafkaNamespace: string;
  /** Sends SIGTERM to every process (router first) and waits for them to exit. */
  stop(): Promise<void>;
  /** Stops one subgraph process (e.g. to test the router's readiness) ; `restart` brings it back. */
  processes: Map<string, ManagedProcess>;
}

export interface ManagedProcess {
  name: string;
  port: number;
  child: ChildProcess;
  /**
   * Stops the process (SIGTERM, graceful) if it still runs, starts it again and waits until it is
   * ready. `env` is laid over the process's own environment for this run only (e.g.
   * `{ OUTBOX_RELAY_ENABLED: 'false' }`); a later restart without it is back to the original.
   */
  restart(options?: { env?: Record<string, string> }): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after 20 s; resolves once the process has exited. */
  stop(): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL: a crash, no shutdown code runs) and resolves once the process
   * has exited. `restart()` brings it back.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A service's compiled bundle (scripts/build.ts). */
const bundleOf = (service: string) => join(ROOT, 'dist', service, 'main.mjs');

async function waitReady(url: string, child: ChildProcess, name: string, logFile: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = existsSync(logFile) ? (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n') : '';
  throw new Error(
    `${name} did not become ready at ${url} (exit code ${child.exitCode}). Last log lines:\n${log}`,
  );
}

function launch(
  name: string,
  entry: string,
  env: Record<string, string>,
  logFile: string,
  detached: boolean,
) {
  // The log file is the child's own stdout/stderr, so a detached service keeps logging after
  // the launching process exits.
  const out = openSync(logFile, 'a');
  // One process per service, no wrapper, so SIGTERM reaches the service itself and its graceful
  // shutdown runs; the same Node (24) as this process.
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${NODE_BIN}:${process.env.PATH}`, ...env },
    stdio: ['ignore', out, out],
    detached,
  });
  closeSync(out);
  if (detached) child.unref();
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await exited;
}

async function terminate(child: ChildProcess, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Starts every subgraph, then the router; resolves once all answer their readiness endpoint. */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const config = await readSupergraphConfig(join(ROOT, 'supergraph.yaml'));
  await assertBuilt(['router', ...config.subgraphs.map((sg) => sg.name)]);
  const isolated = options.isolated ?? false;
  const suffix = isolated ? `_e2e_${Math.random().toString(36).slice(2, 8)}` : '';
  const kafkaNamespace = isolated ? `${suffix.slice(1)}.` : '';
  const runDir = join(STACK_DIR, isolated ? `e2e${suffix}` : 'dev');
  await mkdir(runDir, { recursive: true });

  // An isolated stack's ports are reserved for it until it stops (its services restart on them).
  const reserved: number[] = [];
  const freePort = async () => {
    const port = await reservePort();
    reserved.push(port);
    return port;
  };
  const releasePorts = () => reserved.splice(0).forEach(releasePort);
  const ports = new Map<string, number>();
  for (const sg of config.subgraphs)
    ports.set(sg.name, isolated ? await freePort() : Number(new URL(sg.routingUrl).port));
  const urlOf = (name: string) => `http://127.0.0.1:${ports.get(name)}/graphql`;
  const routerPort = isolated
    ? await freePort()
    : (options.routerPort ?? Number(process.env.ROUTER_PORT ?? 4000));

  const shared: Record<string, string> = {
    // V8's compiled code of the bundles, kept between starts (Node's own cache, keyed by file content).
    NODE_COMPILE_CACHE: join(process.env.INFRA_DIR ?? join(ROOT, '.local'), 'compile-cache'),
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    AUTH_JWKS_URL: `http://127.0.0.1:${ports.get('auth')}/.well-known/jwks.json`,
    ADMIN_EMAIL: DEV_ADMIN.email,
    ADMIN_PASSWORD: DEV_ADMIN.password,
    ...(isolated ? { KAFKA_NAMESPACE: kafkaNamespace } : {}),
    ...Object.fromEntries(config.subgraphs.map((sg) => [`${sg.name.toUpperCase()}_URL`, urlOf(sg.name)])),
    ...options.env,
  };

  const processes = new Map<string, ManagedProcess>();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const manage = async (name: string, entry: string, port: number, env: Record<string, string>) => {
    const logFile = join(runDir, `${name}.log`);
    const managed: ManagedProcess = {
      name,
      port,
      child: launch(
        name,
        entry,
        { ...shared, ...env, PORT: String(port) },
        logFile,
        options.detached ?? false,
      ),
      async restart(restartOptions = {}) {
        await terminate(managed.child);
        managed.child = launch(
          name,
          entry,
          { ...shared, ...env, ...restartOptions.env, PORT: String(port) },
          logFile,
          options.detached ?? false,
        );
        await waitReady(
          `http://127.0.0.1:${port}/health/ready`,
          managed.child,
          name,
          logFile,
          readyTimeoutMs,
        );
      },
      stop: () => terminate(managed.child),
      kill: (signal = 'SIGKILL') => kill(managed.child, signal),
    };
    processes.set(name, managed);
    if (options.detached) await writeFile(join(runDir, `${name}.pid`), String(managed.child.pid));
    await waitReady(`http://127.0.0.1:${port}/health/ready`, managed.child, name, logFile, readyTimeoutMs);
  };
  let supergraphPath: string;
  // The edge first (storefront, routers), so nothing sends traffic to subgraphs that are going away.
  const isRouter = (name: string) => name === 'router' || name === 'router-2' || name === 'storefront';
  const stop = async () => {
    await Promise.all([...processes.values()].filter((p) => isRouter(p.name)).map((p) => p.stop()));
    await Promise.all([...processes.values()].filter((p) => !isRouter(p.name)).map((p) => p.stop()));
  };
  const replicas = options.replicas ?? [];
  const replicaPorts = new Map<string, number>();
  for (const name of replicas) replicaPorts.set(name, await freePort());
  const secondRouterPort = replicas.length > 0 ? await freePort() : undefined;
  const storefrontPort = !options.storefront
    ? undefined
    : isolated
      ? await freePort()
      : Number(process.env.STOREFRONT_PORT ?? 3000);

  try {
    // auth first: the others fetch its public keys.
    const [first, ...rest] = [...config.subgraphs].sort((a, b) =>
      a.name === 'auth' ? -1 : b.name === 'auth' ? 1 : 0,
    );
    const startSubgraph = (name: string) =>
      manage(name, bundleOf(name), ports.get(name)!, suffix ? { DATABASE_NAME: `${name}${suffix}` } : {});
    await startSubgraph(first!.name);
    await Promise.all(rest.map((sg) => startSubgraph(sg.name)));

    await Promise.all(
      replicas.map((name) =>
        manage(
          `${name}-2`,
          bundleOf(name),
          replicaPorts.get(name)!,
          suffix ? { DATABASE_NAME: `${name}${suffix}` } : {},
        ),
      ),
    );

    const composeTo = async (file: string, routeTo: (name: string) => string) => {
      const sources = await loadSubgraphSources(
        config.subgraphs.map((sg) => ({ ...sg, routingUrl: routeTo(sg.name) })),
      );
      const outcome = composeSupergraph(sources);
      if (!outcome.ok)
        throw new Error(`composition failed: ${outcome.problems.map((p) => p.message).join('; ')}`);
      const path = join(runDir, file);
      await writeFile(path, outcome.supergraphSdl);
      return path;
    };
    supergraphPath = isolated
      ? await composeTo('supergraph.graphql', urlOf)
      : join(ROOT, 'schema', 'supergraph.graphql');
    await manage('router', bundleOf('router'), routerPort, { SUPERGRAPH_PATH: supergraphPath });
    if (secondRouterPort !== undefined) {
      const replicaUrl = (name: string) =>
        replicaPorts.has(name) ? `http://127.0.0.1:${replicaPorts.get(name)}/graphql` : urlOf(name);
      await manage('router-2', bundleOf('router'), secondRouterPort, {
        SUPERGRAPH_PATH: await composeTo('supergraph-2.graphql', replicaUrl),
      });
    }
    if (storefrontPort !== undefined) {
      if (!existsSync(join(ROOT, 'web', 'dist', 'index.html')))
        throw new Error('web/dist/index.html is missing: run npm run build -w web');
      await manage('storefront', join(ROOT, 'web', 'serve.mjs'), storefrontPort, {
        ROUTER_URL: `http://127.0.0.1:${routerPort}`,
      });
    }
  } catch (error) {
    await stop();
    releasePorts();
    throw error;
  }

  return {
    routerUrl: `http://127.0.0.1:${routerPort}/graphql`,
    ...(storefrontPort !== undefined ? { storefrontUrl: `http://127.0.0.1:${storefrontPort}/` } : {}),
    ...(secondRouterPort !== undefined
      ? { secondRouterUrl: `http://127.0.0.1:${secondRouterPort}/graphql` }
      : {}),
    subgraphUrls: Object.fromEntries(config.subgraphs.map((sg) => [sg.name, urlOf(sg.name)])),
    databases: Object.fromEntries(config.subgraphs.map((sg) => [sg.name, `${sg.name}${suffix}`])),
    kafkaNamespace: options.env?.KAFKA_NAMESPACE ?? kafkaNamespace,
    supergraphPath,
    processes,
    async stop() {
      await stop();
      releasePorts();
      if (!isolated) return;
      await rm(runDir, { recursive: true, force: true });
      // An isolated stack's databases are its own: leave nothing behind on the shared Postgres.
      for (const sg of config.subgraphs) await dropDatabase(`${sg.name}${suffix}`);
    },
  };
}

/** Stops a detached dev stack started by `npm start` (pids under .local/stack/dev). */
export async function stopDetachedStack(): Promise<string[]> {
  const runDir = join(STACK_DIR, 'dev');
  if (!existsSync(runDir)) return [];
  const { readdir } = await import('node:fs/promises');
  const stopped: string[] = [];
  const pidFiles = (await readdir(runDir)).filter((f) => f.endsWith('.pid'));
  // The router first, so it stops sending traffic to subgraphs that are going away.
  pidFiles.sort((a, b) => (a === 'router.pid' ? -1 : b === 'router.pid' ? 1 : 0));
  for (const file of pidFiles) {
    const pid = Number(await readFile(join(runDir, file), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 200));
      }
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited
    }
    await rm(join(runDir, file));
    stopped.push(file.replace(/\.pid$/, ''));
  }
  return stopped;
}
