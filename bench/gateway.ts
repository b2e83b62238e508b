/**
 * Gateway benchmark (not a test): the router against a vanilla `@apollo/gateway` and Hive Gateway on
 * the federation gateway benchmark's shape (bench/federation-gateway/: four subgraphs over fixed
 * data, one heavy query, the exact expected response).
 *
 *   npm run bench:gateway -- [--rounds 3] [--duration 10] [--warmup 3] [--connections 50]
 *                            [--gateways apollo-gateway,router,hive-gateway,router-dedup,router-workers]
 *                            [--profile]
 *
 * Paired rounds: each round runs every gateway once, in the order given, each in a fresh process on
 * the same Node, with the same four subgraphs (one process of their own, started once). Before
 * timing, a gateway's answer must be expected-response.json (the same JSON; byte for byte is reported);
 * after a warm-up, autocannon, in a process of its own, sends the query over `--connections`
 * keep-alive connections for `--duration` seconds. Per run it prints req/s, p50/p99 latency, the
 * gateway process's CPU ms per request and RSS (now and peak), subgraph fetches per request and
 * failed requests; then each gateway's throughput ratio to vanilla @apollo/gateway per round with
 * min/median/max. `router` runs with SUBGRAPH_DEDUPLICATION=false (the headline ratio: every request
 * does its own fetches), `router-dedup` with the default (identical concurrent fetches shared),
 * `router-workers` with ROUTER_WORKERS=2 and no deduplication (a primary and two workers on one port).
 * CPU and RSS are those of the gateway's whole process tree (the primary and its workers).
 * The figures also go to .local/bench/gateway-<time>.json. Exits 1 when a gateway answers wrongly or
 * a run has failed requests.
 *
 * `--profile` runs each gateway under `node --cpu-prof` and prints a flame summary of each profile
 * from the measured window on (not the start-up or the warm-up): self and total time by package, self
 * time by function. The profiles stay in .local/bench/profiles/gateway-<time>/ for a flame graph
 * viewer. Sampling costs throughput, so figures from a profiled run are not the headline ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { composeSupergraph } from '../schema/src/supergraph/index.js';
import { EXPECTED_RESPONSE, REQUEST_BODY, SUBGRAPHS } from './src/gateway/shape.js';
import { compareResponse, formatRatios, formatRuns, type GatewayRun } from './src/gateway/stats.js';
import { formatProfileSummary, summarizeProfile, type CpuProfile } from './src/profile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const BASELINE = 'apollo-gateway';
const GATEWAYS = ['apollo-gateway', 'router', 'hive-gateway', 'router-dedup', 'router-workers'] as const;
type Gateway = (typeof GATEWAYS)[number];

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    gateways: { type: 'string', default: GATEWAYS.join(',') },
    out: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const profiles = values.profile ? join(ROOT, '.local', 'bench', 'profiles', `gateway-${stamp}`) : undefined;
const gateways = values.gateways.split(',').map((name) => name.trim()) as Gateway[];
for (const name of gateways) {
  if (!GATEWAYS.includes(name))
    throw new Error(`unknown gateway ${name}: expected one of ${GATEWAYS.join(', ')}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `pid` and its descendants (Linux /proc): a gateway with workers is a process tree. */
function processTree(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return [pid, ...children.flatMap((child) => processTree(Number(child)))];
}

/** User plus system CPU time of the processes `pids` so far, in ms (Linux /proc, clock ticks of 10 ms). */
function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

/** Resident memory of the processes `pids` now and at their peaks, added up, in MiB. */
function rss(pids: readonly number[]): { now: number; peak: number } {
  let now = 0;
  let peak = 0;
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    now += kib('VmRSS') / 1024;
    peak += kib('VmHWM') / 1024;
  }
  return { now, peak };
}

