/**
 * The gateway benchmark's smoke run (`npm run bench:gateway` is the real one): one round of every
 * gateway, one second each over a few connections, so the benchmark never rots. Every gateway must
 * have answered expected-response.json before and after its load, with no failed request, and the
 * figures must be there: requests served, CPU and memory of its process, subgraph fetches per request.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayRun } from '../src/gateway/stats.js';
import { ROOT } from '../../scripts/stack.js';

const CONNECTIONS = 4;

describe('gateway benchmark, smoke run', () => {
  it('measures the router (one process and two workers), vanilla @apollo/gateway and Hive Gateway on the same shape, each answering exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-gateway-smoke-'));
    const out = join(dir, 'gateway.json');
    try {
      const args = ['--import', 'tsx', 'bench/gateway.ts', '--rounds', '1', '--duration', '1'];
      args.push('--warmup', '0', '--connections', String(CONNECTIONS), '--out', out);
      const printed = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      console.log(printed);
      const { runs } = JSON.parse(readFileSync(out, 'utf8')) as { runs: GatewayRun[] };
      expect(runs.map((run) => run.gateway)).toEqual([
        'apollo-gateway',
        'router',
        'hive-gateway',
        'router-dedup',
        'router-workers',
      ]);
      for (const run of runs) {
        expect({ gateway: run.gateway, failures: run.failures }).toEqual({
          gateway: run.gateway,
          failures: 0,
        });
        expect(run.requests).toBeGreaterThan(0);
        expect(run.cpuMsPerRequest).toBeGreaterThan(0);
        expect(run.rssMiB).toBeGreaterThan(10);
      }
      const byName = new Map(runs.map((run) => [run.gateway, run]));
      // The router and vanilla answer byte for byte what the reference gateway does.
      expect(byName.get('router')!.response).toBe('identical');
      expect(byName.get('router-dedup')!.response).toBe('identical');
      expect(byName.get('router-workers')!.response).toBe('identical');
      expect(byName.get('apollo-gateway')!.response).toBe('identical');
      // Without deduplication every request does its own 16 fetches (this query, this planner); the
      // window may also hold the fetches of the requests in flight when the load stopped (one per connection).
      // The workers' figures are those of the primary and both workers together.
      for (const name of ['router', 'router-workers', 'apollo-gateway']) {
        const { fetchesPerRequest, requests } = byName.get(name)!;
        const fetches = Math.round(fetchesPerRequest * requests);
        expect(fetches).toBeGreaterThanOrEqual(16 * requests);
        expect(fetches).toBeLessThanOrEqual(16 * (requests + CONNECTIONS));
      }
      expect(printed).toMatch(/router \/ apollo-gateway\s+\d+\.\d\dx/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
