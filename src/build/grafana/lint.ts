// Build-time checks on a finalised dashboard. Each problem names the dashboard (uid) and the
// panel (title and id) or variable at fault, so a failed build says where to look.
// Rules: PromQL syntax, types, catalog membership and MIG safety (checkQuery); the
// dashboard-linter rules (one `datasource` variable used by every panel, target and query
// variable; title, description and unit on every panel; $__rate_interval in rate/irate/increase;
// `_total` series only under rate/increase; editable false); no rate of a gauge; matchers only
// on labels the series carries; and sane layout and variables.
import { parser } from '@prometheus-io/lezer-promql';
import { HIGH_CARDINALITY_SERIES } from '../../catalog/cardinality.ts';
import { lookupSeries } from '../../catalog/index.ts';
import { checkQuery, counterProblems, substituteGrafanaVariables } from '../../promql/check.ts';
import type { DashboardJson, Json, PanelJson } from './finalise.ts';
import { DRILL_DOWN_MARK } from './panels.ts';

const DS = '${datasource}';
const BUILTIN_VARS = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__all']);
/** Stand-ins that cannot collide with a window a person would write. */
const RATE_WINDOW = '7777s';
const RANGE_WINDOW = '8888s';

type Obj = { [key: string]: Json };
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');

/**
 * dashboard-linter's rate-interval rule: rate/irate/increase take [$__rate_interval]. The one
 * deliberate exception (their `.lint` exclusion) is a total over the panel's time range,
 * `increase(x[$__range])`, which stat panels such as "month to date" need. Also: no rate of a
 * series the catalog declares a gauge. Messages start with their rule name.
 */
export function rateWindowProblems(expr: string): string[] {
  const marked = substituteGrafanaVariables(expr
    .replace(/\$\{__rate_interval\}|\$__rate_interval\b/g, RATE_WINDOW)
    .replace(/\$\{__range\}|\$__range\b/g, RANGE_WINDOW));
  const out: string[] = [];
  parser.parse(marked).iterate({
    enter(n) {
      if (n.name !== 'FunctionCall') return;
      const idNode = n.node.getChild('FunctionIdentifier');
      const fn = idNode ? marked.slice(idNode.from, idNode.to) : '';
      if (fn !== 'rate' && fn !== 'irate' && fn !== 'increase') return;
      const matrix = n.node.getChild('FunctionCallBody')?.getChild('MatrixSelector');
      const id = matrix?.getChild('VectorSelector')?.getChild('Identifier');
      const series = id ? marked.slice(id.from, id.to) : '';
      const def = lookupSeries(series);
      // A rate of a gauge is a number with no meaning (and hides a wrong catalog type).
      if (def && (def.type === 'gauge' || def.type === 'info')) out.push(`rate-of-gauge: ${fn}() over ${series}, which the catalog declares a ${def.type}`);
      const range = matrix?.getChild('DurationExpr');
      if (!range) return;
      const w = marked.slice(range.from, range.to);
      if (w === RATE_WINDOW || (fn === 'increase' && w === RANGE_WINDOW)) return;
      const shown = w === RANGE_WINDOW ? '$__range' : w;
      out.push(`rate-interval: ${fn}() must use [$__rate_interval]${fn === 'increase' ? ' (or [$__range] for a total over the panel range)' : ''}, not [${shown}]`);
    },
  });
  return out;
}

/**
 * Labels Prometheus or Kubernetes service discovery put on every scraped series (target
 * labels), on top of the labels each catalog entry declares.
 */
export const TARGET_LABELS = new Set(['__name__', 'job', 'instance', 'cluster', 'namespace', 'pod', 'container', 'service', 'endpoint', 'node']);

