// Every collector fed the real upstream scrapes in test/fixtures/thirdparty, over local HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectError } from '../src/collectors/collector.ts';
import { createDcgmCollector } from '../src/collectors/dcgm.ts';
import { createKeplerCollector } from '../src/collectors/kepler.ts';
import { createSglangCollector } from '../src/collectors/sglang.ts';
import { engineMeta } from '../src/collectors/serving.ts';
import { createVllmCollector } from '../src/collectors/vllm.ts';
import { placeEngine } from '../src/energy/placement.ts';
import type { StaticPlacement } from '../src/energy/placement.ts';
import type { DcgmView } from '../src/recognise/types.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { memoryLog, Upstreams } from './support/upstream.ts';

const limits = { maxBodyBytes: 1 << 20, maxSeriesPerTarget: 10_000 };
const signal = new AbortController().signal;
let up: Upstreams;

beforeAll(async () => {
  up = await Upstreams.start();
});
afterAll(async () => {
  await up.close();
});

function target(path: string, fixture: string) {
  return { name: path.slice(1), url: up.text(path, thirdpartyText(fixture)), timeoutMs: 2000 };
}

function serving(table: StaticPlacement[]) {
  const { log, lines } = memoryLog();
  return { lines, deps: { limits, log, place: (e: { url: string; model: string }) => placeEngine(e, table) } };
}

describe('vllm collector', () => {
  it('reads the token counters of the Triton vLLM backend scrape and places the engine by model', async () => {
    const { deps } = serving([{ model: 'vllm_model', host: 'h1', gpu: '2' }]);
    const c = createVllmCollector(target('/triton', 'vllm/sample5_triton_vllm_backend_readme.prom'), deps);
    expect(c.kind).toBe('vllm');
    const r = await c.collect(signal);
    expect(r.samples).toEqual([]);
    expect(r.engines).toEqual([{ model_name: 'vllm_model', engine: '0', namespace: '', pod: '', host: 'h1', gpu: '2', counterKey: JSON.stringify(['vllm', 'triton', 'vllm_model', '0']), generationTokens: 16, promptTokens: 10 }]);
    expect(engineMeta.get(r.engines![0]!)).toEqual({ server: 'vllm', target: 'triton', mapping: 'static' });
    expect(r.series).toBeGreaterThan(10);
  });

  it('places by URL before model, and on a MIG instance', async () => {
    const t = target('/triton-url', 'vllm/sample5_triton_vllm_backend_readme.prom');
    const { deps } = serving([{ model: 'vllm_model', host: 'h1', gpu: '2' }, { url: t.url, host: 'h9', gpu: '1', gpuInstanceId: '13' }]);
    const r = await createVllmCollector(t, deps).collect(signal);
    expect(r.engines![0]).toMatchObject({ host: 'h9', gpu: '1', gpuInstanceId: '13' });
  });

  it('leaves out (and logs once) an engine whose scrape lacks a token counter, instead of feeding a 0', async () => {
    // The docs example elides vllm:prompt_tokens_total; a 0 would read as a counter reset.
    const { deps, lines } = serving([{ model: 'meta-llama/Llama-3.1-8B-Instruct', host: 'h1', gpu: '0' }]);
    const c = createVllmCollector(target('/design', 'vllm/sample2_vllm_docs_design_metrics_example.prom'), deps);
    expect((await c.collect(signal)).engines).toEqual([]);
    await c.collect(signal);
    expect(lines.filter((l) => l.msg.includes('no token counters'))).toHaveLength(1);
    expect(lines[0]!.fields).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', missing: ['promptTokens'] });
  });

  it('an engine with no placement feeds nothing and says why once', async () => {
    const { deps, lines } = serving([]);
    const c = createVllmCollector(target('/unplaced', 'vllm/sample5_triton_vllm_backend_readme.prom'), deps);
    const r = await c.collect(signal);
    expect(r.engines).toEqual([]);
    // Loud in the series too (issue 12): placed 0, no host or GPU.
    expect(r.samples).toEqual([{ name: 'tokenwatt_engine_placed', labels: { model_name: 'vllm_model', engine: '0', namespace: '', pod: '', host: '', gpu: '', gpu_instance_id: '' }, value: 0 }]);
    await c.collect(signal);
    expect(lines.filter((l) => l.msg.includes('no placement'))).toHaveLength(1);
  });
});

