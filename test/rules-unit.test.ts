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
import type { TestGroup } from './rules/harness.ts';

const cases: Record<string, TestGroup[]> = {
  'gpu-health': gpuHealthCases,
  'llm-serving': llmServingCases,
  'energy-cost': energyCostCases,
  'tokenwatt and watchdog': tokenwattCases,
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
    const file = join(dir, coarse ? 'tests-5m.yaml' : 'tests-1m.yaml');
    const tests = all.filter((g) => Boolean(g.coarse) === coarse).map(({ coarse: _, ...g }) => ({ interval: '1m', ...g }));
    await writeFile(file, stringify({ rule_files: order, evaluation_interval: coarse ? '5m' : '1m', tests }, { lineWidth: 0 }));
    files.push(file);
  }
  result = await tool('promtool', ['test', 'rules', ...files], dir);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('promtool test rules', () => {
  it('passes every case', () => {
    expect(result.out).toContain('SUCCESS');
    expect(result.code, result.out).toBe(0);
  });
});
