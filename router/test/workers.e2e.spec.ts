/**
 * ROUTER_WORKERS=2: the compiled router (dist/router/main.mjs) as a primary and two workers on one port,
 * in front of the fixture subgraphs. Both workers serve (each new connection goes to the next one),
 * /metrics of either answers the sum over both, a killed worker is replaced while the other serves, and
 * SIGTERM stops the workers and the primary with exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createTestIssuer, type TestIssuer } from '@shop/platform/testing';
import { releasePort, reservePort } from '../../platform/src/testing/ports.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { assertBuilt } from '../../scripts/built.js';
import { ROOT } from '../../scripts/stack.js';
import {
  serveJwks,
  startAccounts,
  startCatalog,
  supergraphFileOf,
  type FixtureSubgraph,
} from './fixtures.js';

/** The pids of `pid`'s children (Linux). */
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

/** User plus system CPU of `pid` in clock ticks. */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** POSTs `query` on a connection of its own (no keep-alive), so the primary hands it to the next worker. */
const post = (url: string, query: string) =>
  new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });

const PROBE = 'query WorkersProbe { products(first: 2) { id name createdBy { id name } } }';

describe('router workers (ROUTER_WORKERS=2)', () => {
  let issuer: TestIssuer;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let subgraphs: FixtureSubgraph[];
  let file: Awaited<ReturnType<typeof supergraphFileOf>>;
  let port: number;
  let primary: ChildProcess;
  let exited: Promise<number | null>;
  let base: string;
  let logs = '';
  /** Whether the primary logged that worker `pid` listens. */
  const listening = (pid: number) => logs.includes(`"pid":${pid},"msg":"router worker listening"`);

  beforeAll(async () => {
    await assertBuilt(['router']);
    issuer = await createTestIssuer();
    jwks = await serveJwks(issuer);
    subgraphs = [await startAccounts(issuer), await startCatalog(issuer)];
    file = await supergraphFileOf(subgraphs);
    port = await reservePort();
    base = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, [join(ROOT, 'dist/router/main.mjs')], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(port),
        SUPERGRAPH_PATH: file.path,
        AUTH_JWKS_URL: jwks.url.toString(),
        JWT_ISSUER: issuer.issuer,
        JWT_AUDIENCE: issuer.audience,
        ROUTER_WORKERS: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [primary.stdout!, primary.stderr!])
      stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    exited = new Promise((resolve) => primary.once('exit', (code) => resolve(code)));
    await waitFor(
      () => {
        const workers = childrenOf(primary.pid!);
        return workers.length === 2 && workers.every(listening);
      },
      30_000,
      'both workers listening',
    );
  }, 60_000);

  afterAll(async () => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
    await Promise.all(subgraphs.map((s) => s.stop()));
    await jwks.stop();
    await file.remove();
    releasePort(port);
  });

  it('serves on both workers and answers /metrics for both', async () => {
    const workers = childrenOf(primary.pid!);
    expect(workers).toHaveLength(2);
    const before = workers.map(cpuTicks);
    const answers = [];
    for (let i = 0; i < 200; i += 1) answers.push(await post(`${base}/graphql`, PROBE));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.products).toHaveLength(2);
    }
    // Each worker planned and executed about half of them: both spent CPU on it.
    const after = workers.map(cpuTicks);
    for (const [i, ticks] of after.entries()) expect(ticks).toBeGreaterThan(before[i]!);

    // Either worker's /metrics counts all 200 (a single worker's own count would be about half).
    for (let i = 0; i < 4; i += 1) {
      const text = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
      const count =
        /^graphql_operation_duration_seconds_count\{[^}]*operation="WorkersProbe"[^}]*\} (\d+)$/m.exec(text);
      expect(Number(count?.[1])).toBe(200);
    }
  });

  it('replaces a worker that dies while the other serves', async () => {
    const [victim, survivor] = childrenOf(primary.pid!);
    process.kill(victim!, 'SIGKILL');
    const replacement = await waitFor(
      () => {
        const now = childrenOf(primary.pid!);
        return now.length === 2 && !now.includes(victim!) ? now.find((pid) => pid !== survivor) : undefined;
      },
      30_000,
      'a replacement worker',
    );
    expect(replacement).not.toBe(victim);
    await waitFor(() => listening(replacement), 30_000, 'the replacement listening');
    const before = cpuTicks(replacement);
    for (let i = 0; i < 100; i += 1) expect((await post(`${base}/graphql`, PROBE)).status).toBe(200);
    expect(cpuTicks(replacement)).toBeGreaterThan(before);
    expect(primary.exitCode).toBeNull();
    expect(logs).toMatch(/"msg":"a router worker exited; starting another"/);
  });

  it('stops the workers and then itself with exit 0 on SIGTERM', async () => {
    const workers = childrenOf(primary.pid!);
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    expect(logs).toMatch(/"msg":"router workers stopped"/);
    expect(logs).not.toMatch(/did not stop in time/);
  });
});