describe('sglang collector', () => {
  it('reads SGLang\'s documented example: 8128902 prompt and 7557572 generated tokens', async () => {
    const { deps } = serving([{ model: 'meta-llama/Llama-3.1-8B-Instruct', host: 'h1', gpu: '0' }]);
    const c = createSglangCollector(target('/sglang', 'sglang/sglang_docs_production_metrics_example.prom'), deps);
    const r = await c.collect(signal);
    expect(c.kind).toBe('sglang');
    expect(r.engines).toHaveLength(1);
    expect(r.engines![0]).toMatchObject({ model_name: 'meta-llama/Llama-3.1-8B-Instruct', promptTokens: 8128902, generationTokens: 7557572, host: 'h1', gpu: '0' });
    expect(engineMeta.get(r.engines![0]!)?.server).toBe('sglang');
  });
});

describe('dcgm collector', () => {
  it('an L4 full scrape: one whole-GPU board, 4742776 mJ = 4742.776 J, 16.365 W, idle', async () => {
    const views: DcgmView[] = [];
    const c = createDcgmCollector(target('/l4', 'dcgm/sample1_l4_kops_full_scrape.prom'), { limits, log: memoryLog().log, onView: (v) => views.push(v) });
    const r = await c.collect(signal);
    expect(r.boards).toEqual([{
      host: 'i-030791dc5a37cd257', gpu: '0', uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c', model: 'NVIDIA L4',
      energyJoules: 4742.776, powerWatts: 16.365, activity: 0, slices: [],
    }]);
    expect(views).toHaveLength(1);
    expect(r.series).toBe(23);
  });

  it('A30s in MIG mode (#317): the repeated board energy read once per GPU (max), four 1g.6gb slices each', async () => {
    const c = createDcgmCollector(target('/a30', 'dcgm/sample5_a30_mig_issue317_energy.prom'), { limits, log: memoryLog().log });
    const r = await c.collect(signal);
    const gpu0 = r.boards!.find((b) => b.gpu === '0')!;
    expect(gpu0.energyJoules).toBe(126272106.318);
    expect(gpu0.slices.map((s) => [s.gpuInstanceId, s.profile, s.computeSlices, s.memorySlices])).toEqual([
      ['3', '1g.6gb', 1, 1], ['4', '1g.6gb', 1, 1], ['5', '1g.6gb', 1, 1], ['6', '1g.6gb', 1, 1],
    ]);
    // No activity exported for these instances: power must not be used to learn idle power.
    expect(gpu0.powerWatts).toBeUndefined();
    expect(r.boards!.find((b) => b.gpu === '1')!.energyJoules).toBe(134473486.744);
  });

  it('NVIDIA\'s A100 MIG sample: board energy 319159.391 J, the 1g.5gb instance 13 at 0.995687 activity', async () => {
    const c = createDcgmCollector(target('/a100', 'dcgm/sample3_a100_mig_official_docs.prom'), { limits, log: memoryLog().log });
    const [b] = (await c.collect(signal)).boards!;
    expect(b).toMatchObject({ host: 'ub20-a100-k8s', gpu: '0', energyJoules: 319159.391, powerWatts: 409.692 });
    expect(b!.slices).toEqual([{ gpuInstanceId: '13', profile: '1g.5gb', computeSlices: 1, memorySlices: 1, activity: 0.995687 }]);
  });

  it('a GPU with no energy field gives no board (the power-only #317 excerpt)', async () => {
    const { log, lines } = memoryLog();
    const r = await createDcgmCollector(target('/a30p', 'dcgm/sample4_a30_mig_issue317_power.prom'), { limits, log }).collect(signal);
    expect(r.boards).toEqual([]);
    expect(lines.some((l) => l.msg.includes('no energy counter'))).toBe(true);
  });
});

