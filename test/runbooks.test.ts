// Every alert the build writes has a runbook in the template of alerts/README.md: Meaning, Impact,
// Diagnosis (PromQL + a dashboard link with its variables), Mitigation, Silencing; every PromQL in it
// parses and names only catalog series, every dashboard link names a built dashboard and its variables.
// The alert list comes from the compiled rule groups, so an alert added anywhere is covered.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { grafanaEmitters } from '../src/build/grafana/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { parseRunbook, runbookProblems } from '../src/rules/runbook.ts';
import type { DashboardVariables } from '../src/rules/runbook.ts';
import { isAlertingRule } from '../src/rules/types.ts';
import { RUNBOOK_DIR } from '../src/rules/validate.ts';

let dashboards: DashboardVariables[] = [];
beforeAll(async () => {
  const files = await grafanaEmitters[0]!.emit(defaultConfig);
  dashboards = files.filter((a) => a.path.startsWith('grafana/dashboards/')).map((a) => {
    const j = JSON.parse(a.content) as { uid: string; templating: { list: { name: string }[] } };
    return { uid: j.uid, variables: j.templating.list.map((v) => v.name) };
  });
});

const alerts = [...new Set(compileGroups(defaultConfig).flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert)))].sort();
const read = (name: string) => readFileSync(join(RUNBOOK_DIR, `${name}.md`), 'utf8');

describe('runbooks', () => {
  it('covers every alert and no runbook is left without one', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(30);
    const files = readdirSync(RUNBOOK_DIR).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort();
    expect(files).toEqual(alerts);
  });

  it.each(alerts)('%s follows the template and its PromQL and links check', (name) => {
    expect(runbookProblems(name, read(name), dashboards)).toEqual([]);
  });

  it('every runbook gives at least two diagnosis queries and a command to run on the host or cluster', () => {
    const thin = alerts.filter((a) => {
      const rb = parseRunbook(read(a));
      const diag = rb.sections.get('Diagnosis') ?? '';
      return rb.promql.filter((q) => q.section === 'Diagnosis').length < 2 && !/```(sh|bash)/.test(diag);
    });
    expect(thin).toEqual([]);
  });
});

describe('the runbook check can fail', () => {
  const good = [
    '# X', '', 'One line.', '',
    '## Meaning', '', 'The thing happened for long enough.', '',
    '## Impact', '', 'Users wait longer for their answers.', '',
    '## Diagnosis', '', 'On the [GPUs dashboard](/d/tokenwatt-gpus?var-cluster=<cluster>&var-gpu=<gpu>):', '',
    '```promql', '# a comment', 'up{job="vllm"} == 0', '```', '',
    '## Mitigation', '', 'Restart the thing that is broken.', '',
    '## Silencing', '', 'Safe to silence during a planned drain of the host.', '',
  ].join('\n');

  it('accepts a runbook in the template', () => {
    expect(runbookProblems('X', good, dashboards)).toEqual([]);
  });
  it('names a missing section, a wrong title and a stub', () => {
    const p = runbookProblems('Y', good.replace(/## Silencing[\s\S]*$/, '').replace('Users wait longer for their answers.', 'tbd'), dashboards);
    expect(p.join('\n')).toMatch(/first line must be '# Y'/);
    expect(p.join('\n')).toMatch(/sections must be Meaning, Impact, Diagnosis, Mitigation, Silencing/);
    expect(p.join('\n')).toMatch(/section Impact is empty or a stub/);
  });
  it('names a query outside the catalog and one that does not parse', () => {
    const p = runbookProblems('X', good.replace('up{job="vllm"} == 0', 'vllm:no_such_series > 0'), dashboards);
    expect(p).toEqual([expect.stringMatching(/vllm:no_such_series is not in the catalog/)]);
    const q = runbookProblems('X', good.replace('up{job="vllm"} == 0', 'sum by (host (up)'), dashboards);
    expect(q).toEqual([expect.stringMatching(/syntax error/)]);
  });
  it('names a dashboard that is not built and a variable the dashboard lacks', () => {
    expect(runbookProblems('X', good.replace('tokenwatt-gpus', 'tokenwatt-nope'), dashboards)).toEqual([expect.stringMatching(/the build does not write/)]);
    expect(runbookProblems('X', good.replace('var-gpu', 'var-model'), dashboards)).toEqual([expect.stringMatching(/sets var-model, which that dashboard does not have/)]);
  });
});
