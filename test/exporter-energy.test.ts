// The join: dcgm-exporter boards + vLLM/SGLang engines → the energy ledger → /metrics. GPU joules
// reconcile with the fixture's DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION differences / 1000; NVML boards
// win over dcgm's for the same host+gpu.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectError } from '../src/collectors/collector.ts';
import type { Collector, NvmlOptions } from '../src/collectors/collector.ts';
import type { BoardReading, LedgerSample } from '../src/energy/tick.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';

const A30 = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');
const A30_HOST = 'yg-data-k8s-gpu-a30-node-test-test0003.mt';
const L4 = thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom');
const L4_HOST = 'i-030791dc5a37cd257';
const TRITON = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
const SGLANG = thirdpartyText('sglang/sglang_docs_production_metrics_example.prom');

let up: Upstreams;
beforeAll(async () => {
  up = await Upstreams.start();
});
afterAll(async () => {
  await up.close();
});

/** Add `deltaMj[gpu]` to every energy line of that GPU (all its MIG instances: the board value repeats). */
function advance(text: string, deltaMj: Record<string, number>): string {
  return text.replace(/^(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="(\d+)"[^}]*\}) (\d+)$/gm, (_m, head: string, gpu: string, v: string) => `${head} ${Number(v) + (deltaMj[gpu] ?? 0)}`);
}

/** The fixture's own readings (mJ) per GPU: the max over the instances that repeat it. */
function readingsMj(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="(\d+)"[^}]*\} (\d+)$/gm)) out[m[1]!] = Math.max(out[m[1]!] ?? 0, Number(m[2]));
  return out;
}

