import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and variable reads the Prometheus chosen in the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Selector of the namespace variable, added to every query (matches series without the label too). */
export const NS = 'namespace=~"$namespace"';

/** A Prometheus query; `legend` is Grafana's legend format (`{{operation}}`). */
export const prom = (expr: string, legend: string) =>
  new prometheus.DataqueryBuilder().datasource(DATASOURCE).expr(expr).legendFormat(legend);

/** A time series panel of `queries` in `unit` (Grafana unit ids: `reqps`, `s`, `percentunit`, ...). */
export function series(
  title: string,
  description: string,
  unit: string,
  queries: prometheus.DataqueryBuilder[],
  width = 12,
): timeseries.PanelBuilder {
  let panel = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .min(0)
    .span(width)
    .height(8)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .placement(common.LegendPlacement.Bottom)
        .displayMode(common.LegendDisplayMode.List),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi));
  for (const query of queries) panel = panel.withTarget(query);
  return panel;
}

/** A single-value panel (the last value of one query). */
export function single(title: string, description: string, unit: string, expr: string, width = 6) {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(width)
    .height(4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .withTarget(prom(expr, ''));
}

/** `histogram_quantile(q, ...)` of a histogram's buckets by `by`. */
export const quantile = (q: number, histogram: string, selector: string, by: string) =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${histogram}_bucket{${selector}}[$__rate_interval])))`;

/** A query variable over a label of a metric's series. */
export function labelVariable(name: string, label: string, query: string, options: { all: boolean }) {
  let variable = new dashboard.QueryVariableBuilder(name)
    .label(label)
    .query(query)
    .datasource(DATASOURCE)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (options.all) variable = variable.includeAll(true).allValue('.*').multi(false);
  return variable;
}

/** A dashboard with the house conventions: the `datasource` and `namespace` variables, tags, refresh. */
export function shopDashboard(uid: string, title: string, description: string) {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['shop', 'generated'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(
      new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'),
    )
    .withVariable(
      labelVariable(
        'namespace',
        'Namespace',
        'label_values(graphql_operation_duration_seconds_count, namespace)',
        {
          all: true,
        },
      ),
    )
    .link(
      new dashboard.DashboardLinkBuilder('Shop dashboards')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['shop'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

export const row = (title: string) => new dashboard.RowBuilder(title);
