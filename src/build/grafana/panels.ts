// Panel factories every dashboard uses: each panel gets a title, a description, a unit and
// targets that all read from the `$datasource` variable (dashboard-linter's rules), so a
// dashboard file only says what to plot.
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as HeatmapPanel, YAxisConfigBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and target reads from the dashboard's datasource variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Target {
  expr: string;
  /** Grafana legend template, e.g. `{{model_name}}`. */
  legend?: string;
  /** Instant query in table format (tables of current values). */
  table?: boolean;
  /** Instant query (a stat of a total over the panel range: one evaluation, not one per step). */
  instant?: boolean;
  /** Range query in heatmap format (one series per `le` bucket, de-accumulated by Grafana). */
  heatmap?: boolean;
  /**
   * Why this target deliberately reads raw high-cardinality series (src/catalog/cardinality.ts)
   * instead of a recorded one. Written into the query as a `# drill-down: <why>` PromQL comment,
   * which the build check (src/build/grafana/lint.ts) accepts and a reader sees in Grafana.
   */
  drillDown?: string;
}

/** The comment that marks a target a deliberate drill-down over raw high-cardinality series. */
export const DRILL_DOWN_MARK = '# drill-down:';

export interface PanelSpec {
  title: string;
  description: string;
  /** A Grafana unit id (the catalog's grafanaUnit, or `suffix:...`). */
  unit: string;
  targets: Target[];
  /** Width in grid columns (of 24) and height in rows. */
  w?: number;
  h?: number;
  /** Relative time override, e.g. `now/M` for month-to-date. */
  timeFrom?: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(ts: Target[]): cog.Builder<cog.Dataquery>[] {
  return ts.map((t, i) => {
    const expr = t.drillDown ? `${DRILL_DOWN_MARK} ${t.drillDown}\n${t.expr}` : t.expr;
    const q = new DataqueryBuilder().datasource(DATASOURCE).refId(REF_IDS[i]!).expr(expr).legendFormat(t.legend ?? '__auto');
    if (t.table) q.instant().format('table' as never);
    else if (t.heatmap) q.range().format('heatmap' as never);
    else if (t.instant) q.instant();
    else q.range();
    return q;
  });
}

export function timeseries(spec: PanelSpec & { stack?: boolean; min?: number; max?: number }): cog.Builder<dashboard.Panel> {
  const p = new TimeseriesPanel()
    .title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
    .targets(targets(spec.targets)).span(spec.w ?? 12).height(spec.h ?? 8)
    .fillOpacity(spec.stack ? 60 : 10).lineWidth(1).showPoints(common.VisibilityMode.Never)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Bottom).showLegend(true).calcs(['mean', 'max']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (spec.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.min !== undefined) p.min(spec.min);
  if (spec.max !== undefined) p.max(spec.max);
  if (spec.timeFrom) p.timeFrom(spec.timeFrom);
  return p;
}

export function stat(spec: PanelSpec & { decimals?: number }): cog.Builder<dashboard.Panel> {
  const p = new StatPanel()
    .title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
    .targets(targets(spec.targets)).span(spec.w ?? 4).height(spec.h ?? 4)
    .graphMode(common.BigValueGraphMode.Area).colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (spec.decimals !== undefined) p.decimals(spec.decimals);
  if (spec.timeFrom) p.timeFrom(spec.timeFrom);
  return p;
}

/** A value column of a table, by the refId of its target: its header and, if not the panel's, its unit. */
export interface Column { title: string; unit?: string }

/** A table of current values: instant queries, merged on their common labels. */
export function table(spec: PanelSpec & { columns?: Record<string, Column> }): cog.Builder<dashboard.Panel> {
  const columns = Object.entries(spec.columns ?? {});
  // With several targets Grafana names the value columns `Value #A`, `Value #B`...
  const valueName = (ref: string) => (spec.targets.length > 1 ? `Value #${ref}` : 'Value');
  const p = new TablePanel()
    .title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
    .targets(targets(spec.targets.map((t) => ({ ...t, table: true })))).span(spec.w ?? 24).height(spec.h ?? 8)
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: { excludeByName: { Time: true, __name__: true }, renameByName: Object.fromEntries(columns.map(([ref, c]) => [valueName(ref), c.title])) },
    });
  for (const [, c] of columns) if (c.unit) p.overrideByName(c.title, [{ id: 'unit', value: c.unit }]);
  if (spec.timeFrom) p.timeFrom(spec.timeFrom);
  return p;
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title).collapsed(false);
}

/**
 * A collapsed row holding its panels: Grafana runs their queries only when someone opens the row,
 * so detail sections cost a dashboard's first load nothing.
 */
export function collapsedRow(title: string, panels: cog.Builder<dashboard.Panel>[]): RowBuilder {
  const r = new RowBuilder(title).collapsed(true);
  for (const p of panels) r.withPanel(p);
  return r;
}

/**
 * A heatmap of a histogram's recorded bucket rates (targets with `heatmap: true`, one series per `le`):
 * the distribution over time that a few quantile lines hide. `yUnit` is the histogram's unit.
 */
export function heatmap(spec: PanelSpec & { yUnit: string }): cog.Builder<dashboard.Panel> {
  const p = new HeatmapPanel()
    .title(spec.title).description(spec.description).unit(spec.unit).datasource(DATASOURCE)
    .targets(targets(spec.targets.map((t) => ({ ...t, heatmap: true })))).span(spec.w ?? 8).height(spec.h ?? 8)
    .calculate(false)
    .yAxis(new YAxisConfigBuilder().unit(spec.yUnit));
  if (spec.timeFrom) p.timeFrom(spec.timeFrom);
  return p;
}
