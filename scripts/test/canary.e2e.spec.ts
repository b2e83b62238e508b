/**
 * `npm run canary` (scripts/canary.ts) end to end, on the real local stack and a real API server:
 *
 * - the stack (every subgraph and the router as real processes on the shared Postgres, Redis and
 *   Kafka) with a second orders (`orders-2`) and a second router (`router-2`, routing orders to
 *   `orders-2`): those two are the canary pods of the router and of orders, as `ci/istio-values.yaml`
 *   runs them;
 * - a real Prometheus (scripts/prometheus.sh, scraping every second) scrapes the four processes'
 *   own /metrics with the target labels the Prometheus Operator gives the chart's pods (`namespace`,
 *   `pod` `<service>-canary-...` for the canary), so the command's own PromQL is evaluated on the
 *   services' real series;
 * - the release is installed with `ci/istio-values.yaml` into a real kube-apiserver with the Istio CRDs
 *   (check:deploy's start: scripts/k8s/control-plane.ts, scripts/deploy/steps.ts), and the command's
 *   every step is a real `helm upgrade --reuse-values` against it;
 * - no mesh runs here, so this spec's load generator plays the VirtualService's part: it reads the
 *   router's VirtualService from the API server (as istiod would) and sends each request to the canary
 *   router with its `weighted` route's canary weight (deterministically spread), to the stable one
 *   otherwise. Unlike a mesh, the orders hop is not split again: the canary router calls the canary
 *   orders, the stable one the stable orders, so each canary still takes its weight's share.
 *
 * A healthy canary walks 5, 25, 50, 100 and is promoted (new tag, no canary Deployment); then the
 * orders canary restarted with FAULT_INJECT_ERROR_RATIO=0.3 (the kit's testing switch) fails 3 of
 * every 10 operations, counted by its own metrics, and is set back to weight 0 after the first step
 * (exit 1).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { graphql } from '../../platform/src/testing/graphql-client.js';
import { metricsText } from '../../platform/src/testing/metrics.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { useStack } from '../../test/support/stack.js';
import { queries as canaryQueries, scalarOf } from '../canary/src/analysis.js';
import {
  CHART_DIR,
  TOOLS_BIN,
  createRestrictedNamespace,
  helmInstall,
  installCrds,
  run as runStep,
  tool,
} from '../deploy/steps.js';
import { K8S_DIR, ROOT, startControlPlane, type ControlPlane } from '../k8s/control-plane.js';

const NAMESPACE = 'shop';
const RELEASE = 'shop';
/** Each step's wait and the analysis window (the command's --interval and --window). */
const STEP_SECONDS = 8;
/** Requests a second through the routers: at the 5% step the canary gets 2 a second. */
const RATE = 40;
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const execFileAsync = promisify(execFile);
const stateDir = join(K8S_DIR, `canary-${randomUUID().slice(0, 8)}`);
const prometheusEnv = () => ({
  ...process.env,
  PROMETHEUS_DIR: join(stateDir, 'prometheus'),
  PROMETHEUS_INTERVAL: '1s',
  PROMETHEUS_RULES: ' ',
  PROMETHEUS_TARGETS: targets(),
});
const prometheusSh = (command: 'up' | 'down' | 'url') =>
  execFileAsync('bash', [join(ROOT, 'scripts/prometheus.sh'), command], { env: prometheusEnv() });

// The control plane and the release start while the stack does.
let controlPlane: Promise<ControlPlane>;
/** The control plane once its processes run (stopped by afterAll even while the install goes on). */
let started: ControlPlane | undefined;
beforeAll(() => {
  // Idempotent: seconds once built; a fresh machine builds kube-apiserver and installs helm here.
  execFileSync('bash', [join(ROOT, 'scripts/k8s/build.sh'), 'etcd', 'kube-apiserver'], { stdio: 'inherit' });
  execFileSync('bash', [join(ROOT, 'scripts/deploy/tools.sh'), 'helm'], { stdio: 'inherit' });
  controlPlane = startControlPlane({ stateDir }).then(async (cp) => {
    started = cp;
    try {
      await installCrds(cp);
      await createRestrictedNamespace(cp, NAMESPACE);
      await helmInstall(cp, CHART_DIR, {
        release: RELEASE,
        namespace: NAMESPACE,
        valuesFile: join(CHART_DIR, 'ci/istio-values.yaml'),
      });
      return cp;
    } catch (error) {
      await cp.stop();
      throw error;
    }
  });
  controlPlane.catch(() => undefined);
}, 30 * 60_000);

const api = useStack({ replicas: ['orders'] });

/** The four scraped processes, with the target labels the chart's pods would get. */
function targets(): string {
  const pods = {
    router: 'router-0',
    'router-2': 'router-canary-0',
    orders: 'orders-0',
    'orders-2': 'orders-canary-0',
  };
  return Object.entries(pods)
    .map(([name, pod]) => {
      const process = api.stack.processes.get(name)!;
      const version = pod.includes('-canary-') ? 'canary' : 'stable';
      return `${name}=127.0.0.1:${process.port};namespace=${NAMESPACE};pod=${pod};version=${version}`;
    })
    .join(' ');
}

