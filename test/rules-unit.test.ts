// promtool unit tests of every alert and recording rule, run by the real promtool 2.42 on the
// rule files `tokenwatt build` writes with the default config. All cases go into one test file and
// one promtool run (fast). Cases live in test/rules/<group>.cases.ts.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { build } from '../src/build/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { isAlertingRule } from '../src/rules/types.ts';
import { tool } from './support/promtool.ts';
import { gpuHealthCases } from './rules/gpu-health.cases.ts';
import { llmServingCases } from './rules/llm-serving.cases.ts';
import { energyCostCases } from './rules/energy-cost.cases.ts';
import { tokenwattCases } from './rules/tokenwatt.cases.ts';
import { recordingCases } from './rules/recording.cases.ts';
import { fleetRecordingCases } from './rules/fleet-recording.cases.ts';
import { tgiRecordingCases } from './rules/tgi-recording.cases.ts';
import { llamacppRecordingCases } from './rules/llamacpp-recording.cases.ts';
import { tritonRecordingCases } from './rules/triton-recording.cases.ts';
import { vllmDetailCases } from './rules/vllm-detail.cases.ts';
import { nvmlOnlyCases } from './rules/nvml-only.cases.ts';
import { sglangCases } from './rules/sglang.cases.ts';
import { annotationCases } from './rules/annotations.cases.ts';
import { reportCases } from './rules/report.cases.ts';
import type { TestGroup } from './rules/harness.ts';

const cases: Record<string, TestGroup[]> = {
  'gpu-health': gpuHealthCases,
  'llm-serving': llmServingCases,
  'energy-cost': energyCostCases,
  'tokenwatt and watchdog': tokenwattCases,
  'recording rules': recordingCases,
  'fleet recording rules': fleetRecordingCases,
  'TGI recording rules': tgiRecordingCases,
  'llama.cpp recording rules': llamacppRecordingCases,
  'Triton recording rules': tritonRecordingCases,
  'vLLM detail recording rules': vllmDetailCases,
  'NVML-only hosts': nvmlOnlyCases,
  'SGLang parity and SLOs': sglangCases,
  'dashboard annotation queries': annotationCases,
  'report windows': reportCases,
};
const all = Object.values(cases).flat();

let dir = '';
let result: { code: number; out: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-rules-'));
  const artifacts = await build(join(dir, 'dist'), defaultConfig);
  // Same order as prometheus.yml: recording groups first.
  const ruleFiles = artifacts.filter((a) => a.path.startsWith('prometheus/rules/')).map((a) => join(dir, 'dist', a.path));
  const order = compileGroups(defaultConfig).map((g) => join(dir, 'dist', 'prometheus', 'rules', `${g.name}.yaml`));
  expect(ruleFiles.sort()).toEqual([...order].sort());
  const files: string[] = [];
  for (const coarse of [false, true]) {
    const file = join(dir, coarse ? 'tests-10m.yaml' : 'tests-1m.yaml');
    const tests = all.filter((g) => Boolean(g.coarse) === coarse).map(({ coarse: _, ...g }) => ({ interval: '1m', ...g }));
    await writeFile(file, stringify({ rule_files: order, evaluation_interval: coarse ? '10m' : '1m', tests }, { lineWidth: 0 }));
    files.push(file);
  }
  result = await tool('promtool', ['test', 'rules', ...files], dir);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const groups = compileGroups(defaultConfig);
const alertTests = all.flatMap((g) => g.alert_rule_test ?? []);
const exprTests = all.flatMap((g) => g.promql_expr_test ?? []);

describe('promtool test rules', () => {
  it('passes every case', () => {
    expect(result.out).toContain('SUCCESS');
    expect(result.code, result.out).toBe(0);
  });

  it('has a firing case for every alert at every severity', () => {
    const fired = new Set(alertTests.flatMap((t) => t.exp_alerts.map((a) => `${t.alertname}/${a.exp_labels.severity}`)));
    const alerts = groups.flatMap((g) => g.rules.filter(isAlertingRule)).map((r) => `${r.alert}/${r.labels.severity}`);
    expect(alerts.filter((a) => !fired.has(a))).toEqual([]);
    expect(alerts.length).toBeGreaterThan(25);
  });

  it('has a not-firing case for every alert (Watchdog always fires, by design)', () => {
    const quiet = new Set(alertTests.filter((t) => t.exp_alerts.length === 0).map((t) => t.alertname));
    const names = [...new Set(groups.flatMap((g) => g.rules.filter(isAlertingRule)).map((r) => r.alert))];
    expect(names.filter((n) => n !== 'Watchdog' && !quiet.has(n))).toEqual([]);
  });

  it('checks a value for every recording rule', () => {
    const records = groups.flatMap((g) => g.rules.filter((r) => !isAlertingRule(r))).map((r) => (r as { record: string }).record);
    const checked = (name: string) => exprTests.some((t) => new RegExp(`\\b${name.replace(/[:]/g, '\\:')}\\b`).test(t.expr) && t.exp_samples.length > 0);
    expect(records.filter((r) => !checked(r))).toEqual([]);
    expect(records.length).toBeGreaterThan(20);
  });
});
