/**
 * The storefront benchmark's smoke run (`npm run bench:storefront` is the real one): two virtual users,
 * one short step without warm-up on a small catalog, each user finishing its pair of sessions (a guest
 * one and a signed-in one), so the benchmark never rots. Every operation of the mix must have been
 * sent and answered correctly, the mix must be exactly 10:5:3:1 (whole pairs of sessions), every
 * checkout must have placed an order that exists and got confirmed, and the CPU figures must be there
 * for every process of the stack, idle and under load.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../scripts/stack.js';
import { readSupergraphConfig } from '../../schema/src/supergraph/index.js';
import { OPERATIONS } from '../src/storefront/mix.js';
import type { ErrorCount, IdleCpu, StepResult, Verdict } from '../src/storefront/report.js';

interface Figures {
  services: string[];
  idle: IdleCpu;
  steps: StepResult[];
  orders: { placed: number; found: number; byStatus: Record<string, number> };
  errors: ErrorCount[];
  verdict: Verdict;
}

describe('storefront benchmark, smoke run', () => {
  it('sends every operation of the mix, all answered correctly, and measures every process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-storefront-smoke-'));
    const out = join(dir, 'storefront.json');
    try {
      const args = ['--import', 'tsx', 'bench/storefront.ts', '--users', '2', '--duration', '2'];
      args.push('--warmup', '0', '--idle', '1', '--products', '12', '--categories', '2', '--whole-sessions');
      args.push('--out', out);
      const printed = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, args, { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        ),
      );
      console.log(printed);
      const figures = JSON.parse(readFileSync(out, 'utf8')) as Figures;
      expect(figures.errors).toEqual([]);
      expect(figures.steps).toHaveLength(1);
      const [step] = figures.steps as [StepResult];
      expect(step.users).toBe(2);
      expect(step.errors).toBe(0);

      // Every operation sent and answered without error; the counts add up.
      for (const op of OPERATIONS) {
        expect({ op, sent: (step.byOperation[op]?.requests ?? 0) > 0 }).toEqual({ op, sent: true });
        expect({ op, errors: step.byOperation[op]!.errors }).toEqual({ op, errors: 0 });
      }
      const sent = Object.values(step.byOperation).reduce((n, o) => n + o.requests, 0);
      expect(sent).toBe(step.requests);
      expect(Object.values(step.kinds).reduce((n, k) => n + k, 0)).toBe(step.requests);

      // Whole pairs of sessions from the start: exactly 10:5:3:1, at least one pair per user.
      const { browse, product, cart, checkout } = step.kinds;
      expect(checkout).toBeGreaterThanOrEqual(4);
      expect({ browse, product, cart }).toEqual({
        browse: 10 * checkout,
        product: 5 * checkout,
        cart: 3 * checkout,
      });

      // Every checkout placed an order that exists, and each got confirmed (stock and payment are ample).
      expect(figures.orders.placed).toBe(checkout);
      expect(figures.orders.found).toBe(checkout);
      expect(figures.orders.byStatus).toEqual({ CONFIRMED: checkout });

      // CPU figures for every process of the stack, the load generator and the infrastructure.
      const config = await readSupergraphConfig(join(ROOT, 'supergraph.yaml'));
      const services = [...config.subgraphs.map((sg) => sg.name), 'router'].sort();
      expect([...figures.services].sort()).toEqual(services);
      expect(Object.keys(step.cpuSeconds.services).sort()).toEqual(services);
      for (const name of services) {
        const seconds = step.cpuSeconds.services[name]!;
        expect({ name, measured: Number.isFinite(seconds) && seconds >= 0 }).toEqual({
          name,
          measured: true,
        });
      }
      expect(Object.keys(figures.idle.cpuSeconds.services).sort()).toEqual(services);
      expect(figures.idle.seconds).toBeGreaterThanOrEqual(1);
      expect(step.cpuSeconds.services.router).toBeGreaterThan(0);
      expect(step.cpuSeconds.loadGenerator).toBeGreaterThan(0);
      expect(Object.keys(step.cpuSeconds.infra).sort()).toEqual(['kafka', 'postgres', 'redis']);
      expect(step.cpuMsPerRequest.stack).toBeGreaterThan(0);
      expect(step.cpuMsPerRequest.machine).toBeGreaterThan(0);
      expect(step.rps).toBeGreaterThan(0);
      expect(step.p99).toBeGreaterThanOrEqual(step.p50);

      // The verdict: one line per P3 target, printed; 0 errors is met.
      expect(figures.verdict.targets).toHaveLength(3);
      expect(figures.verdict.targets[2]).toMatchObject({ target: '0 errors', met: true });
      expect(printed).toMatch(/P3 saturation >= 250 req\/s .*: (met|NOT met)/);
      expect(printed).toMatch(/P3 p99 <= 200 ms at half of saturation: (met|NOT met)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
