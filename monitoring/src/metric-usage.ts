import { dashboards } from './dashboards/index.js';
import { grafanaQueryMetricNames, metricNames } from './promql.js';
import { isAlert, ruleFiles } from './rules.js';
import { CLUSTER_METRICS, SERVED_SERIES } from './served-metrics.js';

/** One query of a rule or dashboard and the metric names it reads. */
export interface MetricUse {
  /** `rules/<file>: <rule>` or `dashboards/<uid>: <panel or variable>`. */
  where: string;
  expr: string;
  names: string[];
}

/** Every PromQL query in the rules and dashboards, with what it reads. */
export function metricUses(services: readonly string[]): MetricUse[] {
  const uses: MetricUse[] = [];
  for (const file of ruleFiles(services))
    for (const group of file.groups)
      for (const rule of group.rules)
        uses.push({
          where: `rules/${file.name}: ${isAlert(rule) ? rule.alert : rule.record}`,
          expr: rule.expr,
          names: metricNames(rule.expr),
        });
  for (const dashboard of dashboards()) {
    for (const variable of dashboard.templating?.list ?? []) {
      const query = typeof variable.query === 'string' ? variable.query : undefined;
      if (variable.type !== 'query' || !query) continue;
      uses.push({
        where: `dashboards/${dashboard.uid}: variable ${variable.name}`,
        expr: query,
        names: grafanaQueryMetricNames(query),
      });
    }
    const visit = (panels: readonly unknown[]) => {
      for (const panel of panels as { title?: string; targets?: { expr?: string }[]; panels?: unknown[] }[]) {
        for (const target of panel.targets ?? [])
          if (target.expr)
            uses.push({
              where: `dashboards/${dashboard.uid}: ${panel.title}`,
              expr: target.expr,
              names: grafanaQueryMetricNames(target.expr),
            });
        visit(panel.panels ?? []);
      }
    };
    visit(dashboard.panels ?? []);
  }
  return uses;
}

/** Names the rules record (Prometheus serves them once it evaluates the rules). */
export function recordedNames(services: readonly string[]): Set<string> {
  return new Set(
    ruleFiles(services).flatMap((f) =>
      f.groups.flatMap((g) => g.rules.flatMap((r) => (isAlert(r) ? [] : [r.record]))),
    ),
  );
}

/**
 * Uses of names that are neither served by a service (`served`, default the inventory in
 * served-metrics.ts), recorded by a rule, nor one of the allowed cluster series.
 */
export function unknownNames(
  services: readonly string[],
  served: ReadonlySet<string> = SERVED_SERIES,
): { where: string; name: string }[] {
  const recorded = recordedNames(services);
  const allowed = (name: string) => served.has(name) || recorded.has(name) || CLUSTER_METRICS.includes(name);
  return metricUses(services).flatMap((use) =>
    use.names.filter((name) => !allowed(name)).map((name) => ({ where: use.where, name })),
  );
}