/** A matcher on a label the series never carries matches nothing (or everything): a typo. */
export function labelProblems(expr: string, clusterLabel = 'cluster'): string[] {
  const text = substituteGrafanaVariables(expr);
  const out: string[] = [];
  parser.parse(text).iterate({
    enter(n) {
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      if (!id) return;
      const series = text.slice(id.from, id.to);
      const def = lookupSeries(series);
      if (!def) return; // reported as unknown-metric
      const allowed = new Set([...def.labels, ...TARGET_LABELS, clusterLabel]);
      if (series.endsWith('_bucket') && def.type === 'histogram') allowed.add('le');
      for (const m of n.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const l = m.getChild('LabelName');
        const label = l ? text.slice(l.from, l.to) : '';
        if (label && !allowed.has(label)) out.push(`unknown-label: ${series} has no label '${label}' (catalog labels: ${def.labels.join(', ')})`);
      }
    },
  });
  return out;
}

/**
 * raw-high-cardinality: a panel query over a series the catalog lists as high-cardinality at
 * fleet scale (src/catalog/cardinality.ts) reads every engine's buckets or every MIG instance at
 * every step: it must read a recorded series instead, unless the target is marked a deliberate
 * drill-down (a `# drill-down: <why>` comment first, Target.drillDown).
 */
export function rawSeriesProblems(expr: string): string[] {
  if (expr.trimStart().startsWith(DRILL_DOWN_MARK)) return [];
  const text = substituteGrafanaVariables(expr);
  const raw = new Set<string>();
  parser.parse(text).iterate({
    enter(n) {
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      const def = id ? lookupSeries(text.slice(id.from, id.to)) : undefined;
      if (def && HIGH_CARDINALITY_SERIES.has(def.name)) raw.add(text.slice(id!.from, id!.to));
    },
  });
  return [...raw].map((s) => `raw-high-cardinality: ${s} is high-cardinality at fleet scale (src/catalog/cardinality.ts): read a recorded series (src/catalog/recording.ts, rules/) or mark the target a drill-down (Target.drillDown)`);
}

/** Problems with one PromQL expression, without location. */
export function exprProblems(expr: string, clusterLabel = 'cluster'): string[] {
  if (expr.trim() === '') return ['empty query'];
  const found = checkQuery(expr);
  // Positions count in the query as parsed, with Grafana variables substituted: show that text.
  if (found.some((p) => p.rule === 'syntax')) return found.map((p) => `${p.rule}: ${p.message} in: ${substituteGrafanaVariables(expr)}`);
  const problems = found.map((p) => `${p.rule}: ${p.message}`);
  problems.push(...counterProblems(expr, { requireRateInterval: false }).map((p) => `${p.rule}: ${p.message}`));
  problems.push(...rateWindowProblems(expr), ...labelProblems(expr, clusterLabel));
  return problems;
}

function variableRefs(text: string): string[] {
  // `$1` in label_replace is a regex group, not a variable.
  return [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g)].map((m) => (m[1] ?? m[2] ?? m[3])!).filter((v) => !/^\d+$/.test(v));
}

function usesDatasourceVariable(ds: Json | undefined): boolean {
  return isObj(ds) && ds.uid === DS && ds.type === 'prometheus';
}

/** The selector inside `label_values(selector, label)`, or undefined for another form. */
function labelValuesSelector(query: string): string | undefined {
  const m = /^label_values\((.*),\s*\w+\)$/s.exec(query.trim());
  return m?.[1];
}

