// The dashboards half of `tokenwatt build`: the eight dashboards pass every check, each check
// rejects a deliberately broken dashboard with a message naming dashboard and panel, builds are
// byte-identical, and key queries compute the right numbers in Prometheus's own engine.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { DashboardFn } from '../dashboards/index.ts';
import { vllmDetailSections } from '../dashboards/llm-serving-vllm.ts';
import { servingScope } from '../dashboards/llm-serving.ts';
import { OTHER_ENGINES } from '../dashboards/other-engines.ts';
import { SERVING_KIND_IDS, servingOf } from '../src/kinds/index.ts';
import { build, BuildError } from '../src/build/index.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { builtDashboards } from '../src/build/grafana/index.ts';
import type { BuiltDashboard } from '../src/build/grafana/index.ts';
import { collapsedRow, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable } from '../src/build/grafana/variables.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { HIGH_CARDINALITY_SERIES } from '../src/catalog/cardinality.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { recordingGroups } from '../rules/index.ts';
import { promqlTest, tool } from './support/promtool.ts';
import { stringify } from 'yaml';
import { writeFile } from 'node:fs/promises';

const config = defaultConfig;
const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tokenwatt-dash-'));
  tmpDirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of tmpDirs) await rm(d, { recursive: true, force: true });
});

/** The problems builtDashboards reports for these dashboards (fails the test if none). */
function problemsOf(fns: DashboardFn[]): string[] {
  try {
    builtDashboards(config, fns);
  } catch (err) {
    if (err instanceof BuildError) return err.problems;
    throw err;
  }
  throw new Error('expected the build to fail');
}

/**
 * A one-panel dashboard `tokenwatt-broken` whose panel 'Broken panel' has this query. The other
 * rules are checked on raw vLLM series, so the target is a drill-down unless `drillDown: false`.
 */
function withQuery(expr: string, opts: { description?: string; unit?: string; drillDown?: string | false } = {}): DashboardFn {
  const drillDown = opts.drillDown === false ? undefined : opts.drillDown ?? 'raw series on purpose (a lint test)';
  return (c) => tokenwattDashboard(c, { slug: 'broken', title: 'Broken', description: 'A dashboard broken on purpose.' })
    .withVariable(datasourceVariable(c))
    .withVariable(labelVariable('model', 'Model', 'model_name', 'vllm:num_requests_running'))
    .withPanel(timeseries({
      title: 'Broken panel', description: opts.description ?? 'A panel.', unit: opts.unit ?? 'short',
      targets: [{ expr, legend: '{{model_name}}', ...(drillDown ? { drillDown } : {}) }],
    }))
    .build();
}

const GOOD = 'sum by (model_name) (rate(vllm:generation_tokens_total{model_name=~"$model"}[$__rate_interval]))';
const AT = "dashboard 'tokenwatt-broken' panel 'Broken panel' (id 1)";