describe('dcgm + vLLM + SGLang fixtures through the exporter', () => {
  it('GPU joules equal the differences of DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION / 1000; slices + unallocated = board', async () => {
    // Five cycles 5 s apart; GPU 0 draws 250-310 W, GPU 1 an idle 40 W (mJ per 5 s).
    const steps = [{ '0': 0, '1': 0 }, { '0': 1_250_000, '1': 200_000 }, { '0': 2_800_000, '1': 400_000 }, { '0': 4_100_001, '1': 600_000 }, { '0': 5_650_123, '1': 800_000 }];
    let i = 0;
    const served: string[] = [];
    up.on('/e/dcgm', (_req, res) => {
      const text = advance(A30, steps[i]!);
      served.push(text);
      res.end(text);
    });
    let tokens = 16;
    up.text('/e/vllm', () => TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${(tokens += 300)}`));
    up.text('/e/sglang', SGLANG);
    const { exporter } = exporterFrom({
      targets: [
        { kind: 'dcgm', name: 'a30', url: up.url('/e/dcgm') },
        { kind: 'vllm', name: 'triton', url: up.url('/e/vllm') },
        { kind: 'sglang', name: 'sglang', url: up.url('/e/sglang') },
      ],
      placement: [
        { model: 'vllm_model', host: A30_HOST, gpu: '0', gpuInstanceId: '3' },
        { model: 'meta-llama/Llama-3.1-8B-Instruct', host: A30_HOST, gpu: '0', gpuInstanceId: '4' },
      ],
      energy: { idlePowerWatts: { 'NVIDIA A30': 30 } },
    });
    let s = seriesOf(exporter.metrics.text);
    const t0 = Date.UTC(2026, 5, 1);
    for (i = 0; i < steps.length; i++) {
      await exporter.runCycle(t0 + i * 5000);
      s = seriesOf(exporter.metrics.text);
    }
    const first = readingsMj(served[0]!);
    const last = readingsMj(served[served.length - 1]!);
    for (const gpu of ['0', '1']) {
      const board = one(s, 'tokenwatt_gpu_energy_joules_total', { host: A30_HOST, gpu });
      expect(board).toBeCloseTo((last[gpu]! - first[gpu]!) / 1000, 6);
      const slices = find(s, 'tokenwatt_slice_energy_joules_total', { host: A30_HOST, gpu }).reduce((a, x) => a + x.value, 0);
      const unallocated = one(s, 'tokenwatt_unallocated_energy_joules_total', { host: A30_HOST, gpu });
      expect(slices + unallocated).toBeCloseTo(board, 6);
    }
    // By hand: GPU 0 5650.123 J; GPU 1 800 J.
    expect(one(s, 'tokenwatt_gpu_energy_joules_total', { gpu: '0' })).toBeCloseTo(5650.123, 6);
    expect(one(s, 'tokenwatt_gpu_energy_joules_total', { gpu: '1' })).toBeCloseTo(800, 6);
    // Engines: on their slices, the vLLM one generated 4 × 300 tokens after its baseline.
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model', gpu_instance_id: '3', gpu_profile: '1g.6gb' })).toBe(1200);
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model' })).toBeCloseTo(
      find(s, 'tokenwatt_slice_energy_joules_total', { gpu: '0', gpu_instance_id: '3' }).reduce((a, x) => a + x.value, 0), 6);
    expect(one(s, 'tokenwatt_engine_info', { model_name: 'vllm_model' })).toBe(1);
    expect(find(s, 'tokenwatt_engine_info', { model_name: 'vllm_model' })[0]!.labels).toMatchObject({
      server: 'vllm', target: 'triton', mapping: 'static', host: A30_HOST, gpu: '0', gpu_instance_id: '3', gpu_profile: '1g.6gb',
      gpu_uuid: 'GPU-265c9814-6156-355b-e589-ff2064894f16', gpu_model: 'NVIDIA A30',
    });
    expect(find(s, 'tokenwatt_gpu_info', { gpu: '0' })[0]!.labels).toMatchObject({ mig_mode: 'enabled', energy_source: 'dcgm' });
    expect(one(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'vllm_model' })).toBeGreaterThan(0);
  });
});

describe('NVML and dcgm-exporter for the same GPU', () => {
  it('NVML wins while it answers; dcgm stands in when it fails; energy never goes backwards', async () => {
    let nvmlMj = 4_742_776;
    let dcgmMj = 4_742_776;
    let nvmlFails = false;
    up.text('/n/dcgm', () => L4.replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${dcgmMj}`));
    const options: NvmlOptions[] = [];
    const fakeNvml = (o: NvmlOptions): Collector => {
      options.push(o);
      return {
        kind: 'nvml', name: 'nvml',
        async collect() {
          if (nvmlFails) {
            // As the NVML collector fails: with tokenwatt_nvml_up 0 attached, so its alert can fire.
            throw Object.assign(new CollectError('gpu_lost', 'NVML_ERROR_GPU_IS_LOST'), { samples: [{ name: 'tokenwatt_nvml_up', labels: { backend: 'fake' }, value: 0 }] });
          }
          const board: BoardReading = { host: L4_HOST, gpu: '0', uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c', model: 'NVIDIA L4', energyJoules: nvmlMj / 1000, powerWatts: 70, slices: [] };
          // Like the real NVML collector, it says gpu_info itself; here also a name outside the catalog.
          const info = { host: L4_HOST, gpu: '0', gpu_uuid: board.uuid, gpu_model: 'NVIDIA L4', mig_mode: 'disabled', energy_source: 'nvml' };
          const samples: LedgerSample[] = [
              { name: 'tokenwatt_nvml_up', labels: { backend: 'fake' }, value: 1 },
              { name: 'tokenwatt_nvml_up', labels: { backend: 'fake' }, value: 1 }, // a duplicate: served once
              { name: 'tokenwatt_gpu_info', labels: info, value: 1 },
              { name: 'tokenwatt_gpu_info', labels: { ...info, gpu: '1', gpu_uuid: 'GPU-no-energy-counter' }, value: 1 },
              { name: 'tokenwatt_not_in_catalog', labels: {}, value: 1 },
          ];
          return { samples, boards: [board] };
        },
      };
    };
    const { exporter, lines } = exporterFrom({ host: L4_HOST, targets: [{ kind: 'dcgm', url: up.url('/n/dcgm') }] }, fakeNvml);
    expect(options[0]).toMatchObject({ mode: 'auto', host: L4_HOST });
    let t = 0;
    const cycle = async () => {
      await exporter.runCycle((t += 5000));
      return seriesOf(exporter.metrics.text);
    };
    await cycle();
    nvmlMj += 500_000; // NVML's reading is fresher than dcgm-exporter's (its 30 s sampling)
    dcgmMj += 400_000;
    let s = await cycle();
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(500, 9);
    expect(find(s, 'tokenwatt_gpu_info')[0]!.labels.energy_source).toBe('nvml');
    expect(one(s, 'tokenwatt_nvml_up', { backend: 'fake' })).toBe(1);
    // One gpu_info per GPU: the join's for GPU 0, the collector's own for GPU 1 (no board in the join).
    expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels.gpu)).toEqual(['0', '1']);
    expect(find(s, 'tokenwatt_not_in_catalog')).toEqual([]);
    expect(lines.filter((l) => l.msg.includes('not a tokenwatt series'))).toHaveLength(1);

    nvmlFails = true;
    s = await cycle();
    // dcgm's reading (5142.776 J) lags NVML's last (5242.776 J): not a reset, so nothing is fed yet.
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(500, 9);
    dcgmMj += 600_000; // dcgm catches up: 5742.776 J, 500 J past NVML's last reading
    s = await cycle();
    expect(one(s, 'tokenwatt_collector_up', { collector: 'nvml' })).toBe(0);
    expect(one(s, 'tokenwatt_collector_errors_total', { collector: 'nvml', reason: 'gpu_lost' })).toBe(2);
    expect(one(s, 'tokenwatt_nvml_up', { backend: 'fake' })).toBe(0); // what the failure carried, nothing older
    expect(find(s, 'tokenwatt_gpu_info')).toHaveLength(1);
    expect(find(s, 'tokenwatt_gpu_info')[0]!.labels.energy_source).toBe('dcgm');
    expect(lines.filter((l) => l.msg.includes('not a tokenwatt series'))).toHaveLength(1);
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(1000, 9);
  });
});

