// promtool unit-test shapes (Prometheus 2.42: no start_timestamp, no fuzzy_compare) and a helper
// that states an expected alert. Summary, runbook and component come from the rule (they are
// static); severity, labels and the rendered description are written out by hand in each case.
import { defaultConfig } from '../../src/config/mixin.ts';
import { compileGroups } from '../../src/rules/collect.ts';
import { isAlertingRule } from '../../src/rules/types.ts';
import type { AlertingRule, Severity } from '../../src/rules/types.ts';

export interface ExpAlert { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }
export interface AlertTest { eval_time: string; alertname: string; exp_alerts: ExpAlert[] }
export interface ExprTest { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }
export interface TestGroup {
  /** Hours-long cases run in a second test file evaluated every 10m instead of every 1m (speed). */
  coarse?: boolean;
  interval?: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: AlertTest[];
  promql_expr_test?: ExprTest[];
}

const alerts: AlertingRule[] = compileGroups(defaultConfig).flatMap((g) => g.rules.filter(isAlertingRule));

/** The alert `name` at `severity` with these labels (besides alertname/severity/component) and description. */
export function expectAlert(name: string, severity: Severity, labels: Record<string, string>, description: string): ExpAlert {
  const rule = alerts.find((r) => r.alert === name && r.labels.severity === severity);
  if (!rule) throw new Error(`test case names ${name} (${severity}), which no alert group defines`);
  return {
    exp_labels: { ...labels, severity, component: rule.labels.component },
    exp_annotations: { summary: rule.annotations.summary, description, runbook_url: rule.annotations.runbook_url },
  };
}

/** `name{k="v", ...}` in promtool's series notation. */
export function series(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}
