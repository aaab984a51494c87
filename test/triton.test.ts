// NVIDIA Triton as an upstream kind (src/kinds/triton/): tokens only where a backend counts them (the
// vLLM backend's series with Triton's model/version labels, real README output), core-only models
// listed without tokens (never a 0 counted as real), `model` copied into model_name at ingest, and a
// vLLM-backend model's tokens/J through the exporter.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseExposition } from '../src/exposition/parse.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { prometheusYml } from '../src/build/prometheus/index.ts';
import { recognisers } from '../src/recognise/index.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';
import { CollectError } from '../src/collectors/collector.ts';
import type { Collector } from '../src/collectors/collector.ts';
import type { BoardReading } from '../src/energy/tick.ts';
import { inspectShapes, servingOf } from '../src/kinds/index.ts';
import { main } from '../src/cli.ts';
import { parseFleet } from '../src/simulate/fleet.ts';
import { FleetSim } from '../src/simulate/workload.ts';

const README = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
/** Triton core's counters for a model with no token-counting backend (names from core src/metrics.cc). */
const CORE = [
  '# TYPE nv_inference_request_success counter', 'nv_inference_request_success{model="resnet50",version="1"} 120',
  '# TYPE nv_inference_count counter', 'nv_inference_count{model="resnet50",version="1"} 960',
  '# TYPE nv_inference_pending_request_count gauge', 'nv_inference_pending_request_count{model="resnet50",version="1"} 3',
  '# TYPE nv_energy_consumption counter', 'nv_energy_consumption{gpu_uuid="GPU-1"} 5123.5', '',
].join('\n');
const A30 = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');
const A30_HOST = 'yg-data-k8s-gpu-a30-node-test-test0003.mt';

