import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '@shop/platform/edge';

/**
 * `ROUTER_WORKERS` > 1: one primary process and that many router workers (node:cluster) sharing one
 * port; the primary accepts the connections and hands them round-robin to the workers, each a whole
 * router (gateway, query plan cache, subgraph pools, WebSocket endpoint, readiness). The primary serves
 * nothing itself:
 *
 * - it restarts a worker that exits while the router runs (after `restartDelayMs`), and exits 1 when a
 *   worker exits before it ever listened (a start that fails fails the same way again);
 * - on SIGTERM or SIGINT it asks every worker to shut down as a single router does (readiness fails,
 *   SHUTDOWN_DELAY_MS, drain), waits for them, and exits 0 (1 when a worker had to be killed after
 *   `stopTimeoutMs`);
 * - `/metrics` of any worker answers the sum over every worker (prom-client's AggregatorRegistry: the
 *   answering worker asks the primary, which gathers each worker's registry).
 *
 * Per-process limits stay per worker: `WS_MAX_CONNECTIONS_PER_CUSTOMER` holds in each (a customer may hold
 * that many connections per worker); the rate limits live in Redis and are shared.
 */
export interface WorkersOptions {
  count: number;
  logger: Logger;
  restartDelayMs?: number;
  /** Beyond this, a worker still running after the shutdown request is killed. Default 25 s. */
  stopTimeoutMs?: number;
}

/** Asks a worker to shut down as its SIGTERM would (see {@link onShutdownRequest}). */
const SHUTDOWN = 'shop:router-shutdown';
const METRICS_REQUEST = 'shop:router-metrics-request';
const METRICS_ANSWER = 'shop:router-metrics';

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsAnswer {
  type: typeof METRICS_ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** True in a worker of {@link runWorkers}. */
export const isRouterWorker = () => cluster.isWorker;

/** Runs the primary: forks `count` workers of this same entry and supervises them until a signal. */
export function runWorkers(options: WorkersOptions): void {
  const { count, logger } = options;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 25_000;
  const aggregator = new AggregatorRegistry();
  const listened = new WeakSet<Worker>();
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('listening', () => {
      listened.add(worker);
      logger.info({ worker: worker.id, pid: worker.process.pid }, 'router worker listening');
    });
    worker.on('message', (message: MetricsRequest) => {
      if (message?.type !== METRICS_REQUEST) return;
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: METRICS_ANSWER, id: message.id, text } satisfies MetricsAnswer),
        (error: Error) =>
          worker.send({ type: METRICS_ANSWER, id: message.id, error: error.message } satisfies MetricsAnswer),
      );
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!listened.has(worker)) {
      logger.fatal({ worker: worker.id, code, signal }, 'a router worker exited before it listened');
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGKILL');
      process.exit(1);
    }
    logger.error({ worker: worker.id, code, signal }, 'a router worker exited; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelayMs).unref();
  });

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    logger.info({ signal, workers: running.length }, 'shutting down the router workers');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      logger.error('router workers did not stop in time; killing them');
      for (const worker of running) worker.process.kill('SIGKILL');
    }, stopTimeoutMs);
    const exited = running.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          // One still starting serves nothing yet and has no shutdown handling: SIGTERM ends it.
          if (!listened.has(worker)) worker.process.kill('SIGTERM');
          else if (worker.isConnected()) worker.send(SHUTDOWN);
        }),
    );
    void Promise.all(exited).then(() => {
      clearTimeout(timer);
      logger.info('router workers stopped');
      process.exit(killed ? 1 : 0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  logger.info({ workers: count }, 'starting the router workers');
  for (let i = 0; i < count; i += 1) fork();
}

/**
 * In a worker: runs `shutdown` when the primary asks (once). The router's own SIGTERM handling does
 * the work: a worker started by a terminal also gets the terminal's SIGINT, and whichever comes first
 * wins.
 */
export function onShutdownRequest(shutdown: () => void): void {
  process.on('message', (message) => {
    if (message === SHUTDOWN) shutdown();
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation, and returns what its `/metrics`
 * answers: the sum over every worker, gathered by the primary.
 */
export function clusterMetricsText(registry: Registry, timeoutMs = 5000): () => Promise<string> {
  // Constructing one registers the worker's answer to the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: MetricsAnswer) => {
    if (message?.type !== METRICS_ANSWER) return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (message.text !== undefined) request.resolve(message.text);
    else request.reject(new Error(message.error ?? 'no metrics from the primary'));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer the metrics request'));
      }, timeoutMs);
      pending.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
