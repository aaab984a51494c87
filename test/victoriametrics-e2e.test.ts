// The global view end to end (issue 11 item 5, docs/scaling.md): two simulated clusters, `east`
// scraped by its own Prometheus 2.42 and `west` by vmagent, both writing to one VictoriaMetrics
// (Debian's victoria-metrics 1.79) on loopback, each with the tokenwatt exporter. Everything runs
// from the build's outputs: prometheus.yml with remote_write and the cluster external label, and
// dist/victoriametrics/{vmagent,vmalert}.flags as generated (relative paths resolved against dist/).
// vmalert evaluates tokenwatt's rule files against VictoriaMetrics and notifies a real Alertmanager.
// Proves: every dashboard target returns data from the global store for each cluster, narrowed by
// $cluster (a cluster's query shows no other cluster's series; an unknown cluster shows nothing),
// $cluster lists both clusters, and a fault in each cluster pages through vmalert and Alertmanager
// with its cluster's label.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/build/index.ts';
import { builtDashboards } from '../src/build/grafana/index.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { startFleet } from '../src/simulate/index.ts';
import type { RunningFleet } from '../src/simulate/index.ts';
import { loadFleet, REFERENCE_FLEET } from '../src/simulate/fleet.ts';
import { nvmlTrace } from '../src/simulate/nvml-trace.ts';
import type { Fleet } from '../src/simulate/fleet.ts';
import { ALERTMANAGER_BINS, exporterConfig, PROMETHEUS_BINS, stackConfig, startChild, startWebhookReceiver, TOKENWATT_BIN } from '../src/simulate/stack.ts';
import type { Child, WebhookReceiver } from '../src/simulate/stack.ts';
import { freePort } from './support/alertmanager.ts';

const VM_BINS = { vm: '/usr/bin/victoria-metrics', vmagent: '/usr/bin/vmagent', vmalert: '/usr/bin/vmalert' };
const HINT = 'install it with: sudo bash scripts/debian-deps.sh (Debian package victoria-metrics)';
/** As in demo-e2e: Grafana's $__rate_interval for a 1 s scrape is 4 s; 20 s keeps sparse histograms non-empty. */
const RATE_INTERVAL = '20s';
/** Seconds from injecting a fault to its page: scrape/remote-write batching (≤ 5 s) and vmalert's 1 s evaluations on top of demo-e2e's bound. */
const DELIVERY_BOUND_S = 45;

/** demo-e2e's fleet (the reference deployment plus an H100 host with one engine of every other serving kind), seeded per cluster. */
function clusterFleet(seed: number): Fleet {
  const f = loadFleet(REFERENCE_FLEET);
  f.seed = seed;
  f.dcgm = { collectIntervalSeconds: 1 };
  const h100 = { model: 'NVIDIA H100 80GB HBM3' } as const;
  f.hosts.push({ name: 'h100-node-1', cpuIdleWatts: 90, cpuMaxWatts: 350, gpus: [h100, h100, h100, h100, h100] });
  const server = { names: 'v1', quantization: 'fp16', host: 'h100-node-1', requestsPerSecond: 2, promptTokens: { mean: 400, max: 2048 }, outputTokens: { mean: 200, max: 1024 }, maxNumSeqs: 256, maxModelLen: 4096, prefixHitRatio: 0.3 } as const;
  f.servers.push(
    { ...server, model: 'Qwen/Qwen2.5-7B-Instruct', engine: 'sglang', parametersB: 7.6, gpus: [0], pod: { namespace: 'llm', name: 'qwen-2-5-7b-0' } },
    { ...server, model: 'meta-llama/Llama-3.1-8B-Instruct', engine: 'vllm', parametersB: 8, gpus: [1], pod: { namespace: 'llm', name: 'llama-3-1-8b-0' } },
    { ...server, model: 'HuggingFaceH4/zephyr-7b-beta', engine: 'tgi', parametersB: 7.2, gpus: [2], pod: { namespace: 'llm', name: 'zephyr-7b-0' } },
    { ...server, model: 'bartowski/Qwen2.5-3B-Instruct-GGUF', engine: 'llamacpp', parametersB: 3.1, gpus: [3], maxNumSeqs: 8, pod: { namespace: 'llm', name: 'qwen-3b-gguf-0' } },
    { ...server, model: 'mistral_7b', engine: 'triton', parametersB: 7.2, gpus: [4], pod: { namespace: 'llm', name: 'triton-0' } },
  );
  return f;
}