describe('Kubernetes placement through dcgm-exporter\'s pod mapping', () => {
  it('a vLLM target naming its pod lands on the MIG instance dcgm-exporter maps that pod to', async () => {
    // The #317 scrape as dcgm-exporter prints it with Kubernetes mapping on: instance 4 of GPU 0 holds the pod.
    const mapped = A30.replace(/(GPU_I_ID="4",Hostname="[^"]+")\}/g, '$1,container="vllm",namespace="llm",pod="vllm-a30-0"}');
    expect(mapped).not.toBe(A30);
    up.text('/k/dcgm', mapped);
    up.text('/k/vllm', TRITON);
    const { exporter, lines } = exporterFrom({
      targets: [
        { kind: 'dcgm', name: 'a30', url: up.url('/k/dcgm') },
        { kind: 'vllm', name: 'triton', url: up.url('/k/vllm'), namespace: 'llm', pod: 'vllm-a30-0' },
        { kind: 'vllm', name: 'elsewhere', url: up.url('/k/vllm'), namespace: 'llm', pod: 'not-on-this-node' },
      ],
    });
    for (let i = 1; i <= 3; i++) await exporter.runCycle(i * 5000);
    const s = seriesOf(exporter.metrics.text);
    const info = find(s, 'tokenwatt_engine_info', { model_name: 'vllm_model' });
    expect(info).toHaveLength(1);
    expect(info[0]!.labels).toMatchObject({ mapping: 'kubernetes', namespace: 'llm', pod: 'vllm-a30-0', host: A30_HOST, gpu: '0', gpu_instance_id: '4', gpu_profile: '1g.6gb', target: 'triton' });
    expect(lines.some((l) => l.msg.includes('no placement') && l.fields?.target === 'elsewhere')).toBe(true);
  });
});

describe('a target with a longer interval than the cycle', () => {
  it('is read every other cycle, and its engines keep counting across the cycles it skips', async () => {
    let reads = 0;
    let tokens = 16;
    up.text('/i/dcgm', () => advance(L4, {}));
    up.on('/i/vllm', (_req, res) => {
      reads++;
      res.end(TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${(tokens += 100)}`));
    });
    const { exporter } = exporterFrom({
      interval: 5,
      targets: [{ kind: 'dcgm', url: up.url('/i/dcgm') }, { kind: 'vllm', name: 'slow', url: up.url('/i/vllm'), interval: 10 }],
      placement: [{ model: 'vllm_model', host: L4_HOST, gpu: '0' }],
    });
    for (let i = 0; i < 6; i++) await exporter.runCycle(1_000_000 + i * 5000);
    expect(reads).toBe(3);
    const s = seriesOf(exporter.metrics.text);
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(200);
    expect(one(s, 'tokenwatt_collector_up', { target: 'slow' })).toBe(1);
  });
});

describe('one GPU under two host names', () => {
  it('an NVML board and a dcgm board with the same UUID count once, even when host and Hostname differ', async () => {
    let mj = 4_742_776;
    up.text('/u/dcgm', () => L4.replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${(mj += 700_000)}`));
    const nvml = (): Collector => ({
      kind: 'nvml', name: 'nvml',
      async collect() {
        return { samples: [], boards: [{ host: 'short-name', gpu: '0', uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c', model: 'NVIDIA L4', energyJoules: mj / 1000, slices: [] }] };
      },
    });
    const { exporter, lines } = exporterFrom({ host: 'short-name', targets: [{ kind: 'dcgm', url: up.url('/u/dcgm') }] }, nvml);
    for (let i = 1; i <= 3; i++) await exporter.runCycle(i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(find(s, 'tokenwatt_gpu_info')).toHaveLength(1);
    expect(find(s, 'tokenwatt_gpu_info')[0]!.labels).toMatchObject({ host: 'short-name', energy_source: 'nvml' });
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toHaveLength(1);
    expect(lines.filter((l) => l.msg.includes('under two host names'))).toHaveLength(1);
  });
});

describe('a redacted scrape', () => {
  it('GPUs of one dcgm-exporter that print the same placeholder UUID stay separate boards', async () => {
    up.text('/r/dcgm', A30.replaceAll(/UUID="[^"]+"/g, 'UUID="GPU-REDACTED"'));
    const { exporter } = exporterFrom({ targets: [{ kind: 'dcgm', url: up.url('/r/dcgm') }] });
    await exporter.runCycle(5000);
    const s = seriesOf(exporter.metrics.text);
    expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels.gpu)).toEqual(['0', '1']);
  });
});

describe('a reading the ledger would refuse', () => {
  it('is dropped alone: an A30 listing five 1g.6gb instances (it has four slices) loses that GPU, not the scrape', async () => {
    const fifth = A30.split('\n').find((l) => l.includes('GPU_I_ID="6"'))!.replace('GPU_I_ID="6"', 'GPU_I_ID="7"');
    up.text('/bad/dcgm', `${A30}${fifth}\n`);
    const { exporter, lines } = exporterFrom({ targets: [{ kind: 'dcgm', name: 'a30', url: up.url('/bad/dcgm') }] });
    for (let i = 1; i <= 3; i++) await exporter.runCycle(i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(one(s, 'tokenwatt_collector_up', { target: 'a30' })).toBe(1);
    expect(find(s, 'tokenwatt_gpu_info').map((x) => x.labels.gpu)).toEqual(['1']);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total', { gpu: '0' })).toEqual([]);
    const refused = lines.filter((l) => l.msg.includes('refused by the energy ledger check'));
    expect(refused).toHaveLength(1);
    expect(String(refused[0]!.fields?.error)).toContain('hold 5 compute');
  });
});

describe('what /metrics serves', () => {
  it('passes promtool check metrics (format and naming lint) after a dcgm + vLLM + SGLang run', async () => {
    const { spawnSync } = await import('node:child_process');
    let tokens = 16;
    up.text('/p/dcgm', () => advance(A30, { '0': (tokens - 16) * 1000 }));
    up.text('/p/vllm', () => TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${(tokens += 300)}`));
    up.text('/p/sglang', SGLANG);
    const { exporter } = exporterFrom({
      targets: [
        { kind: 'dcgm', url: up.url('/p/dcgm') },
        { kind: 'vllm', url: up.url('/p/vllm') },
        { kind: 'sglang', url: up.url('/p/sglang') },
        { kind: 'kepler', url: 'http://127.0.0.1:1/metrics' },
      ],
      placement: [
        { model: 'vllm_model', host: A30_HOST, gpu: '0', gpuInstanceId: '3' },
        { model: 'meta-llama/Llama-3.1-8B-Instruct', host: A30_HOST, gpu: '0', gpuInstanceId: '4' },
      ],
    });
    for (let i = 1; i <= 3; i++) await exporter.runCycle(i * 5000);
    const text = exporter.metrics.text;
    expect(find(seriesOf(text), 'tokenwatt_model_tokens_per_joule').length).toBeGreaterThan(0);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (r.error) throw new Error(`promtool not found: apt-get install -y prometheus (${r.error.message})`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('with the real NVML collector (replay)', () => {
  it('one tokenwatt_gpu_info per GPU, from the join, with the replay\'s own series beside it', async () => {
    const { createNvmlCollector } = await import('../src/collectors/nvml.ts');
    const trace = join(import.meta.dirname, 'fixtures', 'nvidia-h100', 'trace.csv');
    const { exporter } = exporterFrom({ host: 'h100-host', nvml: `replay:${trace}` }, createNvmlCollector);
    for (let i = 1; i <= 2; i++) await exporter.runCycle(i * 5000);
    const s = seriesOf(exporter.metrics.text);
    expect(find(s, 'tokenwatt_gpu_info')).toHaveLength(1);
    expect(find(s, 'tokenwatt_gpu_info')[0]!.labels).toMatchObject({ host: 'h100-host', gpu: '0', gpu_model: 'NVIDIA H100 80GB HBM3', energy_source: 'nvml' });
    expect(one(s, 'tokenwatt_collector_up', { collector: 'nvml', target: 'local' })).toBe(1);
    expect(one(s, 'tokenwatt_nvml_up', { backend: 'replay' })).toBe(1);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total')).toHaveLength(1);
  });
});

describe('MIG activity when NVML has no per-instance figure', () => {
  // Before Hopper NVML cannot say how busy each MIG instance is (no GPM): its slices come marked
  // activityUnknown. dcgm-exporter's DCGM_FI_PROF_GR_ENGINE_ACTIVE for the same instances decides the
  // active-energy split instead of slice size alone.
  const uuid = 'GPU-265c9814-6156-355b-e589-ff2064894f16';
  const slice = (id: string) => ({ gpuInstanceId: id, profile: '1g.6gb', computeSlices: 1, memorySlices: 1, activity: 0, activityUnknown: true as const });
  const active = (s: ReturnType<typeof seriesOf>, id: string) => one(s, 'tokenwatt_slice_energy_joules_total', { gpu: '0', gpu_instance_id: id, state: 'active' });

  async function run(dcgmActivity: boolean) {
    let mj = 126_272_101_025;
    const grActive = ['3', '4', '5', '6'].map((id) => `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="${uuid}",device="nvidia0",modelName="NVIDIA A30",GPU_I_PROFILE="1g.6gb",GPU_I_ID="${id}",Hostname="${A30_HOST}"} ${id === '3' ? 0.8 : 0}`).join('\n');
    const path = `/act/${String(dcgmActivity)}`;
    up.text(path, dcgmActivity ? `${A30}# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge\n${grActive}\n` : A30);
    const nvml = (): Collector => ({
      kind: 'nvml', name: 'nvml',
      async collect() {
        mj += 1_000_000; // 200 W over 5 s; the 60 W read at that instant (idle, learned) leaves 140 W active
        return { samples: [], boards: [{ host: A30_HOST, gpu: '0', uuid, model: 'NVIDIA A30', energyJoules: mj / 1000, powerWatts: 60, slices: ['3', '4', '5', '6'].map(slice) }] };
      },
    });
    const { exporter } = exporterFrom({ host: A30_HOST, targets: [{ kind: 'dcgm', url: up.url(path) }] }, nvml);
    for (let i = 1; i <= 4; i++) await exporter.runCycle(i * 5000);
    return seriesOf(exporter.metrics.text);
  }

  it('takes the instances\' activity from dcgm-exporter: the busy slice gets all the active energy', async () => {
    const s = await run(true);
    expect(find(s, 'tokenwatt_gpu_info', { gpu: '0' })[0]!.labels.energy_source).toBe('nvml');
    expect(active(s, '3')).toBeGreaterThan(0);
    for (const id of ['4', '5', '6']) expect(active(s, id)).toBe(0);
  });

  it('without dcgm activity, the active energy is shared by slice size (four equal 1g slices: equal shares)', async () => {
    const s = await run(false);
    const shares = ['3', '4', '5', '6'].map((id) => active(s, id));
    expect(shares[0]).toBeGreaterThan(0);
    for (const v of shares) expect(v).toBeCloseTo(shares[0]!, 6);
  });
});

describe('a tensor-parallel engine', () => {
  it('spans its GPUs: each carries an equal share of the tokens and its own energy; the model adds up whole', async () => {
    // The A30 fixture's GPU 1 and a copy of it as GPU 2 (same host), both whole for this test: one vLLM
    // engine placed on ["1", "2"]. GPU 1 draws 1,000 J and GPU 2 3,000 J per 5 s; 600 tokens per 5 s.
    const whole = (gpu: string, mj: number) => `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="${gpu}",UUID="GPU-tp-${gpu}",device="nvidia${gpu}",modelName="NVIDIA A30",Hostname="${A30_HOST}"} ${mj}`;
    let i = 0;
    up.text('/tp/dcgm', () => `# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n${whole('1', 1e9 + i * 1_000_000)}\n${whole('2', 2e9 + i * 3_000_000)}\n`);
    up.text('/tp/vllm', () => TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${16 + i * 600}`));
    const { exporter } = exporterFrom({
      targets: [{ kind: 'dcgm', url: up.url('/tp/dcgm') }, { kind: 'vllm', name: 'tp', url: up.url('/tp/vllm') }],
      placement: [{ url: up.url('/tp/vllm'), host: A30_HOST, gpu: ['1', '2'] }],
    });
    for (i = 0; i < 4; i++) await exporter.runCycle(5000 * (i + 1));
    const s = seriesOf(exporter.metrics.text);
    const tokens = find(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' });
    expect(tokens.map((t) => t.labels.gpu).sort()).toEqual(['1', '2']);
    for (const t of tokens) expect(t.value).toBeCloseTo(900, 9); // 3 intervals x 600 tokens / 2 GPUs
    // Each GPU's whole energy goes to the engine's share on it (it is the GPU's only engine).
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model', gpu: '1' })).toBeCloseTo(3000, 6);
    expect(one(s, 'tokenwatt_model_energy_joules_total', { model_name: 'vllm_model', gpu: '2' })).toBeCloseTo(9000, 6);
    // The model as a whole: 1,800 tokens for 12,000 J.
    const sum = (name: string) => find(s, name, { model_name: 'vllm_model' }).reduce((a, x) => a + x.value, 0);
    expect(sum('tokenwatt_model_generation_tokens_total') / sum('tokenwatt_model_energy_joules_total')).toBeCloseTo(0.15, 9);
  });
});