type Weights = Record<'router' | 'orders', number | null>;
let cp: ControlPlane;
let prometheus = '';
/** The canary weight of each VirtualService's `weighted` route as the API server has it (null: none). */
const weights: Weights = { router: null, orders: null };
/** Every weight each VirtualService carried, in order, while `recording`. */
const seen: Record<keyof Weights, (number | null)[]> = { router: [], orders: [] };
let watching: ReturnType<typeof setInterval> | undefined;
let load: ReturnType<typeof startLoad> | undefined;

async function readWeights(): Promise<Weights> {
  const read = async (name: keyof Weights) => {
    const response = await cp.api(
      'GET',
      `/apis/networking.istio.io/v1/namespaces/${NAMESPACE}/virtualservices/${name}`,
    );
    if (response.status !== 200) throw new Error(`VirtualService ${name}: ${response.body}`);
    const vs = response.json<{
      spec: { http: { name: string; route: { destination: { subset: string }; weight?: number }[] }[] };
    }>();
    const weighted = vs.spec.http.find((r) => r.name === 'weighted');
    return weighted ? (weighted.route.find((d) => d.destination.subset === 'canary')?.weight ?? 0) : null;
  };
  return { router: await read('router'), orders: await read('orders') };
}

/** Follows the VirtualServices (every 200 ms; each step lasts seconds), recording every change. */
function watchWeights() {
  let busy = false;
  watching = setInterval(() => {
    if (busy) return;
    busy = true;
    readWeights()
      .then((now) => {
        for (const name of ['router', 'orders'] as const) {
          if (seen[name].at(-1) !== now[name] || seen[name].length === 0) seen[name].push(now[name]);
          weights[name] = now[name];
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 200);
}

const PROBE = 'query CanaryProbe($id: ID!) { order(id: $id) { id status } }';
interface Tally {
  sent: number;
  failed: number;
}

/**
 * `RATE` order look-ups a second (at most 16 in flight) as a signed-in customer, each through the
 * canary router when the router's canary weight says so: a running credit of the weight, one canary
 * request per 100 accumulated, so 5% is exactly every twentieth request.
 */
function startLoad(token: string) {
  const tally: Record<'stable' | 'canary', Tally> = {
    stable: { sent: 0, failed: 0 },
    canary: { sent: 0, failed: 0 },
  };
  let credit = 0;
  let inFlight = 0;
  const timer = setInterval(() => {
    if (inFlight >= 16) return;
    credit += weights.router ?? 0;
    const to = credit >= 100 ? 'canary' : 'stable';
    if (to === 'canary') credit -= 100;
    const url = to === 'canary' ? api.stack.secondRouterUrl! : api.stack.routerUrl;
    inFlight++;
    tally[to].sent++;
    graphql(url, PROBE, { id: randomUUID() }, { token })
      .then(
        (r) => r.status !== 200 || r.errors !== undefined,
        () => true,
      )
      .then((failed) => void (failed && tally[to].failed++))
      .finally(() => inFlight--);
  }, 1000 / RATE);
  return { tally, stop: () => clearInterval(timer) };
}

async function evaluate(promql: string): Promise<number | null> {
  const url = new URL('/api/v1/query', prometheus);
  url.searchParams.set('query', promql);
  return scalarOf(await (await fetch(url)).json());
}

beforeAll(async () => {
  cp = await controlPlane;
  watchWeights();
  await waitFor(() => weights.router !== null, 10_000, 'the router VirtualService read');
  const customer = await api.registerCustomer();
  load = startLoad(customer.accessToken);
  await prometheusSh('up');
  prometheus = (await prometheusSh('url')).stdout.trim();
  // The canary pods' operations over a window, by the command's own query: scraped and flowing.
  const window = `${STEP_SECONDS}s`;
  await waitFor(
    async () =>
      ((await evaluate(canaryQueries(NAMESPACE, 'orders', window).requests)) ?? 0) >= 10 &&
      ((await evaluate(canaryQueries(NAMESPACE, 'router', window).requests)) ?? 0) >= 10,
    60_000,
    "Prometheus to see the canaries' operations",
  );
}, 10 * 60_000);

afterAll(async () => {
  load?.stop();
  if (watching) clearInterval(watching);
  if (prometheus) await prometheusSh('down').catch(() => undefined);
  await (started ?? (await controlPlane?.catch(() => undefined)))?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

function canary(): Promise<{ code: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      TSX,
      [
        'scripts/canary.ts',
        ...['--release', RELEASE, '--namespace', NAMESPACE, '--prometheus', prometheus],
        ...['--interval', String(STEP_SECONDS), '--window', `${STEP_SECONDS}s`],
        // 2 canary requests a second at 5% give ~16 in a window; a thin window waits one more.
        ...['--min-requests', '10', '--max-inconclusive', '4'],
        // The machine is shared with the rest of the suite; latency is not what this spec proves.
        ...['--max-p99', '2.5'],
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PATH: `${TOOLS_BIN}:${process.env.PATH}`, KUBECONFIG: cp.kubeconfig },
      },
      (error, stdout, stderr) =>
        done({
          code: error ? Number(error.code ?? 1) : 0,
          output: `${stdout}${stderr}`,
          seconds: (Date.now() - started) / 1000,
        }),
    );
  });
}

async function deployments(): Promise<Record<string, string>> {
  const list = (await cp.api('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`)).json<{
    items: {
      metadata: { name: string };
      spec: { template: { spec: { containers: { image: string }[] } } };
    }[];
  }>();
  return Object.fromEntries(
    list.items.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]!.image.split(':').at(-1)!]),
  );
}

