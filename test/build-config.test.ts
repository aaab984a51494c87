// `tokenwatt build --config`: an empty config changes no byte, every kind of field changes the
// artifact it claims to, and a bad field exits 2 naming it with a hint.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { generate } from '../src/build/index.ts';
import type { Artifact } from '../src/build/index.ts';
import { checkBuildConfig, loadBuildConfig, resolveBuildConfig } from '../src/config/build-config.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { tool } from './support/promtool.ts';

const run = promisify(execFile);
let dir: string;
let base: Artifact[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-build-config-'));
  base = await generate(defaultConfig);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (arts: Artifact[], path: string): string => {
  const a = arts.find((x) => x.path === path);
  if (!a) throw new Error(`no artifact ${path}`);
  return a.content;
};
/** Paths whose content differs between two builds. */
const changed = (a: Artifact[], b: Artifact[]): string[] => {
  const m = new Map(a.map((x) => [x.path, x.content]));
  return b.filter((x) => m.get(x.path) !== x.content).map((x) => x.path);
};
const build = (doc: unknown) => generate(resolveBuildConfig(doc));

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  return out.sort();
}

describe('no config = the defaults, byte for byte', () => {
  it('an empty document and an absent one resolve to the same artifacts as defaultConfig', async () => {
    for (const doc of [undefined, null, {}]) expect(await build(doc)).toEqual(base);
  });

  it('the CLI writes identical trees without --config and with an empty file', async () => {
    const empty = join(dir, 'empty.yaml');
    await writeFile(empty, '# nothing set\n');
    await run(process.execPath, ['bin/tokenwatt.js', 'build', '--out', join(dir, 'a')]);
    await run(process.execPath, ['bin/tokenwatt.js', 'build', '--config', empty, '--out', join(dir, 'b')]);
    const a = await listFiles(join(dir, 'a'));
    expect(a.length).toBeGreaterThan(20);
    expect(await listFiles(join(dir, 'b'))).toEqual(a);
    for (const f of a) expect(await readFile(join(dir, 'b', f), 'utf8'), f).toBe(await readFile(join(dir, 'a', f), 'utf8'));
  }, 60_000);

  it('the documented example file is valid, and restating the defaults changes nothing it does not set', async () => {
    const example = loadBuildConfig('tokenwatt.build.example.yaml');
    expect(example.alerting.serving.downFor).toBe('3m');
    // The example restates defaults except its static targets and a shorter GPU price list.
    const diff = changed(base, await generate(example));
    expect(diff.every((p) => p.startsWith('prometheus/targets/') || p.startsWith('kubernetes/exporter/'))).toBe(true);
  });
});

