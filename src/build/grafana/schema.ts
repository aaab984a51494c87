// A zod schema of the classic dashboard JSON model (Grafana docs, "Dashboard JSON model"), for
// the fields tokenwatt emits. Objects are strict where we write every key ourselves (dashboard,
// panel, target, variable, link, gridPos), so a misspelt field fails the build instead of being
// ignored by Grafana; panel `options` and field `custom` stay open (they belong to the plugin).
import { z } from 'zod';

const datasourceRef = z.strictObject({ type: z.literal('prometheus'), uid: z.string().min(1) });

const gridPos = z.strictObject({
  h: z.int().min(1), w: z.int().min(1).max(24), x: z.int().min(0).max(23), y: z.int().min(0),
});

const target = z.strictObject({
  datasource: datasourceRef,
  expr: z.string().min(1),
  refId: z.string().regex(/^[A-Z]$/),
  legendFormat: z.string(),
  instant: z.boolean(),
  range: z.boolean(),
  format: z.enum(['time_series', 'table', 'heatmap']).optional(),
});

/** A data link (annotations.ts): to a tokenwatt dashboard, variables from the clicked series. */
const dataLink = z.strictObject({ title: z.string().min(1), url: z.string().regex(/^\/d\/[A-Za-z0-9_-]+\?/), targetBlank: z.boolean() });

const fieldConfig = z.strictObject({
  defaults: z.looseObject({
    unit: z.string().min(1),
    links: z.array(dataLink).optional(),
    decimals: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    custom: z.record(z.string(), z.unknown()).optional(),
  }),
  overrides: z.array(z.strictObject({
    matcher: z.strictObject({ id: z.string(), options: z.unknown() }),
    properties: z.array(z.strictObject({ id: z.string(), value: z.unknown() })),
  })),
});


const vizPanel = z.strictObject({
  type: z.enum(['timeseries', 'stat', 'table', 'heatmap']),
  id: z.int().min(1),
  title: z.string().min(1),
  description: z.string().min(1),
  datasource: datasourceRef,
  gridPos,
  targets: z.array(target).min(1),
  fieldConfig,
  options: z.record(z.string(), z.unknown()),
  transformations: z.array(z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()) })).optional(),
  timeFrom: z.string().optional(),
  repeatDirection: z.enum(['h', 'v']).optional(),
  transparent: z.boolean().optional(),
});

const rowPanel = z.strictObject({
  type: z.literal('row'),
  id: z.int().min(1),
  title: z.string().min(1),
  collapsed: z.boolean(),
  gridPos,
  /** A collapsed row holds its panels (Grafana queries them when the row is opened); an expanded one none. */
  panels: z.array(vizPanel),
});

const variableCommon = {
  name: z.string().regex(/^\w+$/),
  label: z.string().optional(),
  skipUrlSync: z.boolean(),
  multi: z.boolean(),
  includeAll: z.boolean(),
  allowCustomValue: z.boolean().optional(),
  auto: z.boolean().optional(),
  auto_count: z.number().optional(),
  auto_min: z.string().optional(),
  regex: z.string().optional(),
  current: z.strictObject({ selected: z.boolean(), text: z.string(), value: z.string() }).optional(),
};

const datasourceVariable = z.strictObject({ ...variableCommon, type: z.literal('datasource'), query: z.literal('prometheus') });

const queryVariable = z.strictObject({
  ...variableCommon,
  type: z.literal('query'),
  datasource: datasourceRef,
  query: z.strictObject({ query: z.string().min(1), refId: z.string() }),
  definition: z.string().min(1),
  refresh: z.union([z.literal(1), z.literal(2)]),
  sort: z.int().min(0).max(8),
  allValue: z.string().optional(),
});

/** Grafana's built-in "Annotations & Alerts" (its own datasource). */
const builtInAnnotation = z.strictObject({
  builtIn: z.literal(1),
  name: z.string().min(1),
  type: z.literal('dashboard'),
  enable: z.boolean(),
  hide: z.boolean(),
  iconColor: z.string().min(1),
  datasource: z.strictObject({ type: z.literal('grafana'), uid: z.literal('-- Grafana --') }),
  target: z.strictObject({ limit: z.int().min(1), matchAny: z.boolean(), tags: z.array(z.string()), type: z.literal('dashboard') }),
});

/** A Prometheus annotation query (classic model: expr, step, title/text templates). */
const prometheusAnnotation = z.strictObject({
  builtIn: z.literal(0),
  hide: z.boolean(),
  name: z.string().min(1),
  enable: z.boolean(),
  iconColor: z.string().min(1),
  datasource: datasourceRef,
  expr: z.string().min(1),
  step: z.string().regex(/^\d+[smh]$/),
  titleFormat: z.string().min(1),
  textFormat: z.string(),
  tagKeys: z.string(),
});

const link = z.strictObject({
  title: z.string().min(1),
  type: z.enum(['dashboards', 'link']),
  tags: z.array(z.string()),
  asDropdown: z.boolean(),
  includeVars: z.boolean(),
  keepTime: z.boolean(),
  targetBlank: z.boolean(),
  icon: z.string(),
  tooltip: z.string(),
  url: z.string().optional(),
});

export const dashboardSchema = z.strictObject({
  uid: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/),
  title: z.string().min(1),
  description: z.string().min(1),
  tags: z.array(z.string()),
  timezone: z.string(),
  editable: z.literal(false),
  graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  fiscalYearStartMonth: z.int().min(0).max(11),
  schemaVersion: z.int().min(36),
  refresh: z.string(),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  templating: z.strictObject({ list: z.array(z.discriminatedUnion('type', [datasourceVariable, queryVariable])) }),
  annotations: z.strictObject({ list: z.array(z.union([builtInAnnotation, prometheusAnnotation])) }),
  links: z.array(link),
  panels: z.array(z.union([rowPanel, vizPanel])),
});

/** Schema problems as `path: message` strings, with the panel title where the path is in a panel. */
export function schemaProblems(json: unknown): { path: (string | number)[]; message: string }[] {
  const result = dashboardSchema.safeParse(json);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
}
