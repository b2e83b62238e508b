/**
 * `npm run canary` (scripts/canary.ts) end to end against a `helm` on PATH that records its calls and
 * answers `get values` with a release running canaries of the router and orders, and an HTTP server
 * answering Prometheus' instant queries: a healthy canary walks 5, 25, 50, 100 and is promoted; a
 * canary whose orders answers 5xx is set back to weight 0 after the first step, exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
let dir: string;
let server: Server;
let prometheus: string;
/** The service whose canary answers 5xx (none: all healthy). */
let failing: string | undefined;
const queries: string[] = [];

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
  server = createServer((req, res) => {
    const query = new URL(req.url!, 'http://prometheus').searchParams.get('query')!;
    queries.push(query);
    let value = '0.001';
    if (query.startsWith('sum(increase(')) value = '1000';
    if (query.startsWith('histogram_quantile(')) value = '0.2';
    if (failing && query.includes('istio_requests_total') && query.includes(`"${failing}"`)) value = '0.3';
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  prometheus = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

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
        '0',
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
    failing = undefined;
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
    // Both services' canaries were judged, on their canary pods and Istio's canary version.
    expect(queries.some((q) => q.includes('pod=~"orders-canary-.+"'))).toBe(true);
    expect(queries.some((q) => q.includes('pod=~"router-canary-.+"'))).toBe(true);
    expect(queries.some((q) => q.includes('destination_version="canary"'))).toBe(true);
  }, 60_000);

  it('rolls a canary answering 5xx back to weight 0 after the first step', async () => {
    failing = 'orders';
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
