// Typed Prometheus rule files (the foundation SDK has none). Field names are Prometheus's own, so a
// RuleGroup serialises to YAML as is; only fields Prometheus 2.42 accepts are here (no
// `query_offset`, no group `labels`, no `keep_firing_for`).
import type { MixinConfig } from '../config/mixin.ts';

/** critical pages, warning goes to chat, info is recorded only; `none` is Watchdog's alone. */
export type Severity = 'critical' | 'warning' | 'info' | 'none';

/** Which part of the stack an alert is about; Alertmanager inhibits `serving` alerts on a lost host. */
export type Component = 'gpu' | 'serving' | 'energy' | 'tokenwatt' | 'meta';

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity; component: Component } & Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string } & Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup<R extends Rule = Rule> {
  name: string;
  interval?: string;
  rules: R[];
}

/** A rule file is `{ groups: [...] }`; we write one group per file. */
export interface RuleFile {
  groups: RuleGroup[];
}

/** An alert rule group as written in alerts/<file>.ts: a function of the mixin config. */
export type AlertGroupDef = (config: MixinConfig) => RuleGroup<AlertingRule>;
/** A recording rule group as written in rules/<file>.ts. */
export type RecordingGroupDef = (config: MixinConfig) => RuleGroup<RecordingRule>;

export function isAlertingRule(r: Rule): r is AlertingRule {
  return 'alert' in r;
}

/** What an alert file states; `alert()` adds runbook_url from the config. */
export interface AlertSpec {
  name: string;
  expr: string;
  for?: string;
  severity: Severity;
  component: Component;
  /** One static sentence. */
  summary: string;
  /** Templated: names the labels and value ({{ $labels.x }}, {{ $value }}). */
  description: string;
}

/** The rule for one alert, runbook_url pointing at docs/runbooks/<name>.md. */
export function alert(config: MixinConfig, s: AlertSpec): AlertingRule {
  return {
    alert: s.name,
    expr: s.expr,
    ...(s.for ? { for: s.for } : {}),
    labels: { severity: s.severity, component: s.component },
    annotations: { summary: s.summary, description: s.description, runbook_url: `${config.runbookBaseUrl}/${s.name}.md` },
  };
}
