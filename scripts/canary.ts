/**
 * npm run canary: shifts a release's Istio canary (the chart's `canary.*` values) through weight
 * steps, judging the canary on Prometheus after each, and promotes it or rolls it back.
 *
 *   npm run canary -- --release shop --namespace shop --prometheus http://prometheus.monitoring:9090
 *     [--steps 5,25,50,100] [--interval 300] [--window 5m] [--max-error-rate 0.01] [--max-p99 1]
 *     [--min-requests 50] [--max-inconclusive 3] [--chart helm/ecommerce-platform] [--dry-run]
 *
 * Each step: `helm upgrade --reuse-values --set canary.weight=N`, wait --interval seconds, query
 * (scripts/canary/src/analysis.ts says which series and why), decide. A breach sets the weight back to
 * 0 (the canary pods stay for a look; exit 1). Too little traffic waits another interval, up to
 * --max-inconclusive times, then rolls back too. Healthy at 100: the canary's tag becomes each canary
 * service's image tag and the canary pods go (exit 0). The release's values say which services run a
 * canary and on which tag (`helm get values`).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './k8s/control-plane.js';
import { decide, parseSteps, promoteSets, queries, scalarOf, type Reading } from './canary/src/analysis.js';

const { values: args } = parseArgs({
  options: {
    release: { type: 'string' },
    namespace: { type: 'string' },
    prometheus: { type: 'string' },
    steps: { type: 'string', default: '5,25,50,100' },
    interval: { type: 'string', default: '300' },
    window: { type: 'string', default: '5m' },
    'max-error-rate': { type: 'string', default: '0.01' },
    'max-p99': { type: 'string', default: '1' },
    'min-requests': { type: 'string', default: '50' },
    'max-inconclusive': { type: 'string', default: '3' },
    chart: { type: 'string', default: join(ROOT, 'helm/ecommerce-platform') },
    'dry-run': { type: 'boolean', default: false },
  },
});
function fail(message: string): never {
  console.error(`${message}\n(npm run canary -- --release <r> --namespace <ns> --prometheus <url> ...)`);
  process.exit(2);
}
for (const required of ['release', 'namespace', 'prometheus'] as const)
  if (!args[required]) fail(`--${required} is required`);
const release = args.release!;
const namespace = args.namespace!;
const steps = (() => {
  try {
    return parseSteps(args.steps);
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const thresholds = {
  maxErrorRate: Number(args['max-error-rate']),
  maxP99Seconds: Number(args['max-p99']),
  minRequests: Number(args['min-requests']),
};
for (const [name, value] of Object.entries(thresholds))
  if (!Number.isFinite(value) || value < 0) fail(`${name} must be a number >= 0`);
const log = (line: string) => console.log(`[canary ${new Date().toISOString()}] ${line}`);

function helm(helmArgs: string[]): string {
  if (args['dry-run'] && helmArgs[0] === 'upgrade') {
    log(`(dry run) helm ${helmArgs.join(' ')}`);
    return '';
  }
  return execFileSync('helm', helmArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}
const upgrade = (...sets: string[]) =>
  helm([
    'upgrade',
    release,
    args.chart,
    '-n',
    namespace,
    '--reuse-values',
    ...sets.flatMap((s) => ['--set', s]),
  ]);

async function query(promql: string): Promise<number | null> {
  const url = new URL('/api/v1/query', args.prometheus);
  url.searchParams.set('query', promql);
  const response = await fetch(url);
  return scalarOf(await response.json());
}

async function read(service: string): Promise<Reading> {
  const q = queries(namespace, service, args.window);
  const [requests, errorRate, httpErrorRate, p99Seconds] = await Promise.all([
    query(q.requests),
    query(q.errorRate),
    query(q.httpErrorRate),
    query(q.p99Seconds),
  ]);
  return { service, requests: requests ?? 0, errorRate, httpErrorRate, p99Seconds };
}

async function main() {
  const values = JSON.parse(helm(['get', 'values', release, '-n', namespace, '--all', '-o', 'json'])) as {
    istio: { enabled: boolean };
    canary: { enabled: boolean; services: string[]; image: { tag: string } };
    subgraphs: Record<string, unknown>;
  };
  if (!values.istio.enabled || !values.canary.enabled || values.canary.services.length === 0)
    throw new Error(
      `${release} runs no canary: set istio.enabled, canary.enabled, canary.services, canary.image.tag`,
    );
  const services = values.canary.services;
  log(`${services.join(', ')} on ${values.canary.image.tag}: steps ${steps.join(', ')}%`);
  for (const [i, weight] of steps.entries()) {
    upgrade(`canary.weight=${weight}`);
    for (let attempt = 1; ; attempt++) {
      log(`weight ${weight}%: waiting ${args.interval} s`);
      await new Promise((r) => setTimeout(r, Number(args.interval) * 1000));
      const readings = await Promise.all(services.map(read));
      const verdict = decide(weight, i === steps.length - 1, readings, thresholds);
      for (const reason of verdict.reasons) log(`  ${reason}`);
      if (verdict.action === 'inconclusive' && attempt < Number(args['max-inconclusive'])) continue;
      if (verdict.action === 'rollback' || verdict.action === 'inconclusive') {
        log(`rolling back: canary.weight=0 (the canary pods stay; canary.enabled=false removes them)`);
        upgrade('canary.weight=0');
        process.exitCode = 1;
        return;
      }
      if (verdict.action === 'promote') {
        log(`promoting ${values.canary.image.tag}`);
        upgrade(...promoteSets(services, Object.keys(values.subgraphs), values.canary.image.tag));
        return;
      }
      break; // advance
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
