// The simulated fleet (src/simulate/): fleet files, determinism, energy counters, the shape of each
// endpoint (recognised by src/recognise, catalog names only), faults and the control API.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupSeries } from '../src/catalog/index.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import type { MetricFamily } from '../src/exposition/types.ts';
import { recognisers } from '../src/recognise/index.ts';
import { main } from '../src/cli.ts';
import { DcgmEndpoint } from '../src/simulate/dcgm.ts';
import { FLEET_DIR, FleetError, loadFleet, parseFleet, REFERENCE_FLEET } from '../src/simulate/fleet.ts';
import type { Fleet } from '../src/simulate/fleet.ts';
import { startFleet } from '../src/simulate/index.ts';
import { exporterConfig } from '../src/simulate/stack.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';
import { applyFault, clearFault } from '../src/simulate/faults.ts';
import { KeplerEndpoint } from '../src/simulate/kepler.ts';
import { nvmlTrace, TRACE_HEADER } from '../src/simulate/nvml-trace.ts';
import { sglangExposition } from '../src/simulate/sglang.ts';
import { vllmExposition } from '../src/simulate/vllm.ts';
import { FleetSim, STEP_SECONDS } from '../src/simulate/workload.ts';

const parse = (text: string): MetricFamily[] => parseExposition(text, { format: 'text' });
const reference = () => loadFleet(REFERENCE_FLEET);
const withSeconds = (f: Fleet, interval: number): Fleet => ({ ...f, dcgm: { collectIntervalSeconds: interval } });

function run(fleet: Fleet, seconds: number) {
  const sim = new FleetSim(fleet);
  const dcgm = sim.hosts.map((h) => new DcgmEndpoint(sim, h, fleet.driverVersion));
  const kepler = sim.hosts.map((h) => new KeplerEndpoint(sim, h));
  sim.advanceTo(seconds);
  return { sim, dcgm, kepler };
}

/** Every sample name of an exposition resolved through the catalog to its source. */
function sources(families: MetricFamily[]): Set<string> {
  const out = new Set<string>();
  for (const f of families) for (const s of f.samples) out.add(lookupSeries(s.name)?.source ?? `unknown:${s.name}`);
  return out;
}

describe('fleet files', () => {
  it('ships the three fleets, each valid', () => {
    const files = readdirSync(FLEET_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual(['dense-8xh100.yaml', 'reference.yaml', 't4-llama3.2-3b.yaml']);
    for (const f of files) expect(() => loadFleet(join(FLEET_DIR, f)), f).not.toThrow();
  });

  it('the reference fleet is the reference deployment', () => {
    const f = reference();
    expect(f.hosts[0]!.gpus.map((g) => [g.model, g.mig?.map((m) => m.profile) ?? 'whole'])).toEqual([
      ['NVIDIA A100-SXM4-40GB', 'whole'], ['NVIDIA A100-SXM4-40GB', ['3g.20gb', '2g.10gb']],
    ]);
    const placed = f.servers.map((s) => [s.model, s.gpus[0], s.gpuInstanceId === undefined ? 'whole' : f.hosts[0]!.gpus[1]!.mig!.find((m) => m.gpuInstanceId === s.gpuInstanceId)!.profile]);
    expect(placed).toEqual([
      ['meta-llama/Llama-2-7b-chat-hf', 0, 'whole'],
      ['TheBloke/Llama-2-7B-Chat-GPTQ', 1, '2g.10gb'],
      ['TheBloke/Llama-2-13B-chat-GPTQ', 1, '3g.20gb'],
    ]);
  });

  it('names every bad field in one error', () => {
    const f = structuredClone(reference()) as unknown as Record<string, unknown> & { servers: Record<string, unknown>[]; hosts: { gpus: Record<string, unknown>[] }[] };
    f.servers[1]!.gpuInstanceId = 9;
    f.servers[0]!.requestsPerSecond = -1;
    f.hosts[0]!.gpus[1]!.mig = [{ profile: '4g.20gb', gpuInstanceId: 1 }, { profile: '4g.20gb', gpuInstanceId: 2 }];
    expect(() => parseFleet(f)).toThrow(/servers\.0\.requestsPerSecond/);
    delete (f.servers[0] as Record<string, unknown>).requestsPerSecond;
    f.servers[0]!.requestsPerSecond = 1;
    let msg = '';
    try { parseFleet(f); } catch (err) { expect(err).toBeInstanceOf(FleetError); msg = (err as Error).message; }
    expect(msg).toMatch(/hosts\.0\.gpus\.1\.mig: 8 compute slices exceed the 7/);
    expect(msg).toMatch(/servers\.1\.gpuInstanceId: GPU 1 of 'a100-node-1' has no instance 9/);
  });

  it('exits 2 on a bad fleet file, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-fleet-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hosts:\n  - name: h\n    gpus: [{ model: NVIDIA B300 }]\nservers: []\n');
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => { errors.push(m); };
    try {
      expect(await main(['simulate', '--fleet', file])).toBe(2);
    } finally { console.error = orig; }
    expect(errors.join('\n')).toMatch(/hosts\.0\.gpus\.0\.model/);
    expect(errors.join('\n')).toMatch(/servers: Too small/);
  });
});