/** Starts `args` with Node and resolves the process once it printed `pattern` (or rejects when it exits). */
function startNode(args: string[], env: NodeJS.ProcessEnv, pattern?: RegExp) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
      const match = pattern?.exec(output);
      if (match) resolve(match[0]);
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited (${code}):\n${output.slice(-3000)}`)),
    );
    if (!pattern) resolve('');
  });
  return { child, ready, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killed);
}

const post = async (url: string) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: REQUEST_BODY,
  });
  return { status: response.status, body: await response.text() };
};

/** Waits until the gateway at `url` answers the query with status 200; resolves that answer. */
async function answered(url: string, exited: Promise<unknown>, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  let gone = false;
  void exited.catch(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    try {
      const { status, body } = await post(url);
      if (status === 200) return body;
      last = `HTTP ${status}: ${body.slice(0, 300)}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  await exited; // rejects with the process's output when it died
  throw new Error(`${url} did not answer the query within ${timeoutMs} ms: ${last}`);
}

interface Load {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  failures: number;
}

/** autocannon, in a process of its own, for `seconds` against `url`. */
async function load(url: string, seconds: number): Promise<Load> {
  const bin = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
  const args = [bin, '--json', '-c', String(connections), '-d', String(seconds), '-m', 'POST'];
  args.push('-H', 'content-type=application/json', '-b', REQUEST_BODY, url);
  const run = startNode(args, process.env);
  const code = await new Promise<number | null>((resolve) => run.child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon exited ${code}:\n${run.output().slice(-2000)}`);
  const line = run
    .output()
    .split('\n')
    .find((l) => l.startsWith('{'));
  const result = JSON.parse(line!) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

const subgraphFetches = async (url: string) =>
  ((await (await fetch(url.replace(/\/graphql$/, '/fetches'))).json()) as { fetches: number }).fetches;

/** The command line and environment that start `gateway` on `port` over the supergraph at `path`. */
function gatewayCommand(
  gateway: Gateway,
  path: string,
  port: number,
): { args: string[]; env: NodeJS.ProcessEnv } {
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' };
  switch (gateway) {
    case 'apollo-gateway':
      return {
        args: ['--import', 'tsx', 'bench/src/gateway/apollo-gateway.ts'],
        env: { ...base, SUPERGRAPH_PATH: path, PORT: String(port) },
      };
    case 'router':
    case 'router-dedup':
    case 'router-workers':
      return {
        args: ['--import', 'tsx', 'router/src/main.ts'],
        env: {
          ...base,
          SUPERGRAPH_PATH: path,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          // The query asks for lists of lists: its estimated cost is above the product's default limit.
          MAX_COST: '1000000',
          SUBGRAPH_DEDUPLICATION: gateway === 'router-dedup' ? 'true' : 'false',
          ROUTER_WORKERS: gateway === 'router-workers' ? '2' : '1',
        },
      };
    case 'hive-gateway': {
      const bin = join(dirname(require.resolve('@graphql-hive/gateway/package.json')), 'dist', 'bin.js');
      return {
        // --jit (graphql-jit execution), as the published benchmark runs it; nothing else configured.
        args: [bin, 'supergraph', path, '--port', String(port), '--host', '127.0.0.1', '--jit'],
        env: base,
      };
    }
  }
}

async function measure(
  gateway: Gateway,
  round: number,
  path: string,
  fetchesUrl: string,
): Promise<GatewayRun> {
  const port = await freePort();
  const { args, env } = gatewayCommand(gateway, path, port);
  const profileName = `${gateway}-round${round}.cpuprofile`;
  if (profiles) args.unshift('--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-name', profileName);
  const spawnedAt = Date.now();
  let measuredFrom = 0;
  const started = startNode(args, env);
  const exited = new Promise((_, reject) =>
    started.child.once('exit', (code) =>
      reject(new Error(`${gateway} exited (${code}):\n${started.output().slice(-3000)}`)),
    ),
  );
  exited.catch(() => undefined);
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    const first = compareResponse(await answered(url, exited), EXPECTED_RESPONSE);
    if (first === 'different')
      throw new Error(`${gateway} answered something else than expected-response.json`);
    if (warmup > 0) await load(url, warmup);
    const pids = processTree(started.child.pid!);
    const [cpuBefore, fetchesBefore] = [cpuMs(pids), await subgraphFetches(fetchesUrl)];
    measuredFrom = Date.now() - spawnedAt;
    const measured = await load(url, duration);
    const [cpuAfter, fetchesAfter, memory] = [cpuMs(pids), await subgraphFetches(fetchesUrl), rss(pids)];
    const after = compareResponse((await post(url)).body, EXPECTED_RESPONSE);
    if (after === 'different') throw new Error(`${gateway} answered something else after the load`);
    const requests = Math.max(1, measured.requests);
    return {
      gateway,
      round,
      requests: measured.requests,
      seconds: measured.seconds,
      requestsPerSecond: measured.requests / measured.seconds,
      p50Ms: measured.p50,
      p99Ms: measured.p99,
      cpuMsPerRequest: (cpuAfter - cpuBefore) / requests,
      rssMiB: memory.now,
      peakRssMiB: memory.peak,
      fetchesPerRequest: (fetchesAfter - fetchesBefore) / requests,
      failures: measured.failures,
      response: first === 'identical' && after === 'identical' ? 'identical' : 'same',
    };
  } finally {
    await stop(started.child);
    if (profiles) printProfile(gateway, round, join(profiles, profileName), measuredFrom);
  }
}

/**
 * Prints the flame summary of a run's profile (written when the process exited on its own), from
 * `fromMs` after the process started: the measured window and what followed, not the start-up.
 */
function printProfile(gateway: Gateway, round: number, file: string, fromMs: number): void {
  if (!existsSync(file)) {
    console.log(`${gateway} round ${round}: no profile (the process did not exit on its own)`);
    return;
  }
  const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 15, fromMs);
  const title = `${gateway} round ${round}, from ${(fromMs / 1000).toFixed(1)} s on (${file})`;
  console.log(`\n${formatProfileSummary(summary, title)}\n`);
}

const work = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
const subgraphs = startNode(
  ['--import', 'tsx', 'bench/src/gateway/subgraphs.ts'],
  process.env,
  /\{"urls":.*\}/,
);
try {
  const { urls } = JSON.parse(await subgraphs.ready) as { urls: Record<string, string> };
  const composed = composeSupergraph(
    SUBGRAPHS.map((s) => ({
      name: s.name,
      url: urls[s.name]!,
      file: `${s.name} (bench)`,
      sdl: print(s.typeDefs),
    })),
  );
  if (!composed.ok) throw new Error(`composition failed: ${JSON.stringify(composed.problems, null, 2)}`);
  const supergraph = join(work, 'supergraph.graphql');
  writeFileSync(supergraph, composed.supergraphSdl);

  console.log(
    `gateway benchmark: ${rounds} round(s) of ${gateways.join(', ')}; ${connections} connections, ` +
      `${warmup} s warm-up, ${duration} s measured; Node ${process.version}`,
  );
  const runs: GatewayRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const gateway of gateways) {
      const run = await measure(gateway, round, supergraph, urls.accounts!);
      runs.push(run);
      console.log(`round ${round}, ${gateway}: ${run.requestsPerSecond.toFixed(1)} req/s`);
    }
  }
  console.log(`\n${formatRuns(runs)}\n`);
  if (gateways.includes(BASELINE)) console.log(`${formatRatios(runs, BASELINE, gateways)}\n`);

  const out = values.out ?? join(ROOT, '.local', 'bench', `gateway-${stamp}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ node: process.version, connections, warmup, duration, runs }, null, 2)}\n`,
  );
  console.log(`figures written to ${out}`);
  const failed = runs.filter((run) => run.failures > 0);
  if (failed.length > 0) {
    console.error(
      `failed requests in: ${failed.map((run) => `${run.gateway} round ${run.round}`).join(', ')}`,
    );
    process.exitCode = 1;
  }
} finally {
  await stop(subgraphs.child);
  rmSync(work, { recursive: true, force: true });
}