describe('Triton recognition', () => {
  it("reads the vLLM backend's tokens under Triton's model label, and lists a core-only model without tokens", () => {
    const engines = recognisers.triton(parseExposition(`${README}\n${CORE}`, { format: 'text' })).engines;
    const vllm = recognisers.vllm(parseExposition(README, { format: 'text' })).engines[0]!;
    expect(engines.find((e) => e.model === vllm.model)).toMatchObject({ promptTokens: vllm.promptTokens, generationTokens: vllm.generationTokens });
    expect(engines.find((e) => e.model === 'resnet50')).toEqual({ model: 'resnet50', engine: '0', generation: 'v1', promptTokens: 0, generationTokens: 0, missing: ['promptTokens', 'generationTokens'], waiting: 3 });
  });

  it('reads a real 22.07 scrape: its three core-only models without tokens, its GPU by UUID with power, limit and utilization', () => {
    const view = recognisers.triton(parseExposition(thirdpartyText('triton/sample1_triton_22.07_p100_sonic_tutorial.prom'), { format: 'text' }));
    expect(view.engines.map((e) => [e.model, e.missing])).toEqual([
      ['ExaTrk', ['promptTokens', 'generationTokens']], ['add_sub', ['promptTokens', 'generationTokens']], ['particlenet_PT', ['promptTokens', 'generationTokens']],
    ]);
    expect(view.gpus).toEqual([{ uuid: 'GPU-a07dfe08-b87f-1f96-7083-07a26d0fa83e', energyJoules: 0, powerWatts: 32.768, powerLimitWatts: 250, utilization: 0 }]);
  });

  it('inspect --kind triton prints the engines and the GPUs of the real scrape, as its usage text says', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
    try {
      expect(await main(['inspect', '--kind', 'triton', new URL('fixtures/thirdparty/triton/sample1_triton_22.07_p100_sonic_tutorial.prom', import.meta.url).pathname])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const printed = JSON.parse(out.join('\n')) as { engines: { model: string }[]; gpus: unknown[] };
    expect(printed.engines.map((e) => e.model)).toEqual(['ExaTrk', 'add_sub', 'particlenet_PT']);
    expect(printed.gpus).toEqual([{ uuid: 'GPU-a07dfe08-b87f-1f96-7083-07a26d0fa83e', energyJoules: 0, powerWatts: 32.768, powerLimitWatts: 250, utilization: 0 }]);
    expect(inspectShapes()).toMatch(/triton +\{"engines":\[.*\],"gpus":\[\{"uuid","energyJoules","powerWatts","powerLimitWatts","utilization"\}\]\}/);
  });

  it('copies `model` into model_name at ingest (prometheus.yml)', () => {
    const job = (prometheusYml(defaultConfig, []) as { scrape_configs: { job_name: string; metric_relabel_configs?: object[] }[] }).scrape_configs.find((j) => j.job_name === 'triton')!;
    expect(job.metric_relabel_configs).toContainEqual({ source_labels: ['model'], regex: '(.+)', target_label: 'model_name', replacement: '$1' });
  });
});

describe('Triton through the exporter', () => {
  let up: Upstreams;
  beforeAll(async () => { up = await Upstreams.start(); });
  afterAll(async () => { await up.close(); });

  it('a vLLM-backend model gets tokens/J from its slice; a core-only model is logged once, not counted', async () => {
    let i = 0;
    up.text('/triton/dcgm', () => A30.replace(/^(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="0"[^}]*\}) (\d+)$/gm, (_m, head: string, v: string) => `${head} ${Number(v) + i * 1_000_000}`));
    up.text('/triton/metrics', () => `${README.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${16 + 250 * i}`)}\n${CORE}`);
    const { exporter, lines } = exporterFrom({
      targets: [
        { kind: 'dcgm', name: 'a30', url: up.url('/triton/dcgm') },
        { kind: 'triton', name: 'triton', url: up.url('/triton/metrics') },
      ],
      placement: [{ model: 'vllm_model', host: A30_HOST, gpu: '0', gpuInstanceId: '3' }],
      energy: { idlePowerWatts: { 'NVIDIA A30': 30 } },
    });
    for (i = 0; i < 4; i++) await exporter.runCycle(Date.UTC(2026, 5, 1) + i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(750);
    const joules = one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model' });
    expect(one(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'vllm_model' })).toBeCloseTo(750 / joules, 6);
    expect(find(s, 'tokenwatt_engine_info', { model_name: 'resnet50' })).toEqual([]);
    expect(lines.filter((l) => /no token counters/.test(l.msg) && (l.fields as { model?: string }).model === 'resnet50')).toHaveLength(1);
  });
});

/**
 * A real Triton 22.07 scrape (Tesla P100: its nv_energy_consumption reads 0 at 32.8 W, the GPU has no
 * energy counter) with its GPU's energy counter set to `joules`, as a GPU that has one would read.
 */
const T2207 = thirdpartyText('triton/sample1_triton_22.07_p100_sonic_tutorial.prom');
const UUID = 'GPU-a07dfe08-b87f-1f96-7083-07a26d0fa83e';
function tritonGpu(joules: number): string {
  return T2207.replace(/^(nv_energy_consumption\{gpu_uuid="[^"]+"\}) [\d.]+$/m, `$1 ${joules}`);
}
const withTokens = (generated: number) => README.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${generated}`);

describe("Triton's nv_energy_consumption as the lowest-priority energy source", () => {
  it('the simulator reports its GPU by UUID, joules since this engine started, from 0 again after a restart', () => {
    const fleet = parseFleet({
      seed: 5,
      hosts: [{ name: 'h', gpus: [{ model: 'NVIDIA H100 80GB HBM3' }] }],
      servers: [{ model: 'm', engine: 'triton', parametersB: 7, host: 'h', gpus: [0], requestsPerSecond: 2, promptTokens: { mean: 200, max: 1000 }, outputTokens: { mean: 100, max: 500 }, maxNumSeqs: 16, maxModelLen: 2048 }],
    });
    const sim = new FleetSim(fleet, 1_700_000_000);
    const [gpu] = sim.gpusOf(sim.engines[0]!);
    const read = () => recognisers.triton(parseExposition(servingOf('triton').simulate(sim.engines[0]!, sim.gpusOf(sim.engines[0]!)), { format: 'text' })).gpus!;
    sim.advanceTo(10);
    const startMj = gpu!.energyMj;
    expect(read()).toEqual([{ uuid: gpu!.uuid, energyJoules: 0, powerWatts: gpu!.powerW, powerLimitWatts: gpu!.limitW, utilization: expect.any(Number) }]);
    sim.advanceTo(70);
    expect(read()[0]!.energyJoules).toBeCloseTo((gpu!.energyMj - startMj) / 1000, 6);
    expect(read()[0]!.energyJoules).toBeGreaterThan(60 * 50); // an H100 draws more than 50 W
    const old = sim.engines[0]!;
    sim.replaceEngine(old, old.restart(sim.t));
    expect(read()[0]!.energyJoules).toBe(0);
    sim.advanceTo(80);
    expect(read()[0]!.energyJoules).toBeGreaterThan(0);
  });

  let up: Upstreams;
  beforeAll(async () => { up = await Upstreams.start(); });
  afterAll(async () => { await up.close(); });

  it('a Triton-only host: board energy is the Triton counter\'s increase; the model\'s tokens/J reconciles with it', async () => {
    let joules = 1000;
    let tokens = 16;
    up.text('/only/metrics', () => `${withTokens(tokens)}\n${tritonGpu(joules)}`);
    const { exporter } = exporterFrom({
      host: 'triton-host',
      targets: [{ kind: 'triton', name: 'triton', url: up.url('/only/metrics'), gpus: { '0': UUID } }],
      placement: [{ model: 'vllm_model', host: 'triton-host', gpu: '0' }],
    });
    const t0 = Date.UTC(2026, 5, 1);
    await exporter.runCycle(t0); // baseline
    for (let i = 1; i <= 3; i++) {
      joules += 1200 + 7 * i; // ~240 W over 5 s
      tokens += 250;
      await exporter.runCycle(t0 + i * 5000);
    }
    const s = seriesOf(exporter.metrics.text);
    const triton = joules - 1000;
    expect(one(s, 'tokenwatt_gpu_energy_joules_total', { host: 'triton-host', gpu: '0', gpu_uuid: UUID })).toBeCloseTo(triton, 6);
    expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels)).toEqual([expect.objectContaining({ host: 'triton-host', gpu: '0', gpu_uuid: UUID, energy_source: 'triton' })]);
    // The only engine on the GPU carries its energy: tokens/J is Triton's tokens over Triton's joules.
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(750);
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model' })).toBeCloseTo(triton, 6);
    expect(one(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'vllm_model' })).toBeCloseTo(750 / triton, 9);
    expect(find(s, 'tokenwatt_gpu_unmatched')).toEqual([]);
  });

  it('a host with NVML and Triton: NVML is used and nothing is counted twice; Triton stands in when NVML fails, never backwards', async () => {
    let nvmlMj = 9_000_000;
    let tritonJ = 20; // Triton's counter starts when Triton does: another base than NVML's
    let nvmlFails = false;
    let tokens = 16;
    up.text('/both/metrics', () => `${withTokens(tokens)}\n${tritonGpu(tritonJ)}`);
    const fakeNvml = (): Collector => ({
      kind: 'nvml', name: 'nvml',
      async collect() {
        if (nvmlFails) throw new CollectError('gpu_lost', 'NVML_ERROR_GPU_IS_LOST');
        const board: BoardReading = { host: 'h', gpu: '0', uuid: UUID, model: 'NVIDIA H100 80GB HBM3', energyJoules: nvmlMj / 1000, powerWatts: 250, powerLimitWatts: 700, activity: 0.9, slices: [] };
        return { samples: [], boards: [board] };
      },
    });
    // No gpus map: Triton's UUID is matched to the GPU NVML reports.
    const { exporter } = exporterFrom({
      host: 'h',
      targets: [{ kind: 'triton', name: 'triton', url: up.url('/both/metrics') }],
      placement: [{ model: 'vllm_model', host: 'h', gpu: '0' }],
    }, fakeNvml);
    let t = Date.UTC(2026, 5, 1);
    const cycle = async () => {
      await exporter.runCycle((t += 5000));
      return seriesOf(exporter.metrics.text);
    };
    await cycle();
    const energies: number[] = [];
    for (let i = 0; i < 3; i++) {
      nvmlMj += 1_000_000; // 1000 J by NVML
      tritonJ += 1100; // Triton's own reading of the same board differs: it must not be added
      tokens += 100;
      const s = await cycle();
      energies.push(one(s, 'tokenwatt_gpu_energy_joules_total'));
      expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels.energy_source)).toEqual(['nvml']);
    }
    expect(energies).toEqual([1000, 2000, 3000]);
    let s = seriesOf(exporter.metrics.text);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toHaveLength(1);
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model' })).toBeCloseTo(3000, 6);
    expect(find(s, 'tokenwatt_gpu_unmatched')).toEqual([]);

    // NVML fails: Triton's counter (on its own base) takes over from the last NVML reading, on deltas.
    nvmlFails = true;
    tritonJ += 1100;
    s = await cycle();
    const atSwitch = one(s, 'tokenwatt_gpu_energy_joules_total');
    expect(atSwitch).toBeGreaterThanOrEqual(3000);
    expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels.energy_source)).toEqual(['triton']);
    tritonJ += 1200;
    s = await cycle();
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(atSwitch + 1200, 6);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toHaveLength(1);
  });

  it('a UUID that matches nothing is loud (warning once, tokenwatt_gpu_unmatched 1) and counts no energy', async () => {
    let joules = 500;
    up.text('/lost/metrics', () => `${README}\n${tritonGpu((joules += 1000))}`);
    const { exporter, lines } = exporterFrom({
      host: 'h',
      targets: [{ kind: 'triton', name: 'triton', url: up.url('/lost/metrics'), gpus: { '0': 'GPU-some-other-board' } }],
      placement: [{ model: 'vllm_model', host: 'h', gpu: '0' }],
    });
    // The first reading says nothing yet (the source that names the GPU's index may answer a cycle late).
    await exporter.runCycle(Date.UTC(2026, 5, 1));
    expect(find(seriesOf(exporter.metrics.text), 'tokenwatt_gpu_unmatched')).toEqual([]);
    expect(lines.filter((l) => /matches no GPU/.test(l.msg))).toHaveLength(0);
    for (let i = 1; i < 3; i++) await exporter.runCycle(Date.UTC(2026, 5, 1) + i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(one(s, 'tokenwatt_gpu_unmatched', { collector: 'triton', target: 'triton', host: 'h', gpu_uuid: UUID })).toBe(1);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toEqual([]);
    // The engine's GPU has no energy source: that is said too, and its energy stays 0.
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model' })).toBe(0);
    expect(one(s, 'tokenwatt_engine_placed', { model_name: 'vllm_model' })).toBe(0);
    expect(lines.filter((l) => /matches no GPU/.test(l.msg))).toHaveLength(1);
  });

  it('the counter rules hold: a Triton restart is a reset, an implausible jump is dropped as implausible, energy never goes backwards', async () => {
    const readings = [1000, 2000, 3000, 40, 1040, 2040, 2_000_000, 3040, 4040];
    let i = 0;
    up.text('/rules/metrics', () => `${README}\n${tritonGpu(readings[i]!)}`);
    const { exporter } = exporterFrom({
      host: 'h',
      targets: [{ kind: 'triton', name: 'triton', url: up.url('/rules/metrics'), gpus: { '0': UUID } }],
      placement: [{ model: 'vllm_model', host: 'h', gpu: '0' }],
    });
    const energy: number[] = [];
    let s: ReturnType<typeof seriesOf> = [];
    for (i = 0; i < readings.length; i++) {
      await exporter.runCycle(Date.UTC(2026, 5, 1) + i * 5000);
      s = seriesOf(exporter.metrics.text);
      energy.push(find(s, 'tokenwatt_gpu_energy_joules_total')[0]?.value ?? 0);
    }
    for (let k = 1; k < energy.length; k++) expect(energy[k]!).toBeGreaterThanOrEqual(energy[k - 1]!);
    // 1000 + 1000, then the restart (40: confirmed by 1040) counts 40 + 1000, then 1000; the jump to
    // 2,000,000 J in 5 s (250 W limit) is dropped and counting resumes at 3040: 1000, then 1000 more.
    expect(energy.at(-1)).toBeCloseTo(2000 + 1040 + 1000 + 1000 + 1000, 6);
    expect(one(s, 'tokenwatt_ledger_dropped_readings_total', { counter: 'energy', reason: 'implausible' })).toBe(1);
    expect(one(s, 'tokenwatt_estimated_energy_joules_total', { reason: 'reset' })).toBeGreaterThan(0);
  });

  it('a GPU whose counter reads 0 while it draws power (the real P100 scrape) gives no energy, and says so once', async () => {
    up.text('/p100/metrics', `${README}\n${T2207}`);
    const { exporter, lines } = exporterFrom({
      host: 'h',
      targets: [{ kind: 'triton', name: 'triton', url: up.url('/p100/metrics'), gpus: { '0': UUID } }],
      placement: [{ model: 'vllm_model', host: 'h', gpu: '0' }],
    });
    for (let i = 0; i < 3; i++) await exporter.runCycle(Date.UTC(2026, 5, 1) + i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toEqual([]);
    expect(one(s, 'tokenwatt_engine_placed', { model_name: 'vllm_model' })).toBe(0);
    expect(lines.filter((l) => /reads 0 while the GPU draws power/.test(l.msg)).map((l) => l.fields)).toEqual([expect.objectContaining({ uuid: UUID, powerWatts: 32.768 })]);
  });

  it('gpus applies only to targets that name GPUs by UUID, one index per UUID', () => {
    expect(() => exporterFrom({ targets: [{ kind: 'dcgm', url: 'http://127.0.0.1:1/metrics', gpus: { '0': UUID } }] })).toThrow(/targets\[0\]\.gpus: applies only to targets that name GPUs by UUID \(triton\)/);
    expect(() => exporterFrom({ targets: [{ kind: 'triton', url: 'http://127.0.0.1:1/metrics', gpus: { '0': UUID, '1': UUID } }] })).toThrow(/targets\[0\]\.gpus\.1: UUID .* is also GPU 0's/);
    expect(() => exporterFrom({ targets: [{ kind: 'triton', url: 'http://127.0.0.1:1/metrics', gpus: { first: UUID } }] })).toThrow(/targets\[0\]\.gpus\.first/);
  });
});
