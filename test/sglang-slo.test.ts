// SGLang in the error SLO and error-ratio alert when aborts count as errors: SGLang has one counter
// for errors and client aborts (sglang:num_aborted_requests_total), so its models join only with
// alerting.serving.errorReasons including 'abort'. Real promtool 2.42 on the rules built with that config.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { build } from '../src/build/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { tool } from './support/promtool.ts';
import { sglangAbortCases } from './rules/sglang.cases.ts';

const config: MixinConfig = { ...defaultConfig, alerting: { ...defaultConfig.alerting, serving: { ...defaultConfig.alerting.serving, errorReasons: ['error', 'abort'] } } };
let dir = '';
afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

describe('SGLang aborts as errors', () => {
  it('the default config leaves SGLang out of the error SLI; errorReasons with abort brings it in', () => {
    // The error SLI's recorded ratios and the error-ratio alert (SGLang's own recorded rates read the counter either way).
    const errorRules = (c: MixinConfig) => compileGroups(c).flatMap((g) => g.rules)
      .filter((r) => ('record' in r && r.record.startsWith('model_name:vllm_request_errors:')) || ('alert' in r && r.alert === 'VLLMHighErrorRatio'));
    for (const c of [defaultConfig, config]) expect(errorRules(c).length).toBeGreaterThan(4);
    for (const r of errorRules(defaultConfig)) expect(r.expr).not.toMatch(/sglang/);
    for (const r of errorRules(config)) expect(r.expr).toMatch(/sglang/);
  });

  it('pages and warns on an SGLang model aborting 10 % of its requests (promtool)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenwatt-sglang-slo-'));
    await build(join(dir, 'dist'), config);
    const order = compileGroups(config).map((g) => join(dir, 'dist', 'prometheus', 'rules', `${g.name}.yaml`));
    const file = join(dir, 'tests.yaml');
    await writeFile(file, stringify({ rule_files: order, evaluation_interval: '1m', tests: sglangAbortCases.map((g) => ({ interval: '1m', ...g })) }, { lineWidth: 0 }));
    const r = await tool('promtool', ['test', 'rules', file], dir);
    expect(r.out).toContain('SUCCESS');
    expect(r.code, r.out).toBe(0);
  }, 60_000);
});
