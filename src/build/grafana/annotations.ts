// What every tokenwatt dashboard marks on its time axis and links to, added by the shared frame
// (dashboard.ts) and the build (index.ts) so all eight get the same:
// - annotations: Grafana's built-in "Annotations & Alerts", tokenwatt's Prometheus alerts while they
//   fire (ALERTS, one series per firing alert), serving-engine restarts (engineRestarts), and
//   tokenwatt config changes (tokenwatt_config_hash, one series per exporter). Each reads a handful of series, never every
//   engine's raw series.
// - data links: a series or row that names a model opens the LLM serving dashboard on that model (and,
//   on LLM serving, the engine dashboards of the engines the panel reads: vLLM engine detail, Other
//   engines); one that names a host and GPU opens the GPUs dashboard on that GPU (time range and cluster kept).
import { AnnotationQueryBuilder, AnnotationTargetBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../../config/mixin.ts';
import { SERVING_KIND_IDS, servingOf } from '../../kinds/index.ts';
import { sel } from '../../promql/helpers.ts';
import { dashboardUid } from './dashboard.ts';
import { sortedJson } from './finalise.ts';
import type { DashboardJson, Json, PanelJson } from './finalise.ts';
import { DATASOURCE } from './panels.ts';

/** The annotation queries of every dashboard, in the order Grafana lists them. */
export function tokenwattAnnotations(config: MixinConfig): AnnotationQueryBuilder[] {
  return [
    // Grafana's own: its alert state changes and annotations people add by hand.
    new AnnotationQueryBuilder().name('Annotations & Alerts').builtIn(1).type('dashboard').enable(true).hide(true)
      .datasource({ type: 'grafana', uid: '-- Grafana --' }).iconColor('rgba(0, 211, 255, 1)')
      .target(new AnnotationTargetBuilder().limit(100).matchAny(false).tags([]).type('dashboard') as never),
    new AnnotationQueryBuilder().name('tokenwatt alerts firing').enable(true).datasource(DATASOURCE).iconColor('red')
      .expr(`${sel('ALERTS', 'alertstate="firing", severity=~"critical|warning"')}`).step('1m')
      .titleFormat('{{alertname}} ({{severity}})').textFormat('{{cluster}} {{host}} {{model_name}} {{gpu}}').tagKeys('severity,component'),
    new AnnotationQueryBuilder().name('Engine restarts').enable(true).datasource(DATASOURCE).iconColor('orange')
      .expr(engineRestarts(config)).step('1m')
      .titleFormat('Serving engine restarted').textFormat('{{job}} {{instance}} {{model_name}}').tagKeys('job'),
    new AnnotationQueryBuilder().name('tokenwatt config changes').enable(true).datasource(DATASOURCE).iconColor('purple')
      .expr(`changes(${sel('tokenwatt_config_hash', config.selectors.tokenwatt)}[2m]) > 0`).step('1m')
      .titleFormat('tokenwatt exporter config changed').textFormat('{{instance}}').tagKeys('job'),
  ];
}

/**
 * A serving engine restarted within the step: vLLM's process start time changed (recorded per server,
 * rules/serving-vllm.ts), or another kind's generated-token counter reset (SGLang runs
 * prometheus_client in multiprocess mode, which serves no process_start_time_seconds; TGI and
 * llama.cpp serve none either). One series per engine process, read only while a dashboard is open.
 */
function engineRestarts(config: MixinConfig): string {
  const others = SERVING_KIND_IDS.filter((id) => id !== 'vllm').map((id) => {
    const counter = servingOf(id).generationTokens;
    return `resets(${counter}{${config.selectors[id]}}[2m]) > 0`;
  });
  return ['changes(instance:vllm_process_start_time_seconds:max[2m]) > 0', ...others].join(' or ');
}

interface Link { title: string; url: string; targetBlank: boolean }

/**
 * The engine dashboards LLM serving's per-model panels link to, by the recorded series a panel reads:
 * vLLM's detail (dashboards/vllm-engine.ts), and SGLang's row on Other engines (dashboards/other-engines.ts),
 * the one other engine whose series LLM serving draws.
 */
const ENGINE_DASHBOARDS = [
  { slug: 'vllm-engine', title: 'vLLM engine detail', reads: /\bmodel_name:vllm_/ },
  { slug: 'other-engines', title: 'Other engines', reads: /\bmodel_name:sglang_/ },
];

/** Labels a panel's series keep: from legend templates (`{{host}}`) and `by (...)` clauses of its queries. */
function labelsOf(p: PanelJson): Set<string> {
  const out = new Set<string>();
  for (const t of (p.targets as { legendFormat?: string; expr?: string }[] | undefined) ?? []) {
    for (const m of (t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) out.add(m[1]!);
    // A table's rows carry its query's grouping labels (tables have no legend).
    if (t.legendFormat === undefined || t.legendFormat === '__auto') {
      const by = /\bby \(([^)]*)\)/.exec(t.expr ?? '');
      for (const l of by?.[1]?.split(',') ?? []) out.add(l.trim());
      // A recorded per-GPU series keeps its board labels.
      if (/^(gpu|gpu_instance):/.test(t.expr ?? '')) ['host', 'gpu'].forEach((l) => out.add(l));
    }
  }
  return out;
}

/**
 * Data links on every panel whose series name a model or a GPU: to the drill-down dashboard with its
 * variables set from the clicked series (Grafana's `${__field.labels.*}`), keeping the time range
 * and the cluster picked here (on its own dashboard a link narrows the view to that model or GPU).
 */
export function addDataLinks(json: DashboardJson, config: MixinConfig): DashboardJson {
  const serving = dashboardUid(config, 'llm-serving');
  const gpus = dashboardUid(config, 'gpus');
  const vars = ((json.templating as { list?: { name: string }[] } | undefined)?.list ?? []).map((v) => v.name);
  const keep = ['${__url_time_range}', ...(vars.includes('cluster') ? ['${cluster:queryparam}'] : [])].join('&');
  for (const p of json.panels) {
    if (p.type === 'row') continue;
    const labels = labelsOf(p);
    const links: Link[] = [];
    if (labels.has('model_name')) {
      links.push({ title: 'LLM serving: ${__field.labels.model_name}', url: `/d/${serving}?var-model=\${__field.labels.model_name}&${keep}`, targetBlank: false });
      const exprs = ((p.targets as { expr?: string }[] | undefined) ?? []).map((t) => t.expr ?? '').join('\n');
      for (const e of json.uid === serving ? ENGINE_DASHBOARDS : []) {
        if (!e.reads.test(exprs)) continue;
        links.push({ title: `${e.title}: \${__field.labels.model_name}`, url: `/d/${dashboardUid(config, e.slug)}?var-model=\${__field.labels.model_name}&${keep}`, targetBlank: false });
      }
    }
    if (labels.has('host') && labels.has('gpu')) {
      links.push({ title: 'GPUs: ${__field.labels.host} GPU ${__field.labels.gpu}', url: `/d/${gpus}?var-host=\${__field.labels.host}&var-gpu=\${__field.labels.gpu}&${keep}`, targetBlank: false });
    }
    if (links.length === 0) continue;
    const fc = p.fieldConfig as { defaults: { [k: string]: Json } };
    fc.defaults.links = links as unknown as Json;
  }
  // Keys sorted again, as finalise writes them (regenerating changes no byte).
  return sortedJson(json) as DashboardJson;
}
