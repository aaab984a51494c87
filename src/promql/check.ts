// Build-time analysis of PromQL: syntax (lezer-promql), catalog membership, and the rules that
// keep queries honest on MIG (no sum over whole-GPU series repeated on instances).
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import { isBoardScoped, lookupSeries } from '../catalog/index.ts';
import { typeDiagnostics } from './typecheck.ts';

/** One finding about a query. `at` is a 0-based character offset into the checked text. */
export interface Problem {
  rule: 'syntax' | 'type' | 'unknown-metric' | 'mig-sum' | 'total-outside-rate' | 'rate-interval';
  message: string;
  at?: number;
}

// Grafana's built-in variables, given values of the right type before parsing.
const GRAFANA_VARS: Record<string, string> = {
  __rate_interval: '5m', __interval: '1m', __range: '1h', __range_s: '3600', __range_ms: '3600000',
  __interval_ms: '60000',
};

/**
 * Replace Grafana template variables by values PromQL can parse: built-ins by durations, `$var`
 * inside a label matcher string stays as text (it is a string there), anything else by a name.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_m, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    return GRAFANA_VARS[name] ?? name;
  });
}

function parseTree(expr: string): { tree: Tree; problems: Problem[] } {
  const tree = parser.parse(expr);
  const problems: Problem[] = [];
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        problems.push({ rule: 'syntax', at: n.from, message: `syntax error at character ${n.from + 1}: ${describe(expr, n.from)}` });
        return false;
      }
      return undefined;
    },
  });
  return { tree, problems };
}

function describe(expr: string, at: number): string {
  const near = expr.slice(Math.max(0, at - 15), at + 15);
  return at >= expr.length ? 'unexpected end of query' : `near '${near}'`;
}

function text(expr: string, n: SyntaxNode): string {
  return expr.slice(n.from, n.to);
}

/** Every metric name a query selects (by name, or by a `__name__="..."` matcher). */
export function metricNames(expr: string): { name: string; at: number }[] {
  const { tree } = parseTree(expr);
  const out: { name: string; at: number }[] = [];
  tree.iterate({
    enter(n) {
      if (n.name === 'VectorSelector') {
        const id = n.node.getChild('Identifier');
        if (id) out.push({ name: text(expr, id), at: id.from });
      }
      if (n.name === 'UnquotedLabelMatcher') {
        const label = n.node.getChild('LabelName');
        const value = n.node.getChild('StringLiteral');
        const op = n.node.getChild('MatchOp');
        if (label && value && op && text(expr, label) === '__name__' && text(expr, op) === '=') {
          out.push({ name: JSON.parse(text(expr, value)) as string, at: value.from });
        }
      }
    },
  });
  return out;
}

function aggregation(n: SyntaxNode, expr: string): { op: string; by: string[] | null } | null {
  if (n.name !== 'AggregateExpr') return null;
  const op = text(expr, n.getChild('AggregateOp')!);
  const mod = n.getChild('AggregateModifier');
  if (!mod) return { op, by: [] };
  const labels = mod.getChild('GroupingLabels')?.getChildren('LabelName').map((l) => text(expr, l)) ?? [];
  return mod.getChild('Without') ? { op, by: null } : { op, by: labels };
}

/** True when the selector cannot match MIG instance series (GPU_I_ID="" or GPU_I_PROFILE=""). */
function excludesMig(sel: SyntaxNode, expr: string): boolean {
  return sel.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher').some((m) => {
    const l = text(expr, m.getChild('LabelName')!);
    return (l === 'GPU_I_ID' || l === 'GPU_I_PROFILE') && text(expr, m.getChild('MatchOp')!) === '=' &&
      text(expr, m.getChild('StringLiteral')!).length === 2;
  }) ?? false;
}

const COLLAPSING = new Set(['max', 'min', 'avg', 'group', 'quantile']);
const SUMMING = new Set(['sum', 'count']);

/**
 * MIG safety: a dcgm whole-GPU series (power, energy, clocks...) appears once per MIG instance,
 * so a `sum`/`count` over it counts the GPU several times. Between the `sum` and the selector
 * there must be a max/min/avg that groups by the GPU's UUID (what boardMax() writes).
 */
export function migProblems(expr: string): Problem[] {
  const { tree } = parseTree(expr);
  const problems: Problem[] = [];
  tree.iterate({
    enter(n) {
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      if (!id || !isBoardScoped(text(expr, id)) || excludesMig(n.node, expr)) return;
      let protectedByMax = false;
      for (let p = n.node.parent; p; p = p.parent) {
        const agg = aggregation(p, expr);
        if (!agg) continue;
        if (COLLAPSING.has(agg.op) && agg.by !== null && agg.by.includes('UUID')) protectedByMax = true;
        else if (SUMMING.has(agg.op) && !protectedByMax) {
          problems.push({
            rule: 'mig-sum', at: p.from,
            message: `${agg.op} over ${text(expr, id)}, a whole-GPU series dcgm-exporter repeats on every MIG instance: take max by (host, gpu, UUID) first (boardMax)`,
          });
          return;
        }
      }
    },
  });
  return problems;
}

const RATE_FUNCS = new Set(['rate', 'irate', 'increase', 'resets']);

/** dashboard-linter: counters (`_total`) only under rate/increase; ranges in rate use $__rate_interval. */
export function counterProblems(original: string, opts: { requireRateInterval: boolean }): Problem[] {
  const expr = substituteGrafanaVariables(original);
  const { tree } = parseTree(expr);
  const problems: Problem[] = [];
  tree.iterate({
    enter(n) {
      if (n.name === 'FunctionCall') {
        const fn = text(expr, n.node.getChild('FunctionIdentifier')!);
        if (opts.requireRateInterval && (fn === 'rate' || fn === 'increase' || fn === 'irate')) {
          const range = n.node.getChild('FunctionCallBody')?.getChild('MatrixSelector')?.getChild('DurationExpr');
          if (range && !original.includes('$__rate_interval') && !original.includes('${__rate_interval}')) {
            problems.push({ rule: 'rate-interval', at: range.from, message: `${fn}() should use [$__rate_interval], not [${text(expr, range)}]` });
          }
        }
      }
      if (n.name !== 'VectorSelector') return;
      const id = n.node.getChild('Identifier');
      if (!id) return;
      const name = text(expr, id);
      const def = lookupSeries(name);
      const isCounterSeries = def?.type === 'counter' || (name.endsWith('_total') && def?.type !== 'histogram');
      if (!isCounterSeries) return;
      let underRate = false;
      for (let p = n.node.parent; p; p = p.parent) {
        if (p.name === 'FunctionCall' && RATE_FUNCS.has(text(expr, p.getChild('FunctionIdentifier')!))) underRate = true;
      }
      if (!underRate) problems.push({ rule: 'total-outside-rate', at: id.from, message: `counter ${name} used outside rate()/increase()` });
    },
  });
  return problems;
}

/** Syntax, then types, then catalog membership, then MIG safety. Grafana variables are substituted first. */
export function checkQuery(original: string): Problem[] {
  const expr = substituteGrafanaVariables(original);
  const { problems } = parseTree(expr);
  if (problems.length > 0) return problems.slice(0, 1);
  for (const d of typeDiagnostics(expr)) problems.push({ rule: 'type', at: d.at, message: `type error: ${d.message}` });
  for (const { name, at } of metricNames(expr)) {
    if (!lookupSeries(name)) problems.push({ rule: 'unknown-metric', at, message: `metric ${name} is not in the catalog (src/catalog/)` });
  }
  problems.push(...migProblems(expr));
  return problems;
}
