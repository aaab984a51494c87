// The generated prometheus.yml and rules in a real Prometheus 2.42, scraping real upstream
// exposition text (test/fixtures/thirdparty) over HTTP, sending to a real Alertmanager 0.25:
// targets get job/cluster/host labels, every rule group loads and evaluates, recording rules
// give the figures the fixtures imply, and Watchdog reaches Alertmanager.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/build/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { startAlertmanager } from './support/alertmanager.ts';
import type { RunningAlertmanager } from './support/alertmanager.ts';
import { startPrometheus } from './support/prometheus.ts';
import type { RunningPrometheus } from './support/prometheus.ts';

const fixture = (p: string) => readFileSync(new URL(`fixtures/thirdparty/${p}`, import.meta.url), 'utf8');
// vLLM's docs example elides lines with '...'; the rest is verbatim exposition text.
const VLLM = fixture('vllm/sample2_vllm_docs_design_metrics_example.prom').split('\n').filter((l) => l.trim() !== '...').join('\n');
// dcgm-exporter #317: four MIG instances of A30 GPU 0 repeat its board energy, GPU 1 has one.
const DCGM = fixture('dcgm/sample5_a30_mig_issue317_energy.prom');

function serve(body: string): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(req.url === '/metrics' ? body : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, address: `127.0.0.1:${(server.address() as { port: number }).port}` })));
}

type Sample = { metric: Record<string, string>; value: [number, string] };
let dir = '';
let prom: RunningPrometheus | undefined;
let am: RunningAlertmanager | undefined;
const servers: Server[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 150; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${prom?.log() ?? ''}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-e2e-'));
  const vllm = await serve(VLLM);
  const dcgm = await serve(DCGM);
  servers.push(vllm.server, dcgm.server);
  await build(join(dir, 'am'), defaultConfig);
  am = await startAlertmanager(join(dir, 'am', 'alertmanager', 'alertmanager.yml'));
  const config: MixinConfig = {
    ...defaultConfig,
    prometheus: {
      // The report groups run once per reportInterval (1h by default), first at an offset Prometheus
      // derives from the group's name: shortened so they too evaluate within the test.
      ...defaultConfig.prometheus, scrapeInterval: '1s', evaluationInterval: '1s', reportInterval: '2s',
      alertmanagers: [am.url.replace('http://', '')],
      staticTargets: { vllm: [vllm.address], 'dcgm-exporter': [dcgm.address] },
    },
  };
  await build(join(dir, 'dist'), config);
  // The first notification can go out before Alertmanager discovery settles and be dropped;
  // resend every second instead of every minute so the test need not wait.
  prom = await startPrometheus(join(dir, 'dist', 'prometheus', 'prometheus.yml'), ['--rules.alert.resend-delay=1s']);
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('generated config in a real Prometheus', () => {
  it('scrapes static targets with job, cluster and host target labels', async () => {
    type Targets = { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] };
    const targets = await until('both targets up', async () => {
      const t = await prom!.api<Targets>('targets');
      return t.activeTargets.length === 2 && t.activeTargets.every((x) => x.health === 'up') ? t.activeTargets : undefined;
    });
    const labels = targets.map((t) => ({ job: t.labels.job, cluster: t.labels.cluster, host: t.labels.host })).sort((a, b) => a.job!.localeCompare(b.job!));
    expect(labels).toEqual([
      { job: 'dcgm-exporter', cluster: 'default', host: '127.0.0.1' },
      { job: 'vllm', cluster: 'default', host: '127.0.0.1' },
    ]);
  });

  it('loads every rule group, and every rule evaluates without error', async () => {
    type Rules = { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
    const groups = await until('every rule evaluated', async () => {
      const g = (await prom!.api<Rules>('rules')).groups;
      return g.length > 0 && g.every((x) => x.rules.every((r) => r.health !== 'unknown')) ? g : undefined;
    });
    expect(groups.map((g) => g.name).sort()).toEqual(compileGroups(defaultConfig).map((g) => g.name).sort());
    const broken = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${g.name}/${r.name}: ${r.lastError}`));
    expect(broken).toEqual([]);
  });

  it('records from real scrapes: one board per physical GPU under MIG, vLLM running requests', async () => {
    const query = async (q: string) => (await prom!.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(q)}`)).result;
    // rate() needs two scrapes of the energy counter; the A30 fixture has GPU 0 on four MIG
    // instances and GPU 1 on one: two physical GPUs, so two series (not five).
    const boards = await until('board power recorded', async () => {
      const r = await query('gpu:dcgm_board_power_watts:rate5m');
      return r.length > 0 ? r : undefined;
    });
    expect(boards.map((s) => s.metric.gpu).sort()).toEqual(['0', '1']);
    // The fixture's vllm:num_requests_running line reads 8.0 for Llama-3.1-8B-Instruct.
    const running = await until('running requests recorded', async () => {
      const r = await query('model_name:vllm_num_requests_running:sum');
      return r.length > 0 ? r : undefined;
    });
    expect(running.map((s) => [s.metric.model_name, s.metric.cluster, Number(s.value[1])])).toEqual([['meta-llama/Llama-3.1-8B-Instruct', 'default', 8]]);
  });

  it('sends Watchdog to Alertmanager', async () => {
    const got = await until('Watchdog in Alertmanager', async () => {
      const alerts = (await (await fetch(`${am!.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
      return alerts.find((a) => a.labels.alertname === 'Watchdog');
    });
    expect(got.labels.severity).toBe('none');
  });
});
