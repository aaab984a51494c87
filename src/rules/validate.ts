// Build-time conventions for rule groups (monitoring-mixin style). Each problem names the group
// and the rule, so `tokenwatt build` says exactly what to fix.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lookupSeries } from '../catalog/index.ts';
import type { MixinConfig } from '../config/mixin.ts';
import { checkQuery } from '../promql/check.ts';
import { isAlertingRule } from './types.ts';
import type { AlertingRule, RecordingRule, RuleGroup } from './types.ts';

/** Where `docs/runbooks/<Alert>.md` must exist. */
export const RUNBOOK_DIR = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));

const SEVERITIES = new Set(['critical', 'warning', 'info']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const RECORD_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$/;
const MAX_RULES = 20;

/** An Alertmanager inhibition by alert name: while a `sources` alert fires, `targets` alerts are silenced. */
export interface Inhibition {
  sources: readonly string[];
  targets: readonly string[];
}

export interface ValidateOptions {
  /** Folder of runbooks; tests point it elsewhere. */
  runbookDir?: string;
  /** The routing's inhibitions whose timing the alerts must keep (content from alerts/routing.ts, passed in by src/rules/collect.ts). */
  inhibitions?: readonly Inhibition[];
}

function checkAlert(r: AlertingRule, config: MixinConfig, runbookDir: string): string[] {
  const out: string[] = [];
  const name = r.alert;
  if (!/^[A-Z][a-zA-Z0-9]*$/.test(name)) out.push(`alert name '${name}' is not CamelCase`);
  if (name.length > 40) out.push(`alert name '${name}' is longer than 40 characters`);
  const sev = r.labels.severity as string;
  // Watchdog alone has severity none: routing.ts sends it by name to the dead man's switch.
  if (!(SEVERITIES.has(sev) || (name === 'Watchdog' && sev === 'none'))) {
    out.push(`severity '${sev}' must be critical, warning or info`);
  }
  const { summary, description, runbook_url: runbook } = r.annotations;
  if (!summary) out.push('summary is missing');
  else {
    if (summary.includes('{{')) out.push('summary must be static (no {{ }} template)');
    if (!/^\S.*[.!]$/.test(summary) || /[.!?]\s+\S/.test(summary)) out.push(`summary must be one sentence ending with a full stop: '${summary}'`);
  }
  if (!description) out.push('description is missing');
  else if (!description.includes('{{')) out.push('description must be templated ({{ $labels.x }} or {{ $value }})');
  const expected = `${config.runbookBaseUrl}/${name}.md`;
  if (runbook !== expected) out.push(`runbook_url must be ${expected}, is ${runbook ?? 'missing'}`);
  if (!existsSync(`${runbookDir}/${name}.md`)) out.push(`runbook docs/runbooks/${name}.md does not exist`);
  if (r.for !== undefined && !DURATION.test(r.for)) out.push(`for '${r.for}' is not a duration`);
  return out;
}

function checkRecording(r: RecordingRule): string[] {
  const out: string[] = [];
  if (!RECORD_NAME.test(r.record)) out.push(`record name '${r.record}' is not level:metric:operations`);
  const def = lookupSeries(r.record);
  if (!def || def.source !== 'recording') out.push(`recorded name ${r.record} is not declared in src/catalog/recording.ts`);
  return out;
}

/** Every convention problem of the groups, as `group <g>, rule <r>: problem`. */
export function validateGroups(groups: RuleGroup[], config: MixinConfig, opts: ValidateOptions = {}): string[] {
  const runbookDir = opts.runbookDir ?? RUNBOOK_DIR;
  const problems: string[] = [];
  const groupNames = new Set<string>();
  const alertKeys = new Set<string>();
  const records = new Set<string>();
  for (const g of groups) {
    const where = `group ${g.name}`;
    if (groupNames.has(g.name)) problems.push(`${where}: group name used twice`);
    groupNames.add(g.name);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(g.name)) problems.push(`${where}: group name must be lower-case kebab-case (it names the file)`);
    if (g.rules.length === 0) problems.push(`${where}: no rules`);
    if (g.rules.length > MAX_RULES) problems.push(`${where}: ${g.rules.length} rules, at most ${MAX_RULES} per group`);
    for (const r of g.rules) {
      const id = isAlertingRule(r) ? `${where}, alert ${r.alert}${r.labels?.severity ? ` (${r.labels.severity})` : ''}` : `${where}, record ${r.record}`;
      const own = isAlertingRule(r) ? checkAlert(r, config, runbookDir) : checkRecording(r);
      if (isAlertingRule(r)) {
        // Twins share a name and differ by severity; the same name and severity twice is a mistake.
        const key = `${r.alert}/${r.labels.severity}`;
        if (alertKeys.has(key)) own.push('alert defined twice with the same severity');
        alertKeys.add(key);
      } else {
        if (records.has(r.record)) own.push('recorded twice');
        records.add(r.record);
      }
      for (const p of checkQuery(r.expr)) own.push(`expr: ${p.message}`);
      problems.push(...own.map((p) => `${id}: ${p}`));
    }
  }
  for (const inhibition of opts.inhibitions ?? []) problems.push(...checkInhibitionTiming(groups, inhibition));
  return problems;
}

/**
 * Alertmanager inhibits a target alert only while the source alert is firing. A host-loss alert that
 * waits longer (`for`) than the serving-down alert it silences lets every server on a lost host page
 * first, so each source must fire strictly sooner than each target.
 */
function checkInhibitionTiming(groups: RuleGroup[], inhibition: Inhibition): string[] {
  const alerts = groups.flatMap((g) => g.rules.filter(isAlertingRule).map((r) => ({ group: g.name, r })));
  const out: string[] = [];
  for (const t of alerts.filter((a) => inhibition.targets.includes(a.r.alert))) {
    for (const s of alerts.filter((a) => inhibition.sources.includes(a.r.alert))) {
      if (seconds(s.r.for ?? '0s') >= seconds(t.r.for ?? '0s')) {
        out.push(`group ${s.group}, alert ${s.r.alert}: for ${s.r.for ?? '0s'} must be shorter than ${t.r.alert}'s ${t.r.for ?? '0s'} (group ${t.group}), which it inhibits: otherwise the symptom pages before its cause exists`);
      }
    }
  }
  return out;
}

function seconds(d: string): number {
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * unit[m[2]!]!;
  return total;
}