export function lintDashboard(d: DashboardJson, clusterLabel = 'cluster'): string[] {
  const where = `dashboard '${d.uid}'`;
  const problems: string[] = [];
  const add = (at: string, msg: string) => problems.push(`${at}: ${msg}`);

  if (d.editable !== false) add(where, 'editable must be false (provisioned dashboards are changed in code)');
  if (!/^[A-Za-z0-9_-]{8,40}$/.test(d.uid)) add(where, 'uid must be 8-40 characters (Grafana JSON model) of letters, digits, - and _');
  if (str(d.title).trim() === '') add(where, 'dashboard has no title');

  const templating = isObj(d.templating) && Array.isArray(d.templating.list) ? d.templating.list.filter(isObj) : [];
  const defined = new Set(templating.map((v) => str(v.name)));
  const dsVars = templating.filter((v) => v.type === 'datasource');
  if (dsVars.length !== 1 || dsVars[0]!.name !== 'datasource' || dsVars[0]!.query !== 'prometheus') {
    add(where, "needs exactly one datasource variable, named 'datasource', of type prometheus");
  }
  const checkRefs = (at: string, text: string) => {
    for (const ref of variableRefs(text)) {
      if (!defined.has(ref) && !BUILTIN_VARS.has(ref)) add(at, `uses variable $${ref}, which the dashboard does not define`);
    }
  };
  for (const v of templating) {
    if (v.type !== 'query') continue;
    const at = `${where} variable '${str(v.name)}'`;
    if (!usesDatasourceVariable(v.datasource)) add(at, `must use the $datasource variable as its datasource`);
    const query = isObj(v.query) ? str(v.query.query) : str(v.query);
    const selector = labelValuesSelector(query);
    if (selector === undefined) add(at, `query must be label_values(selector, label), got '${query}'`);
    else for (const p of exprProblems(selector, clusterLabel)) add(at, p);
    checkRefs(at, query);
  }

  const ids = new Set<number>();
  // A collapsed row holds its panels: they are checked like every other panel.
  const panels = (d.panels as PanelJson[]).flatMap((p) => [p, ...(Array.isArray(p.panels) ? (p.panels as PanelJson[]) : [])]);
  for (const p of panels) {
    const at = `${where} panel '${str(p.title)}' (id ${String(p.id)})`;
    if (typeof p.id !== 'number' || ids.has(p.id)) add(at, 'panel id missing or repeated');
    else ids.add(p.id);
    const g = p.gridPos;
    if (!isObj(g) || typeof g.x !== 'number' || typeof g.w !== 'number' || g.x + g.w > 24) add(at, 'gridPos must lie within the 24-column grid');
    if (str(p.title).trim() === '') add(at, 'panel has no title');
    if (p.type === 'row') continue;
    if (str(p.description).trim() === '') add(at, 'panel has no description');
    const defaults = isObj(p.fieldConfig) && isObj(p.fieldConfig.defaults) ? p.fieldConfig.defaults : {};
    if (str(defaults.unit).trim() === '') add(at, 'panel has no unit (fieldConfig.defaults.unit)');
    if (!usesDatasourceVariable(p.datasource)) add(at, 'panel datasource must be the $datasource variable');
    const targets = Array.isArray(p.targets) ? p.targets.filter(isObj) : [];
    if (targets.length === 0) add(at, 'panel has no targets');
    for (const t of targets) {
      const tat = `${at} target ${str(t.refId)}`;
      if (!usesDatasourceVariable(t.datasource)) add(tat, 'target datasource must be the $datasource variable');
      const expr = str(t.expr);
      const own = exprProblems(expr, clusterLabel);
      // A query that does not parse is reported as such, not also as reading raw series.
      if (!own.some((p) => p.startsWith('syntax:'))) own.push(...rawSeriesProblems(expr));
      for (const problem of own) add(tat, problem);
      checkRefs(tat, expr);
    }
  }
  // Annotation queries (annotations.ts) are checked like panel targets, and may read raw series only
  // where they are few (alerts firing, one config hash per exporter): the rate-window rule is for panels.
  const annotations = isObj(d.annotations) && Array.isArray(d.annotations.list) ? d.annotations.list.filter(isObj) : [];
  for (const a of annotations) {
    if (a.builtIn === 1) continue;
    const at = `${where} annotation '${str(a.name)}'`;
    if (!usesDatasourceVariable(a.datasource)) add(at, 'annotation datasource must be the $datasource variable');
    const expr = str(a.expr);
    for (const problem of exprProblems(expr, clusterLabel)) add(at, problem);
    checkRefs(at, expr);
  }
  return problems;
}