describe('workload model', () => {
  it('is deterministic: one seed, one run', () => {
    const a = run(reference(), 60);
    const b = run(reference(), 60);
    expect(a.sim.engines.map(vllmExposition)).toEqual(b.sim.engines.map(vllmExposition));
    expect(a.dcgm[0]!.render()).toBe(b.dcgm[0]!.render());
    const c = run({ ...reference(), seed: 43 }, 60);
    expect(c.sim.engines.map(vllmExposition)).not.toEqual(a.sim.engines.map(vllmExposition));
  });

  it('energy counter is the integral of the simulated power and never decreases', () => {
    const sim = new FleetSim(reference());
    const gpus = sim.hosts[0]!.gpus;
    const start = gpus.map((g) => g.energyMj);
    const integral = gpus.map(() => 0);
    let last = [...start];
    for (let t = STEP_SECONDS; t <= 120 + 1e-9; t += STEP_SECONDS) {
      sim.advanceTo(t);
      gpus.forEach((g, i) => {
        integral[i]! += g.powerW * STEP_SECONDS * 1000;
        expect(g.energyMj).toBeGreaterThanOrEqual(last[i]!);
      });
      last = gpus.map((g) => g.energyMj);
    }
    gpus.forEach((g, i) => expect(g.energyMj - start[i]!).toBeCloseTo(integral[i]!, 0));
    // Loaded, above the idle floor and below the limit.
    for (const g of gpus) expect(g.powerW).toBeGreaterThan(g.limitW * 0.15);
    for (const g of gpus) expect(g.powerW).toBeLessThan(g.limitW);
  });

  it('serves the reference load without queueing, with tokens/J in the published vLLM range', () => {
    const { sim } = run(reference(), 300);
    for (const e of sim.engines) {
      expect(e.waiting.length, e.server.model).toBeLessThan(5);
      expect(e.h.ttft.sum / e.h.ttft.count, e.server.model).toBeLessThan(0.5);
      expect(e.finished.stop, e.server.model).toBeGreaterThan(20);
    }
    // GPU 0 serves one model whole: its tokens over its energy. ML.ENERGY: 4.7 tokens/J (A100-40GB,
    // batch 32) down to ~2 at small batches; our HF fixture curve x3 must land in that range.
    const sim2 = new FleetSim(reference());
    sim2.advanceTo(60);
    const e0 = sim2.hosts[0]!.gpus[0]!.energyMj;
    const t0 = sim2.engines[0]!.generationTokens;
    sim2.advanceTo(300);
    const tpj = (sim2.engines[0]!.generationTokens - t0) / ((sim2.hosts[0]!.gpus[0]!.energyMj - e0) / 1000);
    expect(tpj).toBeGreaterThan(2);
    expect(tpj).toBeLessThan(6);
  });
});