/** The share of queries and mutations one process answered with a server error, by its own /metrics. */
async function failedShare(name: string): Promise<{ total: number; failed: number }> {
  const text = await metricsText(api.graphqlUrlOf(name));
  const sum = (metric: string) =>
    [...text.matchAll(new RegExp(`^${metric}\\{[^}]*type="(?:query|mutation)"[^}]*\\} (\\S+)$`, 'gm'))]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  return {
    total: sum('graphql_operation_duration_seconds_count'),
    failed: sum('graphql_operations_failed_total'),
  };
}

describe('npm run canary on the local stack, each step applied to the API server', () => {
  it('walks a healthy canary through 5, 25, 50, 100 and promotes it', async () => {
    for (const name of ['router', 'orders'] as const) seen[name] = [weights[name]];
    const before = { ...load!.tally.canary };
    const { code, output, seconds } = await canary();
    console.log(`healthy canary: ${seconds.toFixed(1)} s\n${output}`);

    expect(code).toBe(0);
    expect(output).toContain('orders: healthy at 100%');
    expect(output).toContain('router: healthy at 100%');
    // The install's 10%, every step, then the promotion's single stable route.
    await waitFor(() => weights.router === null && weights.orders === null, 10_000, 'the promoted routes');
    expect(seen.router).toEqual([10, 5, 25, 50, 100, null]);
    expect(seen.orders).toEqual([10, 5, 25, 50, 100, null]);
    const images = await deployments();
    expect(Object.keys(images).filter((n) => n.endsWith('-canary'))).toEqual([]);
    expect([images.router, images.orders, images.products]).toEqual(['1.1.0-rc.1', '1.1.0-rc.1', '0.1.0']);
    // Real traffic reached the canary, and none of it failed.
    expect(load!.tally.canary.sent - before.sent).toBeGreaterThan(100);
    expect(load!.tally.canary.failed).toBe(0);
    expect(load!.tally.stable.failed).toBe(0);
  }, 240_000);

  it('rolls back a canary made to fail by FAULT_INJECT_ERROR_RATIO after the first step', async () => {
    // The next release's canary: orders' fails 3 of every 10 operations, by the kit's testing switch.
    await api.stack.processes.get('orders-2')!.restart({ env: { FAULT_INJECT_ERROR_RATIO: '0.3' } });
    await runStep('start the canary', tool('helm'), [
      ...['upgrade', RELEASE, CHART_DIR, '-n', NAMESPACE, '--kubeconfig', cp.kubeconfig, '--reuse-values'],
      ...['--set', 'canary.enabled=true', '--set', 'canary.image.tag=1.2.0-rc.1', '--set', 'canary.weight=0'],
    ]);
    await waitFor(() => weights.router === 0 && weights.orders === 0, 10_000, 'the canary routes at 0');
    for (const name of ['router', 'orders'] as const) seen[name] = [weights[name]];

    const { code, output, seconds } = await canary();
    console.log(`failing canary: ${seconds.toFixed(1)} s\n${output}`);

    expect(code).toBe(1);
    expect(output).toMatch(/orders: \d+\.\d+% of operations failed \(max 1\.00%\)/);
    expect(output).toContain('rolling back: canary.weight=0');
    expect(output).not.toContain('weight 25%');
    await waitFor(() => seen.router.length === 3, 10_000, 'the rollback applied');
    expect(seen.router).toEqual([0, 5, 0]);
    expect(seen.orders).toEqual([0, 5, 0]);
    // Rolled back, not promoted: the canary pods stay for a look, the stable tag is unchanged.
    const images = await deployments();
    expect([images['router-canary'], images['orders-canary']]).toEqual(['1.2.0-rc.1', '1.2.0-rc.1']);
    expect([images.router, images.orders]).toEqual(['1.1.0-rc.1', '1.1.0-rc.1']);
    // The switch failed exactly its share, counted by the canary's own metrics like a real failure.
    const share = await failedShare('orders-2');
    expect(share.total).toBeGreaterThan(10);
    expect(Math.abs(share.failed - 0.3 * share.total)).toBeLessThan(1);
    expect(load!.tally.canary.failed).toBeGreaterThan(0);
    expect(load!.tally.stable.failed).toBe(0);
  }, 240_000);
});