/** A generated flags file as arguments: comments dropped, paths relative to dist/ made absolute. */
async function flagsFile(dist: string, file: string, override: Record<string, string> = {}): Promise<string[]> {
  const lines = (await readFile(join(dist, 'victoriametrics', file), 'utf8')).split('\n').filter((l) => l.startsWith('-'));
  return lines.map((l) => {
    const eq = l.indexOf('=');
    const [flag, value] = [l.slice(0, eq), l.slice(eq + 1)];
    if (flag in override) return `${flag}=${override[flag]}`;
    return value.startsWith('prometheus/') ? `${flag}=${join(dist, value)}` : l;
  });
}

interface Cluster { name: string; fleet: RunningFleet; config: MixinConfig; dist: string; children: Child[] }

let dir = '';
let vmUrl = '';
let webhook: WebhookReceiver;
const children: Child[] = [];
const clusters: Cluster[] = [];

async function startCluster(name: string, seed: number, scraper: 'prometheus' | 'vmagent', alertmanagerUrl: string): Promise<Cluster> {
  const base = join(dir, name);
  await mkdir(base, { recursive: true });
  const fleet = await startFleet(clusterFleet(seed), { ports: 'ephemeral' });
  const c: Cluster = { name, fleet, config: undefined as unknown as MixinConfig, dist: join(base, 'dist'), children: [] };
  clusters.push(c);
  const twPort = await freePort();
  const twConfig = join(base, 'tokenwatt.yaml');
  // NVML replayed for the whole GPUs of the first such host, as the demo stack runs it (the NVML panels need it).
  const nvmlHost = fleet.sim.hosts.find((h) => h.gpus.some((g) => !g.mig))!;
  const trace = join(base, 'nvml.csv');
  await writeFile(trace, nvmlTrace(fleet.sim.fleet, nvmlHost.host.name, 600, Date.now() / 1000, 0.5, nvmlHost.gpus.filter((g) => !g.mig).map((g) => g.index)));
  await writeFile(twConfig, stringify(exporterConfig(fleet, { listen: `127.0.0.1:${twPort}`, interval: '1s', nvmlHost: nvmlHost.host.name, nvmlTrace: trace })));
  c.children.push(await startChild(process.execPath, [TOKENWATT_BIN, 'exporter', '--config', twConfig], `http://127.0.0.1:${twPort}/readyz`));
  const local = stackConfig(fleet, { alertmanager: '127.0.0.1:1', webhookUrl: webhook.url, pace: 'test', tokenwatt: [`127.0.0.1:${twPort}`] });
  // Pages come from vmalert on the global store here, not from each cluster's Prometheus.
  c.config = { ...local, prometheus: { ...local.prometheus, cluster: name, alertmanagers: [] }, globalView: { url: vmUrl, remoteWrite: true, alertmanagers: [alertmanagerUrl] } };
  await build(c.dist, c.config);
  const port = await freePort();
  if (scraper === 'prometheus') {
    c.children.push(await startChild(PROMETHEUS_BINS.find(existsSync)!, [
      `--config.file=${join(c.dist, 'prometheus', 'prometheus.yml')}`, `--storage.tsdb.path=${join(base, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    ], `http://127.0.0.1:${port}/-/ready`));
  } else {
    const args = await flagsFile(c.dist, 'vmagent.flags', { '-remoteWrite.tmpDataPath': join(base, 'vmagent-data') });
    c.children.push(await startChild(VM_BINS.vmagent, [...args, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=WARN'], `http://127.0.0.1:${port}/health`));
  }
  return c;
}

beforeAll(async () => {
  for (const [k, bin] of Object.entries(VM_BINS)) if (!existsSync(bin)) throw new Error(`${k}: ${bin} not found; ${HINT}`);
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-vm-e2e-'));
  webhook = await startWebhookReceiver('127.0.0.1', 0);
  const vmPort = await freePort();
  vmUrl = `http://127.0.0.1:${vmPort}`;
  // latencyOffset: VictoriaMetrics hides the newest 30 s from queries by default, which would delay
  // every vmalert evaluation by as much (docs/scaling.md); dedup at the 1 s scrape interval.
  children.push(await startChild(VM_BINS.vm, [
    `-storageDataPath=${join(dir, 'vm-data')}`, `-httpListenAddr=127.0.0.1:${vmPort}`, '-retentionPeriod=1d',
    '-search.latencyOffset=1s', '-dedup.minScrapeInterval=1s', '-loggerLevel=WARN',
  ], `${vmUrl}/health`));
  const amPort = await freePort();
  const amUrl = `http://127.0.0.1:${amPort}`;
  await startCluster('east', 101, 'prometheus', amUrl);
  await startCluster('west', 202, 'vmagent', amUrl);
  const dist = clusters[0]!.dist;
  children.push(await startChild(ALERTMANAGER_BINS.find(existsSync)!, [
    `--config.file=${join(dist, 'alertmanager', 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn',
  ], `${amUrl}/-/ready`));
  const vmalertPort = await freePort();
  const args = await flagsFile(dist, 'vmalert.flags');
  children.push(await startChild(VM_BINS.vmalert, [...args, `-httpListenAddr=127.0.0.1:${vmalertPort}`, '-loggerLevel=WARN'], `http://127.0.0.1:${vmalertPort}/health`));
}, 180_000);

afterAll(async () => {
  for (const c of [...children].reverse()) await c.stop().catch(() => undefined);
  for (const c of clusters) {
    for (const ch of [...c.children].reverse()) await ch.stop().catch(() => undefined);
    await c.fleet.stop();
  }
  await webhook?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logs = () => [...children, ...clusters.flatMap((c) => c.children)].map((c) => c.log()).join('\n').slice(-6000);

/** An instant query on VictoriaMetrics at now (nocache: no result cache in the way). */
async function vm(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${vmUrl}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, nocache: '1' }) });
  const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`VictoriaMetrics: ${body.error} (query: ${query})`);
  return body.data.result;
}

async function until<T>(what: string, seconds: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) { last = err; }
    await sleep(500);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}\n${logs()}`);
}

interface Target { panel: string; expr: string }

/** Every dashboard target with $cluster = `cluster` and every other variable on All, as in demo-e2e. */
function targets(cluster: string): Target[] {
  const config = clusters[0]!.config;
  return builtDashboards(config).flatMap((d) => {
    type Panel = { title: string; targets?: { expr: string }[]; panels?: Panel[] };
    const json = d.json as unknown as { panels: Panel[] };
    // Panels of collapsed rows too: Grafana runs them when the row is opened.
    return json.panels.flatMap((p) => [p, ...(p.panels ?? [])]).flatMap((p) => (p.targets ?? []).map((t) => ({
      panel: `${d.uid} / ${p.title}`,
      expr: t.expr.replace(/\$__rate_interval/g, RATE_INTERVAL).replace(/\$__range_s\b/g, '60').replace(/\$__range_ms\b/g, '60000')
        .replace(/\$__range/g, '1m').replace(/\$__interval_ms\b/g, '1000').replace(/\$__interval/g, '1s')
        .replace(/\$(\w+)/g, (_x, n: string) => (n === 'cluster' ? cluster : /^\d+$/.test(n) ? `$${n}` : '.*')),
    })));
  });
}

describe('two clusters on one VictoriaMetrics', () => {
  it('both clusters write raw series, and vmalert records tokenwatt\'s series for both', async () => {
    const clustersOf = async (q: string) => new Set((await vm(`count by (cluster) (${q})`)).map((r) => r.metric.cluster));
    await until('up from both clusters', 30, async () => ((await clustersOf('up')).size === 2 ? true : undefined));
    expect(await clustersOf('up')).toEqual(new Set(['east', 'west']));
    // Recorded by vmalert (the clusters' own recorded series are dropped from remote_write).
    await until('recorded series for both clusters', 40, async () => ((await clustersOf('{__name__=~"model_name:vllm_generation_tokens:rate5m|gpu:dcgm_board_power_watts:rate5m"}')).size === 2 ? true : undefined));
    // The cluster external label travels on what Prometheus and vmagent send; no series lacks it.
    expect(await vm('count({__name__=~"up|DCGM_FI_DEV_GPU_TEMP|vllm:num_requests_running", cluster=""})')).toEqual([]);
  }, 90_000);

  it('every dashboard target returns data for each cluster, narrowed by $cluster', async () => {
    // Rates over 20 s windows and 5m-rate recordings need some data first: retry until stable.
    let empty: string[] = [];
    let leaks: string[] = [];
    let checked = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      empty = [];
      leaks = [];
      checked = 0;
      for (const c of ['east', 'west']) {
        for (const t of targets(c)) {
          const r = await vm(t.expr);
          checked++;
          if (!r.some((s) => Number.isFinite(Number(s.value[1])))) empty.push(`${c}: ${t.panel}: ${t.expr}`);
          const other = r.filter((s) => s.metric.cluster !== undefined && s.metric.cluster !== c);
          if (other.length > 0) leaks.push(`${c}: ${t.panel} shows cluster ${other[0]!.metric.cluster}`);
        }
      }
      if (empty.length === 0) break;
      await sleep(5000);
    }
    expect(empty).toEqual([]);
    expect(leaks).toEqual([]);
    expect(checked).toBeGreaterThan(240);
    // A cluster that does not exist shows nothing: every target carries the $cluster matcher.
    const unnarrowed: string[] = [];
    for (const t of targets('nowhere')) {
      if ((await vm(t.expr)).some((s) => Number.isFinite(Number(s.value[1])) && Number(s.value[1]) !== 0)) unnarrowed.push(`${t.panel}: ${t.expr}`);
    }
    expect(unnarrowed).toEqual([]);
    // Every dashboard's $cluster variable lists both clusters from the global store.
    for (const d of builtDashboards(clusters[0]!.config)) {
      const v = (d.json as unknown as { templating: { list: { name: string; query?: { query?: string } }[] } }).templating.list.find((x) => x.name === 'cluster');
      expect(v, `${d.uid} has a $cluster variable`).toBeDefined();
      const m = /^label_values\((.*), (\w+)\)$/.exec(v!.query?.query ?? '');
      const res = await fetch(`${vmUrl}/api/v1/label/${m![2]}/values?${new URLSearchParams({ 'match[]': m![1]! })}`);
      expect(((await res.json()) as { data: string[] }).data.sort(), d.uid).toEqual(['east', 'west']);
    }
  }, 150_000);

  it('a fault in each cluster pages through vmalert and Alertmanager, labelled with its cluster', async () => {
    const [east, west] = clusters as [Cluster, Cluster];
    const t0 = Date.now();
    east.fleet.inject('xid', { host: 'a100-node-1', gpu: 1, code: 79 });
    west.fleet.inject('server-down', { model: 'TheBloke/Llama-2-13B-chat-GPTQ' });
    const paged = (alertname: string, cluster: string) => webhook.notifications.find((n) => n.receivedAt >= t0
      && n.alerts.some((a) => a.status === 'firing' && a.labels.alertname === alertname && a.labels.cluster === cluster));
    const xid = await until('GPUXidError from east', DELIVERY_BOUND_S, async () => paged('GPUXidError', 'east'));
    const down = await until('LLMServerDown from west', DELIVERY_BOUND_S, async () => paged('LLMServerDown', 'west'));
    console.log(`pages via vmalert (s): GPUXidError/east ${((xid.receivedAt - t0) / 1000).toFixed(1)}, LLMServerDown/west ${((down.receivedAt - t0) / 1000).toFixed(1)}`);
    expect(xid.receiver).toBe('pagerduty');
    expect(down.receiver).toBe('pagerduty');
    // Neither fault pages for the other cluster.
    expect(paged('GPUXidError', 'west')).toBeUndefined();
    expect(paged('LLMServerDown', 'east')).toBeUndefined();
    east.fleet.clear('xid', { host: 'a100-node-1', gpu: 1 });
    west.fleet.clear('server-down', { model: 'TheBloke/Llama-2-13B-chat-GPTQ' });
  }, 120_000);
});