describe('every kind of field changes its artifact', () => {
  it('selectors: rules and dashboards query the given matcher', async () => {
    const arts = await build({ selectors: { vllm: 'job="vllm-prod"' } });
    expect(file(arts, 'prometheus/rules/llm-serving.yaml')).toContain('up{job="vllm-prod"}');
    expect(file(base, 'prometheus/rules/llm-serving.yaml')).not.toContain('vllm-prod');
    expect(changed(base, arts).some((p) => p.startsWith('grafana/dashboards/'))).toBe(true);
  });

  it('job names: prometheus.yml, targets file, monitors and the selector follow a renamed job', async () => {
    const arts = await build({ jobs: { vllm: { name: 'llm-vllm', namespaces: ['llm'], matchLabels: { app: 'vllm' }, port: 'metrics' } } });
    const prom = parse(file(arts, 'prometheus/prometheus.yml'));
    expect(prom.scrape_configs.map((j: { job_name: string }) => j.job_name)).toContain('llm-vllm');
    expect(arts.some((a) => a.path === 'prometheus/targets/llm-vllm.yaml')).toBe(true);
    expect(file(arts, 'prometheus/rules/llm-serving.yaml')).toContain('up{job="llm-vllm"}');
    const pm = parse(file(arts, 'kubernetes/podmonitor-llm-vllm.yaml'));
    expect(pm.spec.selector.matchLabels).toEqual({ app: 'vllm' });
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['llm'] });
    expect(pm.spec.podMetricsEndpoints[0].port).toBe('metrics');
  });

  it('cluster label and static hosts per job', async () => {
    const arts = await build({ clusterLabel: 'k8s_cluster', prometheus: { cluster: 'eu-1', staticTargets: { vllm: ['gpu-a:8000'], 'dcgm-exporter': [{ targets: ['10.1.1.1:9400'], labels: { host: 'gpu-a' } }] } } });
    expect(parse(file(arts, 'prometheus/targets/vllm.yaml'))).toEqual([{ targets: ['gpu-a:8000'], labels: { k8s_cluster: 'eu-1' } }]);
    expect(parse(file(arts, 'prometheus/targets/dcgm-exporter.yaml'))).toEqual([{ targets: ['10.1.1.1:9400'], labels: { k8s_cluster: 'eu-1', host: 'gpu-a' } }]);
    expect(parse(file(arts, 'alertmanager/alertmanager.yml')).route.group_by).toContain('k8s_cluster');
  });

  it('thresholds and for: durations reach the alert rules', async () => {
    const arts = await build({ alerting: { serving: { downFor: '7m', queueDepth: 55 } } });
    const rules = parse(file(arts, 'prometheus/rules/llm-serving.yaml')).groups[0].rules;
    expect(rules.find((r: { alert?: string }) => r.alert === 'LLMServerDown').for).toBe('7m');
    expect(JSON.stringify(rules)).toContain('55');
    expect(JSON.stringify(parse(file(base, 'prometheus/rules/llm-serving.yaml')))).not.toContain('> 55');
  });

  it('SLO objectives and burn-rate windows reach the SLO rules', async () => {
    const arts = await build({ alerting: { slo: { errors: { objective: 0.995 }, page: [{ long: '2h', short: '10m', factor: 10 }] } } });
    const diff = changed(base, arts);
    expect(diff.some((p) => p.includes('slo-errors'))).toBe(true);
    const all = arts.filter((a) => a.path.startsWith('prometheus/rules/')).map((a) => a.content).join('\n');
    expect(all).toContain('0.995');
    expect(all).toMatch(/\[2h\]/);
  });

  it('receivers: PagerDuty, Slack, webhook, email and Opsgenie in Alertmanager fields, accepted by amtool', async () => {
    const receivers = {
      page: {
        pagerduty_configs: [{ routing_key_file: '/run/secrets/pd', severity: 'critical' }],
        opsgenie_configs: [{ api_key_file: '/run/secrets/og', priority: 'P1' }],
      },
      chat: {
        slack_configs: [{ api_url_file: '/run/secrets/slack', channel: '#gpu' }],
        email_configs: [{ to: 'oncall@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587', auth_username: 'am', auth_password_file: '/run/secrets/smtp' }],
      },
      watchdog: { webhook_configs: [{ url: 'https://hc.example/ping' }] },
    };
    const arts = await build({ alertmanager: { receivers } });
    const am = parse(file(arts, 'alertmanager/alertmanager.yml'));
    const byName = Object.fromEntries(am.receivers.map((r: { name: string }) => [r.name, r]));
    expect(byName.pagerduty.opsgenie_configs[0].api_key_file).toBe('/run/secrets/og');
    expect(byName.chat.email_configs[0].auth_password_file).toBe('/run/secrets/smtp');
    expect(byName.chat.slack_configs[0].channel).toBe('#gpu');
    expect(byName.watchdog.webhook_configs[0].url).toBe('https://hc.example/ping');
    const f = join(dir, 'am.yml');
    await writeFile(f, file(arts, 'alertmanager/alertmanager.yml'));
    const r = await tool('amtool', ['check-config', f]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('Grafana datasource URL and uid, folder and sidecar label', async () => {
    const arts = await build({ grafana: { prometheusUrl: 'http://prometheus:9090', datasourceUid: 'acme-prom', folder: 'gpu-fleet', sidecarLabel: 'acme_dashboard', sidecarLabelValue: 'yes' } });
    const ds = parse(file(arts, 'grafana/provisioning/datasources/prometheus.yaml')).datasources[0];
    expect(ds).toMatchObject({ url: 'http://prometheus:9090', uid: 'acme-prom' });
    expect(arts.some((a) => a.path.startsWith('grafana/dashboards/gpu-fleet/'))).toBe(true);
    expect(file(arts, 'grafana/dashboards/gpu-fleet/tokenwatt-gpus.json')).toContain('acme-prom');
    const cms = parseAllDocuments(file(arts, 'kubernetes/grafana-dashboards.yaml')).map((d) => d.toJS()).filter(Boolean);
    expect(cms.length).toBeGreaterThan(0);
    for (const cm of cms) {
      expect(cm.metadata.labels.acme_dashboard).toBe('yes');
      expect(cm.metadata.annotations.grafana_folder).toBe('gpu-fleet');
    }
  });

  it('runbook base URL and the Kubernetes namespace/release', async () => {
    const arts = await build({ runbookBaseUrl: 'https://wiki.example/runbooks', kubernetes: { namespace: 'obs', release: 'prom' } });
    expect(file(arts, 'prometheus/rules/llm-serving.yaml')).toContain('https://wiki.example/runbooks/LLMServerDown.md');
    const m = parse(file(arts, 'kubernetes/servicemonitor-tokenwatt.yaml'));
    expect(m.metadata).toMatchObject({ namespace: 'obs', labels: { release: 'prom' } });
  });
});

describe('bad fields exit 2, named, with a hint', () => {
  it('names unknown keys with "did you mean", wrong types with the default, inline secrets with their _file field', () => {
    const problems = checkBuildConfig({
      alerting: { serving: { queueDepht: 30, errorRatio: 'high' }, slo: { ttft: { objective: 1.5 } } },
      grafana: { folderr: 'x' },
      prometheus: { scrapeInterval: 'soon' },
      jobs: { vlm: { name: 'x' } },
      alertmanager: { receivers: { page: { pagerduty_configs: [{ routing_key: 'abc' }] } } },
    });
    expect(problems).toContain("alerting.serving.queueDepht: unknown field (did you mean 'queueDepth'?)");
    expect(problems).toContain("grafana.folderr: unknown field (did you mean 'folder'?)");
    expect(problems.find((p) => p.startsWith('alerting.serving.errorRatio:'))).toMatch(/expected number.*default is 0.05/);
    expect(problems.find((p) => p.startsWith('alerting.slo.ttft.objective:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('prometheus.scrapeInterval:'))).toMatch(/Prometheus duration/);
    expect(problems).toContain("jobs.vlm: no such scrape job (did you mean 'vllm'?)");
    expect(problems.find((p) => p.includes('pagerduty_configs[0].routing_key:'))).toMatch(/routing_key_file/);
  });

  it('the CLI prints them and exits 2 without writing anything', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'grafana:\n  prometheusURL: http://x:9090\n');
    const r = await run(process.execPath, ['bin/tokenwatt.js', 'build', '--config', bad, '--out', join(dir, 'never')]).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("grafana.prometheusURL: unknown field (did you mean 'prometheusUrl'?)");
    await expect(readdir(join(dir, 'never'))).rejects.toThrow();
  }, 30_000);
});
