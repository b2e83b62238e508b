import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { ROOT } from '../../scripts/stack.js';
import { ordersOf, useCatalog } from '../../test/support/shop.js';
import { useStack } from '../../test/support/stack.js';
import { metricUses, recordedNames, unknownNames } from '../src/metric-usage.js';
import { serviceNames } from '../src/outputs.js';
import { SERVED_METRICS, serves } from '../src/served-metrics.js';

// The whole stack, exercised a little (a sign-up, an order through the router) and scraped: every
// metric the rules and dashboards name is served; then a real Prometheus scrapes it, loads every rule
// file and evaluates them on those series.
const api = useStack();
const catalog = useCatalog(api, 'Monitoring');
const { placeOrder, settled } = ordersOf(api);

const run = promisify(execFile);
const prometheusDir = join(ROOT, '.local', `prometheus-e2e-${randomUUID().slice(0, 8)}`);
const prometheus = (command: 'up' | 'down' | 'url') =>
  run('bash', [join(ROOT, 'scripts', 'prometheus.sh'), command], {
    env: {
      ...process.env,
      PROMETHEUS_DIR: prometheusDir,
      PROMETHEUS_INTERVAL: '1s',
      PROMETHEUS_TARGETS: [...api.stack.processes.values()]
        .map((p) => `${p.name}=127.0.0.1:${p.port}`)
        .join(' '),
    },
  });
let prometheusUrl = '';
const query = async <T>(path: string): Promise<T> => {
  const response = await fetch(`${prometheusUrl}${path}`);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
};

/** `# TYPE` families and sample names of one /metrics text. */
function exposition(text: string) {
  const types = new Map<string, string>();
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    else if (line && !line.startsWith('#')) series.add(/^[^{\s]+/.exec(line)![0]);
  }
  return { types, series };
}

interface RuleGroupStatus {
  name: string;
  lastEvaluation: string;
  rules: { name: string; health: string; lastError?: string; type: string }[];
}

describe('the metrics monitoring/ uses, on the running stack', () => {
  let services: string[] = [];
  const scraped = new Map<string, ReturnType<typeof exposition>>();

  beforeAll(async () => {
    services = await serviceNames();
    await prometheus('up');
    prometheusUrl = (await prometheus('url')).stdout.trim();
  }, 120_000);
  afterAll(async () => {
    await prometheus('down');
    await rm(prometheusDir, { recursive: true, force: true });
  }, 60_000);

  it('serves them once a customer signed up and an order went through', async () => {
    const customer = await api.registerCustomer();
    await api.welcomed(customer.accessToken);
    const lamp = await catalog.product({ price: '12.00', stock: 3 });
    const placed = await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect((await settled(placed.data.placeOrder.id, customer.accessToken)).status).toBe('CONFIRMED');
    // A refused operation too (a caller error: counted as an error, not as a failed operation).
    expect((await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 0 }])).errors).toBeDefined();

    for (const name of services) scraped.set(name, exposition(await api.metricsOf(name)));
    const missing = SERVED_METRICS.flatMap((metric) =>
      services
        .filter((service) => serves(metric, service))
        .filter((service) => scraped.get(service)!.types.get(metric.name) !== metric.type)
        .map((service) => `${service} does not serve ${metric.type} ${metric.name}`),
    );
    expect(missing).toEqual([]);
    // Names the rules and dashboards use, checked against what the stack itself serves.
    const servedByStack = new Set([...scraped.values()].flatMap((s) => [...s.series, ...s.types.keys()]));
    expect(unknownNames(services, servedByStack)).toEqual([]);
    // The order flow left real samples behind on the series the business dashboard reads.
    for (const [service, topic] of [
      ['orders', 'orders.order.confirmed.v1'],
      ['inventory', 'inventory.stock.reserved.v1'],
      ['payments', 'payments.payment.succeeded.v1'],
    ])
      expect(await api.metricsOf(service!)).toMatch(
        new RegExp(
          `^kafka_messages_published_total\\{topic="${topic!.replace(/\./g, '\\.')}"[^}]*\\} [1-9]`,
          'm',
        ),
      );
  }, 180_000);

  it('are scraped by a real Prometheus that evaluates every rule without error', async () => {
    const targets = await waitFor(
      async () => {
        const { activeTargets } = await query<{
          activeTargets: { health: string; labels: { instance: string } }[];
        }>('/api/v1/targets');
        return activeTargets.length === services.length && activeTargets.every((t) => t.health === 'up')
          ? activeTargets
          : undefined;
      },
      60_000,
      'every service scraped',
    );
    expect(targets.map((t) => t.labels.instance).sort()).toEqual([...services].sort());

    // Every group has evaluated after a few scrapes (rates need two samples).
    const since = Date.now() + 3_000;
    const groups = await waitFor(
      async () => {
        const { groups } = await query<{ groups: RuleGroupStatus[] }>('/api/v1/rules');
        return groups.length && groups.every((g) => Date.parse(g.lastEvaluation) > since)
          ? groups
          : undefined;
      },
      60_000,
      'every rule group evaluated',
    );
    const ruleCount = groups.flatMap((g) => g.rules).length;
    expect(ruleCount).toBe(metricUses(services).filter((u) => u.where.startsWith('rules/')).length);
    const unhealthy = groups.flatMap((g) =>
      g.rules
        .filter((r) => r.health !== 'ok' || r.lastError)
        .map((r) => `${g.name}/${r.name}: ${r.lastError}`),
    );
    expect(unhealthy).toEqual([]);

    // The recording rules produce series from the stack's own samples.
    const samples = async (expr: string) =>
      (
        await query<{ result: { metric: Record<string, string> }[] }>(
          `/api/v1/query?query=${encodeURIComponent(expr)}`,
        )
      ).result;
    const backlogs = await samples('service:outbox_backlog:max');
    expect(backlogs.map((s) => s.metric.service).sort()).toEqual(
      services.filter((s) => s !== 'router').sort(),
    );
    expect(
      (await samples('service:graphql_operations_failed:ratio_rate5m')).map((s) => s.metric.service),
    ).toContain('router');
    expect(
      (await samples('service_group_topic:kafka_consumer_lag:sum{group="orders"}')).length,
    ).toBeGreaterThan(0);
  }, 180_000);

  it('answers every dashboard query without error', async () => {
    const dashboardUses = metricUses(services).filter((u) => u.where.startsWith('dashboards/'));
    const recorded = recordedNames(services);
    expect(dashboardUses.some((u) => u.names.some((n) => recorded.has(n)))).toBe(true);
    const failures: string[] = [];
    for (const use of dashboardUses) {
      const expr = use.expr
        .replace(/^label_values\((.*),\s*\w+\)$/s, '$1')
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$namespace', '.*')
        .replaceAll('$service', 'orders');
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; error?: string };
      if (body.status !== 'success') failures.push(`${use.where}: ${body.error}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
