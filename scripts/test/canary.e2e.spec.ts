/**
 * `npm run canary` (scripts/canary.ts) end to end on a real Prometheus (Debian's, started by
 * scripts/prometheus.sh, scraping every second): it scrapes a target serving the series the canary
 * pods and their sidecars would serve (the services' `graphql_operation_duration_seconds` and
 * `graphql_operations_failed_total` with the pod labels Prometheus' Kubernetes discovery adds, and
 * Istio's `istio_requests_total` by `destination_version`), growing at a fixed rate, so the command's
 * own PromQL is evaluated for real. `helm` is a script on PATH that records its calls and answers
 * `get values` with a release running canaries of the router and orders (no mesh runs here). A healthy
 * canary walks 5, 25, 50, 100 and is promoted; once the orders canary answers 30% of its requests with
 * 5xx (the switch below), it is set back to weight 0 after the first step, exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { queries as canaryQueries, scalarOf } from '../canary/src/analysis.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const WINDOW = '10s';
const run = promisify(execFile);
let dir: string;
let server: Server;
let prometheus: string;
const started = Date.now();
/** Time in tenths of a second since the start: every counter below is a whole multiple of it. */
const tick = () => Math.floor((Date.now() - started) / 100);
/** The tick from which the orders canary answers 3 of every 10 requests with 5xx (undefined: healthy). */
let failingSince: number | undefined;

/**
 * The canary pods' series at this instant: every counter grows with time (100 operations a second per
 * service, each under 100 ms; while failing, 3 of every 10 of the orders canary's answered 5xx), so
 * any two scrapes give Prometheus a rate, and a window after the switch an exact 30%.
 */
function exposition(): string {
  const now = tick();
  const lines: string[] = [];
  for (const service of ['router', 'orders']) {
    const total = 10 * now;
    const failed = service === 'orders' && failingSince !== undefined ? 3 * (now - failingSince) : 0;
    const pod = `namespace="shop",service="${service}",pod="${service}-canary-7d9f8-x2k4p",type="query"`;
    for (const le of ['0.1', '0.5', '1', '+Inf'])
      lines.push(`graphql_operation_duration_seconds_bucket{${pod},le="${le}"} ${total}`);
    lines.push(`graphql_operation_duration_seconds_count{${pod}} ${total}`);
    lines.push(`graphql_operation_duration_seconds_sum{${pod}} ${total * 0.02}`);
    lines.push(`graphql_operations_failed_total{${pod}} 0`);
    const istio = `reporter="source",destination_workload_namespace="shop",destination_service_name="${service}",destination_version="canary"`;
    lines.push(`istio_requests_total{${istio},response_code="200"} ${total - failed}`);
    lines.push(`istio_requests_total{${istio},response_code="503"} ${failed}`);
  }
  return `${lines.join('\n')}\n`;
}

const prometheusEnv = () => ({
  ...process.env,
  PROMETHEUS_DIR: join(dir, 'prometheus'),
  PROMETHEUS_INTERVAL: '1s',
  PROMETHEUS_RULES: ' ',
  PROMETHEUS_TARGETS: `canary-pods=127.0.0.1:${(server.address() as AddressInfo).port}`,
});

/** Prometheus' answer to one of the command's own queries (its `canary/src/analysis.ts`). */
async function evaluate(promql: string): Promise<number | null> {
  const url = new URL('/api/v1/query', prometheus);
  url.searchParams.set('query', promql);
  return scalarOf(await (await fetch(url)).json());
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canary-'));
  const values = {
    istio: { enabled: true },
    canary: { enabled: true, services: ['router', 'orders'], image: { tag: 'rc1' } },
    subgraphs: { orders: {}, products: {} },
  };
  writeFileSync(
    join(dir, 'helm'),
    `#!/bin/sh\necho "$*" >> "${dir}/calls"\n[ "$1" = get ] && echo '${JSON.stringify(values)}'\nexit 0\n`,
  );
  chmodSync(join(dir, 'helm'), 0o755);
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(exposition());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await run('bash', [join(ROOT, 'scripts/prometheus.sh'), 'up'], { env: prometheusEnv() });
  prometheus = (
    await run('bash', [join(ROOT, 'scripts/prometheus.sh'), 'url'], { env: prometheusEnv() })
  ).stdout.trim();
  // Enough scrapes inside the window for every rate the command asks for.
  await waitFor(
    async () => ((await evaluate(canaryQueries('shop', 'orders', WINDOW).requests)) ?? 0) >= 200,
    30_000,
    'Prometheus to have scraped the canary pods for a while',
  );
}, 90_000);

afterAll(async () => {
  if (dir)
    await run('bash', [join(ROOT, 'scripts/prometheus.sh'), 'down'], { env: prometheusEnv() }).catch(
      () => undefined,
    );
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

function canary(): Promise<{ code: number; output: string; calls: string[] }> {
  rmSync(join(dir, 'calls'), { force: true });
  return new Promise((done) => {
    execFile(
      TSX,
      [
        'scripts/canary.ts',
        '--release',
        'shop',
        '--namespace',
        'shop',
        '--prometheus',
        prometheus,
        '--interval',
        '1',
        '--window',
        WINDOW,
        '--chart',
        'chart',
      ],
      { cwd: ROOT, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } },
      (error, stdout, stderr) =>
        done({
          code: error ? Number(error.code ?? 1) : 0,
          output: `${stdout}${stderr}`,
          calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'),
        }),
    );
  });
}

const upgrade = (...sets: string[]) =>
  `upgrade shop chart -n shop --reuse-values ${sets.map((s) => `--set ${s}`).join(' ')}`;

describe('npm run canary', () => {
  it('walks a healthy canary through 5, 25, 50, 100 and promotes it', async () => {
    const { code, output, calls } = await canary();
    expect(code).toBe(0);
    expect(calls).toEqual([
      'get values shop -n shop --all -o json',
      ...[5, 25, 50, 100].map((w) => upgrade(`canary.weight=${w}`)),
      upgrade(
        'router.image.tag=rc1',
        'subgraphs.orders.image.tag=rc1',
        'canary.enabled=false',
        'canary.weight=0',
      ),
    ]);
    expect(output).toContain('orders: healthy at 100%');
    expect(output).toContain('router: healthy at 100%');
  }, 60_000);

  it('rolls a canary answering 5xx back to weight 0 after the first step', async () => {
    failingSince = tick();
    // Once the whole window lies after the switch, Prometheus sees 30% of the canary's requests fail.
    await waitFor(
      async () => ((await evaluate(canaryQueries('shop', 'orders', WINDOW).httpErrorRate)) ?? 0) >= 0.29,
      30_000,
      'Prometheus to see the orders canary failing',
    );
    const { code, output, calls } = await canary();
    expect(code).toBe(1);
    expect(calls).toEqual([
      'get values shop -n shop --all -o json',
      upgrade('canary.weight=5'),
      upgrade('canary.weight=0'),
    ]);
    expect(output).toContain('orders: 30.00% of requests answered 5xx (max 1.00%)');
  }, 60_000);
});
