// The generated Prometheus, Alertmanager and Kubernetes files pass the real promtool 2.42 and
// amtool 0.25 checks, the build is deterministic, and a broken rule fails it naming group and rule.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { build, BuildError, generate } from '../src/build/index.ts';
import type { Artifact } from '../src/build/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { checkedGroups, compileGroups } from '../src/rules/collect.ts';
import { alert } from '../src/rules/types.ts';
import type { RuleGroup } from '../src/rules/types.ts';
import { tool } from './support/promtool.ts';

let dir = '';
let artifacts: Artifact[] = [];
const out = (p: string) => join(dir, 'dist', p);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-build-'));
  artifacts = await build(join(dir, 'dist'), defaultConfig);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ruleFiles = () => artifacts.filter((a) => a.path.startsWith('prometheus/rules/')).map((a) => out(a.path));

describe('generated files pass the real tools', () => {
  it('promtool check rules accepts every rule file', async () => {
    const files = ruleFiles();
    expect(files.length).toBe(compileGroups(defaultConfig).length);
    const r = await tool('promtool', ['check', 'rules', ...files]);
    expect(r.code, r.out).toBe(0);
    const found = [...r.out.matchAll(/SUCCESS: (\d+) rules found/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(found).toBe(compileGroups(defaultConfig).reduce((n, g) => n + g.rules.length, 0));
  });

  it('promtool check config accepts prometheus.yml with its rule files and file_sd targets', async () => {
    const r = await tool('promtool', ['check', 'config', 'prometheus.yml'], out('prometheus'));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/SUCCESS: \d+ rule files found/);
    const yml = parse(await readFile(out('prometheus/prometheus.yml'), 'utf8'));
    expect(yml.scrape_configs.map((s: { job_name: string }) => s.job_name)).toEqual(['vllm', 'sglang', 'dcgm-exporter', 'kepler', 'node', 'tokenwatt', 'tgi', 'llamacpp', 'triton']);
    expect(yml.rule_files.every((f: string) => f.startsWith('rules/'))).toBe(true);
    // dcgm-exporter's own host label (either spelling) and Kepler's node_name become `host` at
    // ingest; jobs whose exporter names no host get no metric relabelling.
    const job = (name: string) => yml.scrape_configs.find((s: { job_name: string }) => s.job_name === name);
    expect(job('dcgm-exporter').metric_relabel_configs).toEqual([
      { source_labels: ['Hostname'], regex: '(.+)', target_label: 'host', replacement: '$1' },
      { source_labels: ['hostname'], regex: '(.+)', target_label: 'host', replacement: '$1' },
    ]);
    expect(job('kepler').metric_relabel_configs).toEqual([{ source_labels: ['node_name'], regex: '(.+)', target_label: 'host', replacement: '$1' }]);
    expect(job('vllm').metric_relabel_configs).toBeUndefined();
  });

  it('amtool check-config accepts alertmanager.yml (PagerDuty routing_key_file, Slack api_url_file)', async () => {
    const r = await tool('amtool', ['check-config', out('alertmanager/alertmanager.yml')]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('2 inhibit rules');
    expect(r.out).toContain('4 receivers');
    const am = parse(await readFile(out('alertmanager/alertmanager.yml'), 'utf8'));
    expect(am.receivers.find((x: { name: string }) => x.name === 'pagerduty').pagerduty_configs[0].routing_key_file).toBe(defaultConfig.alertmanager.pagerdutyRoutingKeyFile);
  });

  it('PrometheusRule manifests carry the release label and rule groups promtool accepts', async () => {
    const manifests = artifacts.filter((a) => a.path.startsWith('kubernetes/prometheusrule-'));
    expect(manifests.length).toBe(compileGroups(defaultConfig).length);
    const files: string[] = [];
    for (const m of manifests) {
      const obj = parse(m.content);
      expect(obj.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(obj.kind).toBe('PrometheusRule');
      expect(obj.metadata.labels.release).toBe(defaultConfig.kubernetes.release);
      const f = join(dir, m.path.replace(/\//g, '_'));
      await writeFile(f, stringify(obj.spec));
      files.push(f);
    }
    const r = await tool('promtool', ['check', 'rules', ...files]);
    expect(r.code, r.out).toBe(0);
  });

  it('writes a ServiceMonitor or PodMonitor per scrape job, relabelling job, cluster and host', () => {
    const monitors = artifacts.filter((a) => /^kubernetes\/(servicemonitor|podmonitor)-/.test(a.path)).map((a) => parse(a.content));
    expect(monitors.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'PodMonitor/tokenwatt-llamacpp', 'PodMonitor/tokenwatt-sglang', 'PodMonitor/tokenwatt-tgi', 'PodMonitor/tokenwatt-triton', 'PodMonitor/tokenwatt-vllm', 'ServiceMonitor/tokenwatt-dcgm-exporter',
      'ServiceMonitor/tokenwatt-kepler', 'ServiceMonitor/tokenwatt-node', 'ServiceMonitor/tokenwatt-tokenwatt',
    ]);
    // TGI's metrics name no model: its PodMonitor takes model_name from the pod label tokenwatt.io/model.
    const tgi = monitors.find((m) => m.metadata.name === 'tokenwatt-tgi');
    expect(tgi.spec.podMetricsEndpoints[0].relabelings).toContainEqual({ sourceLabels: ['__meta_kubernetes_pod_label_tokenwatt_io_model'], targetLabel: 'model_name' });
    // Triton names its model in `model`: copied into model_name at ingest.
    const triton = monitors.find((m) => m.metadata.name === 'tokenwatt-triton');
    expect(triton.spec.podMetricsEndpoints[0].metricRelabelings).toContainEqual({ sourceLabels: ['model'], regex: '(.+)', targetLabel: 'model_name', replacement: '$1', action: 'replace' });
    const vllm = monitors.find((m) => m.metadata.name === 'tokenwatt-vllm');
    const ep = vllm.spec.podMetricsEndpoints[0];
    expect(ep.relabelings).toContainEqual({ targetLabel: 'job', replacement: 'vllm' });
    expect(ep.relabelings).toContainEqual({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'host' });
    expect(vllm.metadata.labels.release).toBe(defaultConfig.kubernetes.release);
    expect(ep.metricRelabelings).toBeUndefined();
    const dcgm = monitors.find((m) => m.metadata.name === 'tokenwatt-dcgm-exporter').spec.endpoints[0];
    expect(dcgm.metricRelabelings).toEqual([
      { sourceLabels: ['Hostname'], regex: '(.+)', targetLabel: 'host', replacement: '$1', action: 'replace' },
      { sourceLabels: ['hostname'], regex: '(.+)', targetLabel: 'host', replacement: '$1', action: 'replace' },
    ]);
  });

  it('is deterministic: a second build writes the same bytes', async () => {
    const again = await generate(defaultConfig);
    expect(again).toEqual(artifacts);
  });
});

describe('runbooks', () => {
  it('exist for exactly the alerts there are (no orphans)', async () => {
    const files = (await readdir(new URL('../docs/runbooks/', import.meta.url))).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    const alerts = [...new Set(compileGroups(defaultConfig).flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : []))))];
    expect(files.sort()).toEqual(alerts.sort());
  });
});

describe('timings and receivers come from the config', () => {
  const demo: MixinConfig = {
    ...defaultConfig,
    // Host-loss alerts shortened with it: they must still fire before the server-down they inhibit.
    alerting: { ...defaultConfig.alerting, serving: { ...defaultConfig.alerting.serving, downFor: '30s' }, gpu: { ...defaultConfig.alerting.gpu, missingFor: '15s', hostDownFor: '15s' } },
    alertmanager: { ...defaultConfig.alertmanager, webhookUrl: 'http://127.0.0.1:9999/hook' },
    prometheus: { ...defaultConfig.prometheus, staticTargets: { vllm: ['127.0.0.1:8000'] } },
  };
  it('shortens a for: duration and sends critical and warning to one webhook, still valid', async () => {
    const d = await mkdtemp(join(tmpdir(), 'tokenwatt-demo-'));
    try {
      const files = await build(d, demo);
      const serving = parse(files.find((f) => f.path === 'prometheus/rules/llm-serving.yaml')!.content);
      expect(serving.groups[0].rules.find((r: { alert: string }) => r.alert === 'LLMServerDown').for).toBe('30s');
      const am = parse(files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
      for (const name of ['pagerduty', 'chat']) {
        expect(am.receivers.find((x: { name: string }) => x.name === name).webhook_configs[0].url).toBe('http://127.0.0.1:9999/hook');
      }
      expect((await tool('amtool', ['check-config', join(d, 'alertmanager/alertmanager.yml')])).code).toBe(0);
      const c = await tool('promtool', ['check', 'config', 'prometheus.yml'], join(d, 'prometheus'));
      expect(c.code, c.out).toBe(0);
      expect(parse(files.find((f) => f.path === 'prometheus/targets/vllm.yaml')!.content)).toEqual([{ targets: ['127.0.0.1:8000'], labels: { cluster: 'default' } }]);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });

  it('sends chat to a generic webhook when chatWebhookUrl is set, PagerDuty unchanged', async () => {
    const files = await generate({ ...defaultConfig, alertmanager: { ...defaultConfig.alertmanager, chatWebhookUrl: 'http://chat.example/hook' } });
    const am = parse(files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
    expect(am.receivers.find((x: { name: string }) => x.name === 'chat')).toEqual({ name: 'chat', webhook_configs: [{ url: 'http://chat.example/hook', send_resolved: true }] });
    expect(am.receivers.find((x: { name: string }) => x.name === 'pagerduty').pagerduty_configs).toHaveLength(1);
  });

  it('writes file_sd targets: addresses in one group, labelled groups as given, the cluster label on each', async () => {
    const files = await generate({ ...defaultConfig, prometheus: { ...defaultConfig.prometheus, cluster: 'c1', staticTargets: { vllm: ['10.0.0.5:8000', { targets: ['127.0.0.1:8001'], labels: { host: 'gpu-node-2' } }] } } });
    const text = files.find((f) => f.path === 'prometheus/targets/vllm.yaml')!.content;
    expect(text).toMatch(/^# file_sd targets of job vllm \(host:8000\)/);
    expect(text).not.toContain('do not edit');
    expect(parse(text)).toEqual([
      { targets: ['10.0.0.5:8000'], labels: { cluster: 'c1' } },
      { targets: ['127.0.0.1:8001'], labels: { cluster: 'c1', host: 'gpu-node-2' } },
    ]);
    expect(parse(files.find((f) => f.path === 'prometheus/targets/kepler.yaml')!.content)).toEqual([]);
  });

  it('rejects a host-loss alert that would fire after the server-down alert it inhibits', async () => {
    // GPUMissing for 5m against LLMServerDown for 3m: the lost GPU's servers would page first.
    const bad: MixinConfig = { ...defaultConfig, alerting: { ...defaultConfig.alerting, gpu: { ...defaultConfig.alerting.gpu, missingFor: '5m' } } };
    await expect(generate(bad)).rejects.toThrow("group gpu-health, alert GPUMissing: for 5m must be shorter than LLMServerDown's 3m (group llm-serving), which it inhibits");
    const tie: MixinConfig = { ...defaultConfig, alerting: { ...defaultConfig.alerting, gpu: { ...defaultConfig.alerting.gpu, hostDownFor: '180s' } } };
    await expect(generate(tie)).rejects.toThrow("alert HostDown: for 180s must be shorter than LLMServerDown's 3m");
    // The defaults hold: both host-loss alerts fire sooner.
    await expect(generate(defaultConfig)).resolves.toBeDefined();
  });

  it('rejects an SLO window without a recorded name, through the whole build', async () => {
    const bad: MixinConfig = { ...defaultConfig, alerting: { ...defaultConfig.alerting, slo: { ...defaultConfig.alerting.slo, page: [{ long: '1h', short: '7m', factor: 14.4 }] } } };
    await expect(generate(bad)).rejects.toThrow(/window 7m has no recorded name; add it to SLO_WINDOWS in src\/catalog\/recording.ts/);
  });
});

describe('a broken rule fails the build with a clear message', () => {
  const c = defaultConfig;
  const good = { severity: 'warning' as const, component: 'serving' as const, summary: 'Something is wrong.', description: 'Model {{ $labels.model_name }} is wrong.' };
  function problems(rules: RuleGroup['rules'], name = 'broken'): string[] {
    try {
      checkedGroups(c, [...compileGroups(c), { name, rules }]);
    } catch (err) {
      if (err instanceof BuildError) return err.problems;
      throw err;
    }
    return [];
  }

  it('bad PromQL', () => {
    // An existing alert name at a new severity: its runbook exists, so the syntax error is the only problem.
    const p = problems([alert(c, { ...good, name: 'LLMServerAbsent', severity: 'info', expr: 'sum(rate(vllm:generation_tokens_total[5m])' })]);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^group broken, alert LLMServerAbsent \(info\): expr: syntax error at character \d+/);
  });

  it('missing runbook', () => {
    expect(problems([alert(c, { ...good, name: 'NoSuchRunbookAlert', expr: 'vllm:num_requests_waiting > 1' })]))
      .toEqual(['group broken, alert NoSuchRunbookAlert (warning): runbook docs/runbooks/NoSuchRunbookAlert.md does not exist']);
  });

  it('unknown metric, and a recorded name the catalog does not declare', () => {
    expect(problems([{ record: 'model_name:vllm_made_up:rate5m', expr: 'sum by (model_name) (rate(vllm:made_up_total[5m]))' }])).toEqual([
      'group broken, record model_name:vllm_made_up:rate5m: recorded name model_name:vllm_made_up:rate5m is not declared in src/catalog/recording.ts',
      'group broken, record model_name:vllm_made_up:rate5m: expr: metric vllm:made_up_total is not in the catalog (src/catalog/)',
    ]);
  });

  it('severity, templated summary, static description, name and group size', () => {
    const r = alert(c, { ...good, name: 'VLLMQueueBacklog', expr: 'vllm:num_requests_waiting > 1' });
    const wrong = { ...r, labels: { ...r.labels, severity: 'page' as 'critical' }, annotations: { ...r.annotations, summary: 'Queue of {{ $labels.model_name }}.', description: 'static' } };
    expect(problems([wrong])).toEqual([
      "group broken, alert VLLMQueueBacklog (page): severity 'page' must be critical, warning or info",
      'group broken, alert VLLMQueueBacklog (page): summary must be static (no {{ }} template)',
      'group broken, alert VLLMQueueBacklog (page): description must be templated ({{ $labels.x }} or {{ $value }})',
    ]);
    expect(problems([alert(c, { ...good, name: 'vllm_queue', expr: 'vllm:num_requests_waiting > 1' })])).toContain("group broken, alert vllm_queue (warning): alert name 'vllm_queue' is not CamelCase");
    const many = Array.from({ length: 21 }, (_, i) => ({ record: 'model_name:vllm_num_requests_waiting:sum', expr: `vllm:num_requests_waiting * ${i}` }));
    expect(problems(many, 'too-big')).toContain('group too-big: 21 rules, at most 20 per group');
  });

  it('reports a sum over MIG-repeated board power', () => {
    expect(problems([alert(c, { ...good, name: 'GPUPowerAtCap', severity: 'critical', expr: 'sum by (Hostname) (DCGM_FI_DEV_POWER_USAGE) > 1000' })]))
      .toEqual([expect.stringMatching(/^group broken, alert GPUPowerAtCap \(critical\): expr: sum over DCGM_FI_DEV_POWER_USAGE, a whole-GPU series/)]);
  });
});
