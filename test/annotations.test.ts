// The shared annotations and data links (src/build/grafana/annotations.ts): every dashboard marks
// firing alerts, engine restarts and tokenwatt config changes beside Grafana's built-in annotation, and every series
// that names a model or a GPU links to the drill-down dashboard with its variables set.
import { describe, expect, it } from 'vitest';
import { builtDashboards } from '../src/build/grafana/index.ts';
import { lintDashboard } from '../src/build/grafana/lint.ts';
import type { DashboardJson } from '../src/build/grafana/finalise.ts';
import { defaultConfig } from '../src/config/mixin.ts';

type Annotation = { name: string; builtIn?: number; expr?: string };
type Link = { title: string; url: string };
type Panel = { title: string; type: string; fieldConfig?: { defaults: { links?: Link[] } } };

const built = builtDashboards(defaultConfig);
const byUid = new Map(built.map((d) => [d.uid, d.json]));
const annotations = (d: DashboardJson) => (d.annotations as unknown as { list: Annotation[] }).list;
const panel = (uid: string, title: string) => (byUid.get(uid)!.panels as unknown as Panel[]).find((p) => p.title === title)!;
const variables = (d: DashboardJson) => (d.templating as unknown as { list: { name: string }[] }).list.map((v) => v.name);

describe('annotations', () => {
  it('every dashboard has Grafana\'s built-in annotation, firing alerts, engine restarts and config changes', () => {
    expect(built.length).toBe(9);
    for (const d of built) {
      const a = annotations(d.json);
      expect(a.map((x) => x.name), d.uid).toEqual(['Annotations & Alerts', 'tokenwatt alerts firing', 'Engine restarts', 'tokenwatt config changes']);
      expect(a[0]!.builtIn).toBe(1);
      expect(a[1]!.expr).toBe('ALERTS{alertstate="firing", severity=~"critical|warning"}');
      // vLLM by its recorded process start time; every other serving kind by a reset of its token counter.
      expect(a[2]!.expr).toMatch(/^changes\(instance:vllm_process_start_time_seconds:max\[2m\]\) > 0 or resets\(sglang:generation_tokens_total\{job="sglang"\}\[2m\]\) > 0 or /);
      expect(a[3]!.expr).toBe('changes(tokenwatt_config_hash{job="tokenwatt"}[2m]) > 0');
    }
  });

  it('an annotation query naming a series outside the catalog fails the build check', () => {
    const d = structuredClone(built[0]!.json);
    (annotations(d)[1] as Annotation).expr = 'changes(tokenwatt_config_checksum[2m]) > 0';
    expect(lintDashboard(d).join('\n')).toMatch(/annotation 'tokenwatt alerts firing': unknown-metric: metric tokenwatt_config_checksum is not in the catalog/);
  });
});

describe('data links', () => {
  it('a model series opens the LLM serving dashboard on that model, a GPU series the GPUs dashboard on that GPU', () => {
    const model = panel('tokenwatt-fleet-overview', 'Tokens per joule by model').fieldConfig!.defaults.links!;
    expect(model).toEqual([{ title: 'LLM serving: ${__field.labels.model_name}', url: '/d/tokenwatt-llm-serving?var-model=${__field.labels.model_name}&${__url_time_range}&${cluster:queryparam}', targetBlank: false }]);
    const gpu = panel('tokenwatt-energy-efficiency', 'Tokens per joule by GPU').fieldConfig!.defaults.links!;
    expect(gpu.map((l) => l.url)).toEqual(['/d/tokenwatt-gpus?var-host=${__field.labels.host}&var-gpu=${__field.labels.gpu}&${__url_time_range}&${cluster:queryparam}']);
    // A table of GPUs (no legend): its rows carry the board labels.
    expect(panel('tokenwatt-gpus', 'Last XID per GPU').fieldConfig!.defaults.links!.map((l) => l.title)).toEqual(['GPUs: ${__field.labels.host} GPU ${__field.labels.gpu}']);
    // A fleet total names neither.
    expect(panel('tokenwatt-gpus', 'GPUs').fieldConfig!.defaults.links).toBeUndefined();
  });

  it('LLM serving\'s model series also open the engine dashboards of the engines they read; those link back', () => {
    const titles = (uid: string, title: string) => panel(uid, title).fieldConfig!.defaults.links!.map((l) => l.title);
    // TTFT draws vLLM and SGLang models: both engines' dashboards.
    expect(titles('tokenwatt-llm-serving', 'Time to first token')).toEqual([
      'LLM serving: ${__field.labels.model_name}', 'vLLM engine detail: ${__field.labels.model_name}', 'Other engines: ${__field.labels.model_name}',
    ]);
    expect(panel('tokenwatt-llm-serving', 'Preemptions/s').fieldConfig!.defaults.links!.map((l) => l.url)).toEqual([
      '/d/tokenwatt-llm-serving?var-model=${__field.labels.model_name}&${__url_time_range}&${cluster:queryparam}',
      '/d/tokenwatt-vllm-engine?var-model=${__field.labels.model_name}&${__url_time_range}&${cluster:queryparam}',
    ]);
    // Only LLM serving links to the engine dashboards; their model series link back to it.
    expect(titles('tokenwatt-fleet-overview', 'Tokens per joule by model')).toEqual(['LLM serving: ${__field.labels.model_name}']);
    expect(titles('tokenwatt-vllm-engine', 'Draft acceptance rate')).toEqual(['LLM serving: ${__field.labels.model_name}']);
    expect(titles('tokenwatt-other-engines', 'SGLang abort ratio')).toEqual(['LLM serving: ${__field.labels.model_name}']);
  });

  it('every link opens a built dashboard and sets only variables it has', () => {
    let links = 0;
    for (const d of built) {
      for (const p of d.json.panels as unknown as Panel[]) {
        for (const l of p.fieldConfig?.defaults.links ?? []) {
          links++;
          const m = /^\/d\/([\w-]+)\?(.*)$/.exec(l.url)!;
          const target = byUid.get(m[1]!);
          expect(target, `${d.uid} / ${p.title}: ${l.url}`).toBeDefined();
          const set = [...m[2]!.matchAll(/var-(\w+)=/g)].map((x) => x[1]!);
          for (const v of set) expect(variables(target!), `${d.uid} / ${p.title} sets var-${v}`).toContain(v);
        }
      }
    }
    expect(links).toBeGreaterThan(60);
  });
});
