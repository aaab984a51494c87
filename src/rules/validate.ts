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

export interface ValidateOptions {
  /** Folder of runbooks; tests point it elsewhere. */
  runbookDir?: string;
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
  return problems;
}