describe('the eight dashboards', () => {
  const built = builtDashboards(config);

  it('all pass every check, one file each under grafana/dashboards/<folder>/', () => {
    expect(built.map((b) => b.path)).toEqual([
      'grafana/dashboards/tokenwatt/tokenwatt-fleet-overview.json',
      'grafana/dashboards/tokenwatt/tokenwatt-llm-serving.json',
      'grafana/dashboards/tokenwatt/tokenwatt-vllm-engine.json',
      'grafana/dashboards/tokenwatt/tokenwatt-other-engines.json',
      'grafana/dashboards/tokenwatt/tokenwatt-gpus.json',
      'grafana/dashboards/tokenwatt/tokenwatt-gpu-health.json',
      'grafana/dashboards/tokenwatt/tokenwatt-energy-efficiency.json',
      'grafana/dashboards/tokenwatt/tokenwatt-cost-carbon.json',
      'grafana/dashboards/tokenwatt/tokenwatt-exporter.json',
    ]);
  });

  it('each has the datasource variable defaulting to the provisioned uid, and links to the others by tag', () => {
    const all = expect.objectContaining({ type: 'dashboards', tags: ['tokenwatt'], includeVars: true, keepTime: true });
    // The serving dashboards also show each other as buttons: LLM serving and each engine's detail.
    const serving = expect.objectContaining({ type: 'dashboards', tags: ['tokenwatt-serving'], asDropdown: false, includeVars: true, keepTime: true });
    for (const b of built) {
      const vars = (b.json.templating as { list: { name: string; type: string; current?: { value: string } }[] }).list;
      expect(vars[0]).toMatchObject({ name: 'datasource', type: 'datasource', current: { value: 'tokenwatt-prometheus' } });
      const isServing = SERVING_UIDS.includes(b.uid);
      expect(b.json.links, b.uid).toEqual(isServing ? [all, serving] : [all]);
      expect(b.json.tags).toEqual(isServing ? ['tokenwatt', 'tokenwatt-serving'] : ['tokenwatt']);
      expect(b.json.editable).toBe(false);
    }
  });

  it('panel ids run 1..n in layout order and panels never overlap', () => {
    for (const b of built) {
      type P = { id: number; gridPos: { x: number; y: number; w: number; h: number }; panels?: P[] };
      // A collapsed row holds its panels; they are numbered and laid out after it, as if it were open.
      const panels = (b.json.panels as unknown as P[]).flatMap((p) => [p, ...(p.panels ?? [])]);
      expect(panels.map((p) => p.id)).toEqual(panels.map((_, i) => i + 1));
      for (let i = 0; i < panels.length; i++) {
        for (let j = i + 1; j < panels.length; j++) {
          const a = panels[i]!.gridPos;
          const c = panels[j]!.gridPos;
          const overlap = a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;
          expect(overlap, `${b.uid}: panels ${i + 1} and ${j + 1} overlap`).toBe(false);
        }
      }
    }
  });

  it('takes folder, uid prefix and datasource uid from the config', () => {
    const other = builtDashboards({ ...config, grafana: { datasourceUid: 'acme-prom', prometheusUrl: 'http://prom.acme:9090', folder: 'gpu-cost', uidPrefix: 'acme-tw-' } });
    expect(other.map((b) => b.path)).toContain('grafana/dashboards/gpu-cost/acme-tw-gpus.json');
    expect(other.every((b) => b.uid.startsWith('acme-tw-'))).toBe(true);
    const ds = (other[0]!.json.templating as { list: { current?: { value: string } }[] }).list[0]!;
    expect(ds.current?.value).toBe('acme-prom');
  });

  it('writes object keys in sorted order and ends files with a newline', () => {
    const b = built[0]!;
    expect(Object.keys(b.json)).toEqual([...Object.keys(b.json)].sort());
    expect(b.text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(b.text)).toEqual(b.json);
  });
});

const SERVING_UIDS = ['tokenwatt-llm-serving', 'tokenwatt-vllm-engine', 'tokenwatt-other-engines'];