describe('kepler collector', () => {
  it.each([
    ['kepler/sample_legacy_issue707_container_joules_total.prom'],
    ['kepler/sample_legacy_v0.7_issue1349_container_gpu_joules_total.prom'],
    ['kepler/sample_rewrite_pr2037_node_energy_zone.prom'],
  ])('%s: recognised, series counted, nothing for the GPU ledger', async (fixture) => {
    const c = createKeplerCollector(target(`/k${fixture.length}`, fixture), { limits, log: memoryLog().log });
    const r = await c.collect(signal);
    expect(r).toMatchObject({ samples: [] });
    expect(r.boards).toBeUndefined();
    expect(r.series).toBeGreaterThan(0);
  });

  it('a vLLM scrape served where Kepler was expected is refused (reason recognise)', async () => {
    const c = createKeplerCollector(target('/not-kepler', 'vllm/sample5_triton_vllm_backend_readme.prom'), { limits, log: memoryLog().log });
    await expect(c.collect(signal)).rejects.toMatchObject({ reason: 'recognise' });
    await expect(c.collect(signal)).rejects.toBeInstanceOf(CollectError);
  });
});

describe('what the HTTP layer accepts', () => {
  // vLLM's prometheus_client answers Prometheus's Accept header with OpenMetrics (counters as families
  // without _total, # EOF at the end), gzipped when asked.
  const om = [
    '# TYPE vllm:prompt_tokens counter',
    '# HELP vllm:prompt_tokens Number of prefill tokens processed.',
    'vllm:prompt_tokens_total{engine="0",model_name="m"} 10.0',
    'vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7e+09',
    '# TYPE vllm:generation_tokens counter',
    '# HELP vllm:generation_tokens Number of generation tokens processed.',
    'vllm:generation_tokens_total{engine="0",model_name="m"} 20.0',
    'vllm:generation_tokens_created{engine="0",model_name="m"} 1.7e+09',
    '# EOF',
    '',
  ].join('\n');

  it('OpenMetrics by Content-Type, gzip by Content-Encoding; the request asks for both', async () => {
    const { gzipSync } = await import('node:zlib');
    const seen: Record<string, string | undefined>[] = [];
    const url = up.on('/om', (req, res) => {
      seen.push({ accept: req.headers.accept, encoding: req.headers['accept-encoding'] });
      res.setHeader('Content-Type', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
      res.setHeader('Content-Encoding', 'gzip');
      res.end(gzipSync(om));
    });
    const { deps } = serving([{ model: 'm', host: 'h', gpu: '0' }]);
    const r = await createVllmCollector({ name: 'om', url, timeoutMs: 2000 }, deps).collect(signal);
    expect(r.engines).toMatchObject([{ model_name: 'm', engine: '0', promptTokens: 10, generationTokens: 20 }]);
    expect(seen[0]!.accept).toMatch(/^application\/openmetrics-text/);
    expect(seen[0]!.encoding).toBe('gzip');
  });

  it('bearer credentials of the target are sent', async () => {
    let authz: string | undefined;
    const url = up.on('/authz', (req, res) => { authz = req.headers.authorization; res.end(thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom')); });
    const { deps } = serving([]);
    await createVllmCollector({ name: 'a', url, timeoutMs: 2000, auth: { bearerToken: 'tok' } }, deps).collect(signal);
    expect(authz).toBe('Bearer tok');
  });
});

describe('https targets', () => {
  it('an untrusted certificate fails with reason tls; trusted through caFile, or with verification off, it is read', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const https = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end(thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
    try {
      const dcgm = (tls?: { ca?: Buffer; insecureSkipVerify?: boolean }) => createDcgmCollector({ name: 'tls', url, timeoutMs: 3000, ...(tls && { tls }) }, { limits, log: memoryLog().log });
      await expect(dcgm().collect(signal)).rejects.toMatchObject({ reason: 'tls' });
      expect((await dcgm({ ca: readFileSync(cert) }).collect(signal)).boards).toHaveLength(1);
      expect((await dcgm({ insecureSkipVerify: true }).collect(signal)).boards).toHaveLength(1);
      // Through the config: caFile read relative to the config file, and refused on an http URL.
      const { parseExporterConfig } = await import('../src/exporter/config.ts');
      const c = parseExporterConfig({ targets: [{ kind: 'dcgm', url, tls: { caFile: 'cert.pem' } }] }, dir);
      expect(c.targets[0]!.tls?.ca?.equals(readFileSync(cert))).toBe(true);
      expect(() => parseExporterConfig({ targets: [{ kind: 'dcgm', url: 'http://x:1/m', tls: { caFile: 'nope.pem' } }] }, dir)).toThrow(/targets\[0\]\.tls: applies only to https[\s\S]*targets\[0\]\.tls\.caFile: cannot read/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