describe('endpoints', () => {
  it('vLLM: catalog names only, recognised as v1 with token counters', () => {
    const { sim } = run(reference(), 30);
    for (const e of sim.engines) {
      const fam = parse(vllmExposition(e));
      expect(sources(fam)).toEqual(new Set(['vllm']));
      const view = recognisers.vllm(fam);
      expect(view.engines).toEqual([expect.objectContaining({ model: e.server.model, engine: '0', generation: 'v1', generationTokens: e.generationTokens, promptTokens: e.promptTokens })]);
      expect(view.engines[0]!.missing).toBeUndefined();
      // prometheus_client's _created gauge after each counter (without _total) and histogram.
      expect(vllmExposition(e)).toMatch(/^# TYPE vllm:prompt_tokens_created gauge\nvllm:prompt_tokens_created\{engine="0",model_name="[^"]+"\} 1800000000\.0$/m);
      expect(vllmExposition(e)).toMatch(/^vllm:iteration_tokens_total_created\{/m);
      // Bounds print as floats: a selector on le="1.0" must match.
      expect(vllmExposition(e)).toMatch(/vllm:time_to_first_token_seconds_bucket\{engine="0",le="1\.0",model_name="[^"]+"\} \d+\.0/);
    }
  });

  it('vLLM engine detail holds vLLM\'s own invariants: prompt tokens by source, speculative decoding, LoRA, HTTP', () => {
    const { sim } = run(reference(), 120);
    const e = sim.engines.find((x) => x.server.speculative && x.server.lora)!;
    const fam = parse(vllmExposition(e));
    const value = (name: string, labels: Record<string, string> = {}) => {
      const samples = fam.flatMap((f) => f.samples).filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
      expect(samples.length, name).toBeGreaterThan(0);
      return samples.reduce((a, x) => a + x.value, 0);
    };
    // stats.py PromptTokenStats: computed + local_cache_hit + external_kv_transfer - recomputed = total.
    const bySource = (source: string) => value('vllm:prompt_tokens_by_source_total', { source });
    expect(bySource('local_compute') + bySource('local_cache_hit') + bySource('external_kv_transfer') - value('vllm:prompt_tokens_recomputed_total')).toBe(value('vllm:prompt_tokens_total'));
    expect(bySource('local_cache_hit') - value('vllm:prompt_tokens_recomputed_total')).toBe(value('vllm:prompt_tokens_cached_total'));
    // Speculative decoding at 3 tokens, acceptance 0.6: rate 0.6+0.36+0.216 over 3, length 1+1.176.
    const drafts = value('vllm:spec_decode_num_drafts_total');
    expect(drafts).toBeGreaterThan(1000);
    expect(value('vllm:spec_decode_num_draft_tokens_total') / drafts).toBeCloseTo(3, 2);
    expect(value('vllm:spec_decode_num_accepted_tokens_total') / value('vllm:spec_decode_num_draft_tokens_total')).toBeCloseTo(1.176 / 3, 2);
    const perPos = [0, 1, 2].map((p) => value('vllm:spec_decode_num_accepted_tokens_per_pos_total', { position: String(p) }) / drafts);
    expect(perPos.map((x) => Math.round(x * 100) / 100)).toEqual([0.6, 0.36, 0.22]);
    // LoRA: several label sets over time; the newest is the latest step's, at most the current time.
    const lora = fam.find((f) => f.name === 'vllm:lora_requests_info')!.samples;
    expect(lora.length).toBeGreaterThan(1);
    expect(Math.max(...lora.map((x) => x.value))).toBeCloseTo(sim.epochS + 120, 0);
    for (const x of lora) for (const a of [x.labels.running_lora_adapters!, x.labels.waiting_lora_adapters!].flatMap((l) => l.split(',')).filter((l) => l !== '')) expect(e.server.lora!.adapters).toContain(a);
    // The API server answered every finished request, and refused a few before the engine saw them.
    const finished = value('vllm:request_success_total');
    expect(value('http_requests_total', { status: '2xx' }) + (fam.some((f) => f.samples.some((x) => x.labels.status === '5xx')) ? value('http_requests_total', { status: '5xx' }) : 0)).toBe(finished);
    expect(value('process_start_time_seconds')).toBe(e.createdAtS);
    expect(value('vllm:engine_sleep_state', { sleep_state: 'awake' })).toBe(1);
    expect(value('vllm:num_requests_waiting_by_reason')).toBe(value('vllm:num_requests_waiting'));
    // A server without these options serves none of their families.
    const plain = parse(vllmExposition(sim.engines.find((x) => !x.server.speculative)!));
    expect(plain.filter((f) => /spec_decode|lora|estimated_|kv_block_/.test(f.name)).map((f) => f.name)).toEqual([]);
  });

  it('vLLM old names: V0 shape (no engine label, pre-rename names), recognised as v0; both: v1 with old names too', () => {
    const f = reference();
    f.servers[0]!.names = 'old';
    f.servers[1]!.names = 'both';
    const { sim } = run(f, 30);
    const old = vllmExposition(sim.engines[0]!);
    expect(old).toContain('vllm:gpu_cache_usage_perc{model_name=');
    expect(old).not.toMatch(/^vllm:kv_cache_usage_perc/m);
    expect(old).not.toContain('engine="0"');
    expect(recognisers.vllm(parse(old)).engines[0]).toMatchObject({ generation: 'v0', kvCacheUsage: sim.engines[0]!.kvUsage });
    const both = vllmExposition(sim.engines[1]!);
    expect(both).toContain('vllm:gpu_cache_usage_perc{engine="0"');
    expect(both).toContain('vllm:kv_cache_usage_perc{engine="0"');
    expect(both).toContain('vllm:time_per_output_token_seconds_bucket');
    expect(recognisers.vllm(parse(both)).engines[0]!.generation).toBe('v1');
  });

  it('dcgm: one GPU per board, MIG instances with their profiles, board series repeated, instance ratios apart', () => {
    const { dcgm, sim } = run(withSeconds(reference(), 1), 30);
    const text = dcgm[0]!.render();
    const fam = parse(text);
    expect(sources(fam)).toEqual(new Set(['dcgm']));
    const view = recognisers.dcgm(fam);
    expect(view.gpus.map((g) => [g.gpu, g.migInstances.map((m) => [m.gpuInstanceId, m.profile, m.computeSlices, m.memorySlices])])).toEqual([
      ['0', []], ['1', [['2', '3g.20gb', 3, 4], ['3', '2g.10gb', 2, 2]]],
    ]);
    expect(view.gpus[1]!.migGeometry).toEqual({ computeSlices: 7, memorySlices: 8 });
    const g1 = sim.hosts[0]!.gpus[1]!;
    expect(view.gpus[1]!.energyJoules).toBeCloseTo(Math.floor(g1.energyMj) / 1000, 3);
    // Board energy: the same value on both instances of GPU 1 (dcgm-exporter #317).
    const energy = fam.find((f) => f.name === 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')!.samples.filter((s) => s.labels.gpu === '1');
    expect(energy.map((s) => s.labels.GPU_I_ID)).toEqual(['2', '3']);
    expect(new Set(energy.map((s) => s.value)).size).toBe(1);
    // Per-instance activity differs; GPU_UTIL is not supported under MIG (no series on GPU 1).
    const acts = view.gpus[1]!.migInstances.map((m) => m.grEngineActive);
    expect(acts.every((a) => a !== undefined && a > 0 && a <= 1)).toBe(true);
    expect(fam.find((f) => f.name === 'DCGM_FI_DEV_GPU_UTIL')!.samples.map((s) => s.labels.gpu)).toEqual(['0']);
    // dcgm-exporter's label order and %f floats.
    expect(text).toMatch(/^DCGM_FI_DEV_POWER_USAGE\{gpu="0",UUID="GPU-[0-9a-f-]{36}",pci_bus_id="00000000:07:00\.0",device="nvidia0",modelName="NVIDIA A100-SXM4-40GB",Hostname="a100-node-1",DCGM_FI_DRIVER_VERSION="[\d.]+",container="vllm",namespace="llm",pod="llama-2-7b-chat-0"\} \d+\.\d{6}$/m);
  });

  it('dcgm: values change once per collection interval, counters never go back', () => {
    const sim = new FleetSim(reference());
    const d = new DcgmEndpoint(sim, sim.hosts[0]!, '550.90.07');
    const energyOf = () => recognisers.dcgm(parse(d.render())).gpus.map((g) => g.energyJoules!);
    sim.advanceTo(1);
    const a = energyOf();
    sim.advanceTo(20);
    expect(energyOf()).toEqual(a); // within the 30 s interval: the last collection
    sim.advanceTo(31);
    const b = energyOf();
    b.forEach((v, i) => expect(v).toBeGreaterThan(a[i]!));
  });

  it('kepler rewrite and legacy: recognised as their generation, pods get energy', () => {
    const rw = run(reference(), 30);
    const fam = parse(rw.kepler[0]!.render());
    expect(sources(fam)).toEqual(new Set(['kepler']));
    const view = recognisers.kepler(fam);
    expect(view.generation).toBe('rewrite');
    expect(Object.keys(view.nodes[0]!.joulesByZone).sort()).toEqual(['core', 'dram', 'gpu', 'package', 'psys', 'uncore']);
    expect(view.pods.map((p) => p.pod).sort()).toEqual(['llama-2-13b-chat-gptq-0', 'llama-2-7b-chat-0', 'llama-2-7b-chat-gptq-0']);
    for (const p of view.pods) expect(p.joulesByZone!.gpu, p.pod).toBeGreaterThan(0);
    const t4 = loadFleet(join(FLEET_DIR, 't4-llama3.2-3b.yaml'));
    const lg = run(t4, 30);
    const lview = recognisers.kepler(parse(lg.kepler[0]!.render()));
    expect(lview.generation).toBe('legacy');
    expect(lview.pods.map((p) => p.pod)).toEqual(['llama-3-2-3b-0']);
    expect(lview.pods[0]!.joules).toBeGreaterThan(0);
  });

  it('sglang (dense 8xH100 fleet): recognised with its tokens; tensor parallel spans four GPUs', () => {
    const f = loadFleet(join(FLEET_DIR, 'dense-8xh100.yaml'));
    const { sim, dcgm } = run(withSeconds(f, 1), 20);
    const sg = sim.engines.find((e) => e.server.engine === 'sglang')!;
    const fam = parse(sglangExposition(sg));
    expect(sources(fam)).toEqual(new Set(['sglang']));
    expect(recognisers.sglang(fam).engines[0]).toMatchObject({ model: 'Qwen/Qwen2.5-7B-Instruct', generationTokens: sg.generationTokens });
    expect(sg.generationTokens).toBeGreaterThan(0);
    const gpus = recognisers.dcgm(parse(dcgm[0]!.render())).gpus;
    expect(gpus).toHaveLength(8);
    // GPUs 0-3 share the 70B's batch; GPU 7 is idle.
    const power = gpus.map((g) => g.powerWatts!);
    expect(new Set(power.slice(0, 4)).size).toBe(1);
    expect(power[7]).toBeLessThan(power[0]!);
  });

  it('NVML trace: the recorder format with a gpu column, energy consistent with the dcgm counter', () => {
    const f = reference();
    const csv = nvmlTrace(f, 'a100-node-1', 10, 1_800_000_000).trim().split('\n');
    expect(csv[0]).toBe(TRACE_HEADER);
    expect(csv).toHaveLength(1 + 21 * 2);
    const rows = csv.slice(1).map((l) => l.split(','));
    const sim = new FleetSim(f);
    sim.advanceTo(10);
    const last = rows.filter((r) => r[1] === '1').at(-1)!;
    expect(Number(last[0])).toBeCloseTo(1_800_000_010, 3);
    expect(Number(last[3])).toBe(Math.floor(sim.hosts[0]!.gpus[1]!.energyMj));
  });
});

describe('exporter config for a fleet', () => {
  it('is a valid tokenwatt exporter config for every shipped fleet: each engine a named target, placed on its GPU or slice', async () => {
    for (const file of ['reference.yaml', 't4-llama3.2-3b.yaml', 'dense-8xh100.yaml']) {
      const running = await startFleet(loadFleet(join(FLEET_DIR, file)), { ports: 'ephemeral' });
      try {
        const doc = exporterConfig(running, { listen: '127.0.0.1:0', interval: '1s' }) as { placement: { gpu: string; gpuInstanceId?: string }[] };
        const config = parseExporterConfig(doc);
        expect(config.targets.map((t) => t.kind).sort(), file).toEqual([...running.servers.map((x) => x.engine), 'dcgm', 'kepler'].sort());
        expect(config.placement, file).toHaveLength(running.servers.length);
      } finally {
        await running.stop();
      }
    }
    const running = await startFleet(reference(), { ports: 'ephemeral' });
    try {
      const placement = (exporterConfig(running, { listen: '127.0.0.1:0', interval: '1s' }) as { placement: { gpu: string; gpuInstanceId?: string }[] }).placement;
      expect(placement.map((p) => [p.gpu, p.gpuInstanceId])).toEqual([['0', undefined], ['1', '3'], ['1', '2']]);
    } finally {
      await running.stop();
    }
  });
});

describe('faults and the control API', () => {
  it('injects and clears faults over HTTP; a down server fails its scrape and restarts with fresh counters', async () => {
    const running = await startFleet(withSeconds(reference(), 1), { ports: 'ephemeral' });
    try {
      const model = 'meta-llama/Llama-2-7b-chat-hf';
      const url = running.servers[0]!.url;
      await new Promise((r) => setTimeout(r, 1500));
      const before = recognisers.vllm(parse(await (await fetch(url)).text())).engines[0]!.generationTokens;
      expect(before).toBeGreaterThan(0);
      const post = await fetch(`${running.control.url}/server-down?model=${encodeURIComponent(model)}`, { method: 'POST' });
      expect(post.status).toBe(200);
      await expect(fetch(url)).rejects.toThrow();
      const list = (await (await fetch(running.control.url)).json()) as { active: { name: string }[] };
      expect(list.active.map((f) => f.name)).toEqual(['server-down']);
      await fetch(`${running.control.url}/server-down?model=${encodeURIComponent(model)}`, { method: 'DELETE' });
      const after = recognisers.vllm(parse(await (await fetch(url)).text())).engines[0]!.generationTokens;
      expect(after).toBeLessThan(before);
      // `tokenwatt inspect` on the live endpoints: what the exporter's collectors will see.
      const printed: string[] = [];
      const log = console.log;
      console.log = (m: string) => { printed.push(m); };
      try {
        expect(await main(['inspect', '--kind', 'dcgm', running.dcgm[0]!.url])).toBe(0);
        expect(await main(['inspect', '--kind', 'kepler', running.kepler[0]!.url])).toBe(0);
      } finally { console.log = log; }
      const dcgmView = JSON.parse(printed[0]!) as { gpus: { gpu: string; migInstances: { profile: string }[] }[] };
      expect(dcgmView.gpus.map((g) => [g.gpu, g.migInstances.map((m) => m.profile)])).toEqual([['0', []], ['1', ['3g.20gb', '2g.10gb']]]);
      expect((JSON.parse(printed[1]!) as { generation: string }).generation).toBe('rewrite');
      const bad = await fetch(`${running.control.url}/xid?gpu=7`, { method: 'POST' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/no GPU 7/);
      expect((await fetch(`${running.control.url}/meltdown`, { method: 'POST' })).status).toBe(404);
    } finally {
      await running.stop();
    }
  });

  it('gpu-lost: the GPU leaves dcgm-exporter and its server goes down; back on clear, the server restarted', () => {
    const sim = new FleetSim(withSeconds(loadFleet(join(FLEET_DIR, 'dense-8xh100.yaml')), 1));
    const d = new DcgmEndpoint(sim, sim.hosts[0]!, 'x');
    sim.advanceTo(10);
    const e = sim.engines[1]!; // Llama-3.1-8B on GPU 4
    const before = e.generationTokens;
    applyFault(sim, 'gpu-lost', { gpu: 4 });
    sim.advanceTo(12);
    expect(recognisers.dcgm(parse(d.render())).gpus.map((g) => g.gpu)).toEqual(['0', '1', '2', '3', '5', '6', '7']);
    expect(e.faults.down).toBe(true);
    clearFault(sim, 'gpu-lost', { gpu: 4 });
    sim.advanceTo(14);
    expect(recognisers.dcgm(parse(d.render())).gpus).toHaveLength(8);
    expect(sim.engines[1]).not.toBe(e);
    expect(sim.engines[1]!.generationTokens).toBeLessThan(before);
  });

  it('xid sets the last-XID gauge with its code; throttle drives the violation counter at the ratio', () => {
    const sim = new FleetSim(withSeconds(reference(), 1));
    const d = new DcgmEndpoint(sim, sim.hosts[0]!, 'x');
    sim.advanceTo(5);
    sim.hosts[0]!.gpus[1]!.faults.xid = 79;
    sim.hosts[0]!.gpus[0]!.faults.powerThrottle = 0.5;
    const v0 = sim.hosts[0]!.gpus[0]!.powerViolationNs;
    sim.advanceTo(15);
    const text = d.render();
    const xid = parse(text).find((f) => f.name === 'DCGM_FI_DEV_XID_ERRORS')!.samples;
    expect(xid.filter((s) => s.labels.gpu === '1').map((s) => [s.value, s.labels.err_code, s.labels.err_msg])).toEqual([
      [79, '79', 'GPU has fallen off the bus'], [79, '79', 'GPU has fallen off the bus'],
    ]);
    expect(xid.find((s) => s.labels.gpu === '0')!.value).toBe(0);
    expect((sim.hosts[0]!.gpus[0]!.powerViolationNs - v0) / 10).toBeCloseTo(0.5e9, -6);
  });
});