describe('LLM serving and its engine dashboards', () => {
  const built = builtDashboards(config);
  type P = { title: string; type: string; targets?: { expr: string }[]; panels?: P[] };
  const panels = (uid: string) => (built.find((b) => b.uid === uid)!.json.panels as unknown as P[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const titles = (uid: string, type?: 'row') => panels(uid).filter((p) => (type ? p.type === type : p.type !== 'row')).map((p) => p.title);

  it('every panel the one dashboard had is on exactly one of the three: engine-neutral on LLM serving, each engine\'s own on its dashboard', () => {
    const vllm = vllmDetailSections(servingScope(config));
    expect(titles('tokenwatt-vllm-engine', 'row')).toEqual(vllm.map((s) => s.title));
    expect(titles('tokenwatt-vllm-engine')).toEqual(vllm.flatMap((s) => s.panels.map((p) => String(p.build().title))));
    expect(titles('tokenwatt-other-engines', 'row')).toEqual(['SGLang', 'TGI', 'llama.cpp', 'Triton']);
    expect(OTHER_ENGINES).toEqual(SERVING_KIND_IDS.filter((id) => id !== 'vllm'));
    const scope = servingScope(config);
    const kindPanels = OTHER_ENGINES.flatMap((id) => servingOf(id).panels!({ config, scope, matchers: scope }).map((p) => String(p.build().title)));
    expect(titles('tokenwatt-other-engines')).toEqual(kindPanels);
    expect(titles('tokenwatt-llm-serving', 'row')).toEqual(['Overview', 'Latency', 'Traffic and errors', 'Engine state']);
    // No panel on two of them, and every one open: each is small enough to load whole (issue 11).
    const every = SERVING_UIDS.flatMap((u) => titles(u));
    expect(every.length).toBe(new Set(every).size);
    expect(every.length).toBeGreaterThanOrEqual(64); // at the split: 17 engine-neutral, 25 vLLM, 22 other engines
    for (const u of SERVING_UIDS) expect(panels(u).filter((p) => p.type === 'row' && (p.panels ?? []).length > 0), u).toEqual([]);
  });

  it('the three share their variables, so a link carries the model, and each lists its own engines\' models', () => {
    const vars = (uid: string) => (built.find((b) => b.uid === uid)!.json.templating as { list: { name: string; definition?: string }[] }).list;
    for (const u of SERVING_UIDS) expect(vars(u).map((v) => v.name), u).toEqual(['datasource', 'cluster', 'namespace', 'model']);
    const model = (uid: string) => vars(uid).find((v) => v.name === 'model')!.definition;
    expect(model('tokenwatt-vllm-engine')).toBe('label_values(vllm:num_requests_running{cluster=~"$cluster", namespace=~"$namespace"}, model_name)');
    expect(model('tokenwatt-other-engines')).toBe('label_values({__name__=~"sglang:num_running_reqs|tgi_batch_current_size|llamacpp:requests_processing|nv_inference_pending_request_count", cluster=~"$cluster", namespace=~"$namespace"}, model_name)');
    expect(model('tokenwatt-llm-serving')).toContain('__name__=~"vllm:num_requests_running|sglang:num_running_reqs|');
  });

  it('docs/engines.md names the vLLM detail rows the vLLM engine detail dashboard has', async () => {
    const doc = await readFile('docs/engines.md', 'utf8');
    const rows = [...doc.matchAll(/^\| (vLLM [^|]+?) \|/gm)].map((m) => m[1]!);
    expect(rows).toEqual(titles('tokenwatt-vllm-engine', 'row'));
  });

  it('README and docs/dashboards.md list every dashboard the build writes', async () => {
    for (const file of ['README.md', 'docs/dashboards.md']) {
      const text = await readFile(file, 'utf8');
      const line = text.split('\n').find((l) => l.startsWith('| `grafana/dashboards/tokenwatt/<uid>.json`'))!;
      const listed = [...line.matchAll(/`(?:tokenwatt)?(-[\w-]+)`/g)].map((m) => `tokenwatt${m[1]}`);
      expect(listed, file).toEqual(built.map((b) => b.uid));
    }
  });
});

describe('checks reject a broken dashboard, naming dashboard and panel', () => {
  it('accepts the well-formed control dashboard', () => {
    expect(builtDashboards(config, [withQuery(GOOD)])).toHaveLength(1);
  });

  it('PromQL syntax', () => {
    expect(problemsOf([withQuery('sum(rate(vllm:generation_tokens_total[$__rate_interval])', { drillDown: false })]))
      // Character 43 is the end of the query as parsed, `[$__rate_interval]` having become `[5m]`.
      .toEqual([`${AT} target A: syntax: syntax error at character 43: unexpected end of query in: sum(rate(vllm:generation_tokens_total[5m])`]);
  });

  it('a raw high-cardinality series outside a drill-down; recorded series and drill-downs pass', () => {
    // The catalog's list: every serving histogram and engine series, every dcgm-exporter field,
    // tokenwatt series per engine or slice; not per-GPU, node or recorded series.
    expect(HIGH_CARDINALITY_SERIES.has('vllm:time_to_first_token_seconds')).toBe(true);
    expect(HIGH_CARDINALITY_SERIES.has('DCGM_FI_DEV_GPU_TEMP')).toBe(true);
    expect(HIGH_CARDINALITY_SERIES.has('tokenwatt_model_energy_joules_total')).toBe(true);
    expect(HIGH_CARDINALITY_SERIES.has('tokenwatt_gpu_energy_joules_total')).toBe(false);
    expect(HIGH_CARDINALITY_SERIES.has('model_name:vllm_generation_tokens:rate5m')).toBe(false);
    const raw = 'histogram_quantile(0.99, sum by (le, model_name) (rate(vllm:inter_token_latency_seconds_bucket{model_name=~"$model"}[$__rate_interval])))';
    expect(problemsOf([withQuery(raw, { drillDown: false })])).toEqual([
      `${AT} target A: raw-high-cardinality: vllm:inter_token_latency_seconds_bucket is high-cardinality at fleet scale (src/catalog/cardinality.ts): read a recorded series (src/catalog/recording.ts, rules/) or mark the target a drill-down (Target.drillDown)`,
    ]);
    expect(problemsOf([withQuery('max by (host, gpu, UUID) (DCGM_FI_DEV_GPU_TEMP)', { drillDown: false })])[0]).toMatch(/raw-high-cardinality: DCGM_FI_DEV_GPU_TEMP is high-cardinality/);
    // The same quantile over the recorded per-model buckets passes, and so does a marked drill-down.
    expect(builtDashboards(config, [withQuery('histogram_quantile(0.99, sum by (le, model_name) (model_name:vllm_inter_token_latency_seconds_bucket:rate5m{model_name=~"$model"}))', { drillDown: false })])).toHaveLength(1);
    const [d] = builtDashboards(config, [withQuery(raw, { drillDown: 'per-engine detail' })]);
    expect((d!.json.panels as unknown as { targets: { expr: string }[] }[])[0]!.targets[0]!.expr).toBe(`# drill-down: per-engine detail\n${raw}`);
    // The shipped drill-downs are instant queries: one evaluation, never one per step of a range.
    const raws = builtDashboards(config).flatMap((b) => (b.json.panels as unknown as { title: string; targets?: { expr: string; instant?: boolean }[] }[])
      .flatMap((p) => (p.targets ?? []).map((t) => ({ ...t, panel: `${b.uid} / ${p.title}` }))).filter((t) => t.expr.startsWith('# drill-down:')));
    expect(raws.length).toBeGreaterThan(0);
    expect(raws.filter((t) => t.instant !== true).map((t) => t.panel)).toEqual([]);
  });

  it('a panel inside a collapsed row is checked like any other', () => {
    const raw = 'sum by (model_name) (rate(vllm:generation_tokens_total{model_name=~"$model"}[$__rate_interval]))';
    const inRow: DashboardFn = (c) => tokenwattDashboard(c, { slug: 'broken', title: 'Broken', description: 'A dashboard broken on purpose.' })
      .withVariable(datasourceVariable(c))
      .withVariable(labelVariable('model', 'Model', 'model_name', 'vllm:num_requests_running'))
      .withRow(collapsedRow('Detail', [timeseries({ title: 'Hidden panel', description: 'A panel.', unit: 'short', targets: [{ expr: raw }] })]))
      .build();
    expect(problemsOf([inRow])).toEqual([
      "dashboard 'tokenwatt-broken' panel 'Hidden panel' (id 2) target A: raw-high-cardinality: vllm:generation_tokens_total is high-cardinality at fleet scale (src/catalog/cardinality.ts): read a recorded series (src/catalog/recording.ts, rules/) or mark the target a drill-down (Target.drillDown)",
    ]);
  });

  it('PromQL types', () => {
    const problems = problemsOf([withQuery('sum(vllm:num_requests_running[$__rate_interval])')]);
    expect(problems).toEqual([`${AT} target A: type: type error: expected type vector in aggregation expression, got matrix`]);
  });

  it('metric not in the catalog', () => {
    expect(problemsOf([withQuery('sum(rate(vllm:generation_tokenz_total[$__rate_interval]))')]))
      .toContain(`${AT} target A: unknown-metric: metric vllm:generation_tokenz_total is not in the catalog (src/catalog/)`);
  });

  it('sum over MIG-repeated board series', () => {
    const [p] = problemsOf([withQuery('sum(DCGM_FI_DEV_POWER_USAGE)')]);
    expect(p).toMatch(new RegExp(`^${escape(AT)} target A: mig-sum: sum over DCGM_FI_DEV_POWER_USAGE`));
  });

  it('rate without $__rate_interval, and rate over $__range', () => {
    expect(problemsOf([withQuery('sum(rate(vllm:generation_tokens_total[5m]))')]))
      .toEqual([`${AT} target A: rate-interval: rate() must use [$__rate_interval], not [5m]`]);
    expect(problemsOf([withQuery('sum(rate(vllm:generation_tokens_total[$__range]))')]))
      .toEqual([`${AT} target A: rate-interval: rate() must use [$__rate_interval], not [$__range]`]);
    // increase over the panel's range is the one allowed exception (month-to-date totals).
    expect(builtDashboards(config, [withQuery('sum(increase(vllm:generation_tokens_total[$__range]))')])).toHaveLength(1);
  });

  it('_total series outside rate/increase, and rate of a gauge', () => {
    expect(problemsOf([withQuery('sum(vllm:generation_tokens_total)')]))
      .toEqual([`${AT} target A: total-outside-rate: counter vllm:generation_tokens_total used outside rate()/increase()`]);
    expect(problemsOf([withQuery('sum(rate(vllm:num_requests_running[$__rate_interval]))')]))
      .toEqual([`${AT} target A: rate-of-gauge: rate() over vllm:num_requests_running, which the catalog declares a gauge`]);
  });

  it('a matcher on a label the series does not carry', () => {
    expect(problemsOf([withQuery(GOOD.replace('model_name=~', 'modle_name=~'))]))
      .toEqual([`${AT} target A: unknown-label: vllm:generation_tokens_total has no label 'modle_name' (catalog labels: model_name, engine)`]);
    // Target labels (job, instance, namespace...) and the configured cluster label are always allowed.
    expect(builtDashboards(config, [withQuery(GOOD.replace('model_name=~"$model"', 'model_name=~"$model", job="vllm", cluster!="", namespace!=""'))])).toHaveLength(1);
  });

  it('panel without description or unit', () => {
    expect(problemsOf([withQuery(GOOD, { description: '' })])).toContain(`${AT}: panel has no description`);
    expect(problemsOf([withQuery(GOOD, { unit: '' })])).toContain(`${AT}: panel has no unit (fieldConfig.defaults.unit)`);
  });

  it('panel or target not on the $datasource variable', () => {
    const fixed = { type: 'prometheus', uid: 'some-other-prometheus' };
    const fn: DashboardFn = (c) => tokenwattDashboard(c, { slug: 'broken', title: 'Broken', description: 'd' })
      .withVariable(datasourceVariable(c))
      .withPanel(new TimeseriesPanel().title('Broken panel').description('d').unit('short').datasource(fixed)
        .withTarget(new DataqueryBuilder().refId('A').datasource(fixed).expr(GOOD.replace('=~"$model"', '!=""')).legendFormat('x').range()))
      .build();
    const problems = problemsOf([fn]);
    expect(problems).toContain(`${AT}: panel datasource must be the $datasource variable`);
    expect(problems).toContain(`${AT} target A: target datasource must be the $datasource variable`);
  });

  it('a query using a variable the dashboard does not define', () => {
    expect(problemsOf([withQuery(GOOD.replace('$model', '$modle'))]))
      .toEqual([`${AT} target A: uses variable $modle, which the dashboard does not define`]);
  });

  it('editable dashboards and a missing datasource variable', () => {
    const fn: DashboardFn = (c) => new DashboardBuilder('Broken').uid('tokenwatt-broken').description('d').editable()
      .withPanel(timeseries({ title: 'Broken panel', description: 'd', unit: 'short', targets: [{ expr: 'sum(up)' }] }))
      .build();
    const problems = problemsOf([fn]);
    expect(problems).toContain("dashboard 'tokenwatt-broken': editable must be false (provisioned dashboards are changed in code)");
    expect(problems).toContain("dashboard 'tokenwatt-broken': needs exactly one datasource variable, named 'datasource', of type prometheus");
  });

  it('repeated uids and uids without the config prefix', () => {
    expect(problemsOf([withQuery(GOOD), withQuery(GOOD)])).toEqual(["dashboard 'tokenwatt-broken': uid also used by 'Broken'"]);
    const other: DashboardFn = (c) => withQuery(GOOD)({ ...c, grafana: { ...c.grafana, uidPrefix: 'other-' } });
    expect(problemsOf([other])).toEqual(["dashboard 'other-broken': uid must start with the config prefix 'tokenwatt-'"]);
  });

  it('a query variable outside the catalog', () => {
    const fn: DashboardFn = (c) => tokenwattDashboard(c, { slug: 'broken', title: 'Broken', description: 'd' })
      .withVariable(datasourceVariable(c))
      .withVariable(labelVariable('model', 'Model', 'model_name', 'vllm:num_requests_runing'))
      .build();
    expect(problemsOf([fn])).toEqual([
      "dashboard 'tokenwatt-broken' variable 'model': unknown-metric: metric vllm:num_requests_runing is not in the catalog (src/catalog/)",
    ]);
  });

  it('JSON that does not fit the classic dashboard model (zod schema)', () => {
    // A misspelt field and a gridPos wider than the grid: Grafana would ignore or clip them.
    const fn: DashboardFn = (c) => {
      const d = withQuery(GOOD)(c) as unknown as Record<string, unknown> & { panels: { gridPos: { w: number } }[] };
      d.refesh = '1m';
      d.panels[0]!.gridPos.w = 30;
      return d as never;
    };
    const problems = problemsOf([fn]);
    expect(problems).toContain(`${AT}: schema: panels.0.gridPos.w: Too big: expected number to be <=24`);
    expect(problems).toContain(`dashboard 'tokenwatt-broken': schema: : Unrecognized key: "refesh"`);
    expect(problems).toContain(`${AT}: gridPos must lie within the 24-column grid`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out.set(relative(dir, full), await readFile(full));
  }
  return out;
}

describe('tokenwatt build', () => {
  it('two builds into two folders are byte-identical', async () => {
    const [a, b] = [await tmp(), await tmp()];
    await build(a, config);
    await build(b, config);
    const fa = await filesUnder(a);
    const fb = await filesUnder(b);
    expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort());
    for (const [path, content] of fa) expect(content.equals(fb.get(path)!), path).toBe(true);
    expect(fa.has('grafana/provisioning/dashboards/tokenwatt.yaml')).toBe(true);
  });

  it('the CLI prints what it wrote; provisioning and ConfigMaps carry the dashboards', async () => {
    const out = await tmp();
    const { stdout } = await promisify(execFile)('node', ['bin/tokenwatt.js', 'build', '--out', out]);
    for (const path of [
      'grafana/dashboards/tokenwatt/tokenwatt-gpus.json',
      'grafana/provisioning/dashboards/tokenwatt.yaml',
      'grafana/provisioning/datasources/prometheus.yaml',
      'kubernetes/grafana-dashboards.yaml',
    ]) expect(stdout).toMatch(new RegExp(`^wrote ${escape(join(out, path))} \\(\\d+ bytes\\)$`, 'm'));
    expect(stdout).toMatch(/^built \d+ files in \d+\.\d\d s$/m);

    const provider = parseAllDocuments(await readFile(join(out, 'grafana/provisioning/dashboards/tokenwatt.yaml'), 'utf8'))[0]!.toJS();
    expect(provider.providers[0]).toMatchObject({ type: 'file', options: { foldersFromFilesStructure: true, path: '/var/lib/grafana/dashboards' } });
    const ds = parseAllDocuments(await readFile(join(out, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'))[0]!.toJS();
    expect(ds.datasources[0]).toMatchObject({ uid: 'tokenwatt-prometheus', type: 'prometheus', url: 'http://localhost:9090' });

    const maps = parseAllDocuments(await readFile(join(out, 'kubernetes/grafana-dashboards.yaml'), 'utf8')).map((d) => d.toJS());
    expect(maps).toHaveLength(9);
    const gpus = maps.find((m) => m.metadata.name === 'tokenwatt-gpus-dashboard');
    expect(gpus.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'tokenwatt' } });
    // The ConfigMap holds exactly the file's text.
    expect(gpus.data['tokenwatt-gpus.json']).toBe(await readFile(join(out, 'grafana/dashboards/tokenwatt/tokenwatt-gpus.json'), 'utf8'));
  });
});

/** A query with Grafana's variables replaced as an All selection and a 5m rate interval would. */
function concrete(expr: string): string {
  return expr.replace(/"\$\w+"/g, '".*"').replaceAll('$__rate_interval', '5m').replaceAll('$__range_s', '3600').replaceAll('$__range', '1h');
}

/** A panel's query (target A by default), made concrete. */
function query(built: BuiltDashboard[], uid: string, title: string, refId = 'A'): string {
  const d = built.find((b) => b.uid === uid)!;
  const panel = (d.json.panels as unknown as { title: string; targets?: { refId: string; expr: string }[] }[]).find((p) => p.title === title);
  const expr = panel?.targets?.find((t) => t.refId === refId)?.expr;
  if (!expr) throw new Error(`${uid}: no panel '${title}' target ${refId}`);
  return concrete(expr);
}

describe('dashboard queries in Prometheus\'s engine', () => {
  const built = builtDashboards(config);
  /** The built recording-rule files: panels read recorded series, so promtool evaluates the rules under them. */
  let rulesDir: Promise<string[]> | undefined;
  const ruleFiles = () => (rulesDir ??= (async () => {
    const dir = await tmp();
    await build(dir, config);
    const names = compileGroups(config).slice(0, recordingGroups.length).map((g) => g.name);
    return names.map((n) => join(dir, 'prometheus', 'rules', `${n}.yaml`));
  })());

  it('Prometheus 2.42 itself parses and type-checks every target and variable query', async () => {
    // promtool check rules parses each recording rule's expr with Prometheus's own parser: a
    // function or syntax newer than the deployed Prometheus fails here, not in the browser.
    const exprs: string[] = [];
    for (const b of built) {
      for (const p of b.json.panels as unknown as { targets?: { expr: string }[] }[]) for (const t of p.targets ?? []) exprs.push(t.expr);
      for (const v of (b.json.templating as { list: { query?: { query?: string } }[] }).list) {
        const m = /^label_values\((.*), *\w+\)$/.exec(v.query?.query ?? '');
        if (m) exprs.push(m[1]!);
      }
    }
    expect(exprs.length).toBeGreaterThan(100); // 145 when written: every panel and variable
    const dir = await tmp();
    await writeFile(join(dir, 'rules.yaml'), stringify({
      groups: [{ name: 'dashboard-queries', rules: exprs.map((e, i) => ({ record: `dashboard:query_${i}:check`, expr: concrete(e) })) }],
    }));
    const r = await tool('promtool', ['check', 'rules', join(dir, 'rules.yaml')]);
    expect(r.out).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.code).toBe(0);
  });

  it('GPU board power counts a MIG GPU once, from its energy counter', async () => {
    // GPU-a carries three MIG instances, each repeating the board's counter: +18,000,000 mJ per
    // minute = 300,000 mJ/s = 300 W. GPU-b (no MIG): +12,000,000 mJ/min = 200 W. Board total 500 W,
    // not 3 x 300 + 200 = 1100 W.
    // host as stored: metric_relabel_configs copy Hostname into it at ingest.
    const base = 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{job="dcgm-exporter", instance="dcgm:9400", Hostname="h1", host="h1"';
    const series = [
      ...['1', '2', '3'].map((id, i) => ({
        series: `${base}, gpu="0", UUID="GPU-a", GPU_I_ID="${id}", GPU_I_PROFILE="${['3g.40gb', '2g.20gb', '1g.10gb'][i]}"}`, values: '0+18000000x20',
      })),
      { series: `${base}, gpu="1", UUID="GPU-b", GPU_I_ID="", GPU_I_PROFILE=""}`, values: '0+12000000x20' },
    ];
    const expr = `round(${query(built, 'tokenwatt-gpus', 'Board power')}, 0.001)`;
    const r = await promqlTest({ series, ruleFiles: await ruleFiles(), tests: [{ expr, eval_time: '10m', exp_samples: [{ labels: '{}', value: 500 }] }] });
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('fleet tokens per joule is generated tokens over attributed energy in the same window', async () => {
    // 6,000 tokens/min = 100 tokens/s over 30,000 J/min = 500 W: 0.2 tokens per joule.
    const labels = 'job="tokenwatt", model_name="llama", engine="0", namespace="serve"';
    const r = await promqlTest({
      series: [
        { series: `tokenwatt_model_generation_tokens_total{${labels}}`, values: '0+6000x20' },
        { series: `tokenwatt_model_energy_joules_total{${labels}}`, values: '0+30000x20' },
      ],
      ruleFiles: await ruleFiles(),
      tests: [{ expr: `round(${query(built, 'tokenwatt-fleet-overview', 'Tokens per joule')}, 0.001)`, eval_time: '10m', exp_samples: [{ labels: '{}', value: 0.2 }] }],
    });
    expect(r.out).toContain('SUCCESS');
  });

  it('prefix-cache hit ratio works on vLLM that only serves the old gpu_prefix_cache names', async () => {
    // 300 hit tokens per minute out of 1,200 looked up: 0.25.
    const labels = 'job="vllm", model_name="llama", engine="0", instance="vllm:8000"';
    const r = await promqlTest({
      series: [
        { series: `vllm:gpu_prefix_cache_hits_total{${labels}}`, values: '0+300x20' },
        { series: `vllm:gpu_prefix_cache_queries_total{${labels}}`, values: '0+1200x20' },
      ],
      ruleFiles: await ruleFiles(),
      tests: [{
        expr: `round(${query(built, 'tokenwatt-llm-serving', 'Prefix-cache hit ratio')}, 0.001)`, eval_time: '10m',
        exp_samples: [{ labels: '{model_name="llama"}', value: 0.25 }],
      }],
    });
    expect(r.out).toContain('SUCCESS');
  });

  it('fleet-wide generated tokens/s counts a side that is absent as zero (an SGLang-only fleet)', async () => {
    // 3,000 tokens per minute = 50 tokens/s, and no vLLM series at all.
    const r = await promqlTest({
      series: [{ series: 'sglang:generation_tokens_total{job="sglang", model_name="qwen", engine_type="unified", tp_rank="0", pp_rank="0", instance="sgl:30000"}', values: '0+3000x20' }],
      ruleFiles: await ruleFiles(),
      tests: [{ expr: `round(${query(built, 'tokenwatt-llm-serving', 'Generated tokens/s')}, 0.001)`, eval_time: '10m', exp_samples: [{ labels: '{}', value: 50 }] }],
    });
    expect(r.out).toContain('SUCCESS');
  });

  it('CPU package power reads legacy Kepler or the rewrite, one RAPL zone only', async () => {
    // Rewrite on node-a: package +6,000 J/min = 100 W; the overlapping core zone (+3,000 J/min)
    // must not be added. Legacy on node-b: package +4,800 J/min = 80 W.
    const r = await promqlTest({
      series: [
        { series: 'kepler_node_cpu_joules_total{job="kepler", instance="node-a:28282", node_name="a", zone="package", path="/x"}', values: '0+6000x20' },
        { series: 'kepler_node_cpu_joules_total{job="kepler", instance="node-a:28282", node_name="a", zone="core", path="/x"}', values: '0+3000x20' },
        { series: 'kepler_node_package_joules_total{job="kepler", instance="node-b:9102", source="rapl", mode="dynamic"}', values: '0+4800x20' },
      ],
      tests: [{
        expr: `round(${query(built, 'tokenwatt-energy-efficiency', 'CPU package power')}, 0.001)`, eval_time: '10m',
        exp_samples: [{ labels: '{instance="node-a:28282"}', value: 100 }, { labels: '{instance="node-b:9102"}', value: 80 }],
      }],
    });
    expect(r.out).toContain('SUCCESS');
  });
});
