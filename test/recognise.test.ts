// The four recognisers on real upstream scrapes (test/fixtures/thirdparty/) and on generated inputs
// for the cases those scrapes do not show. Every expected figure was read off the input text by hand;
// the line it comes from is quoted next to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../src/exposition/parse.ts';
import { recogniseDcgm } from '../src/recognise/dcgm.ts';
import { recogniseKepler } from '../src/recognise/kepler.ts';
import { parseMigProfile } from '../src/recognise/mig-profile.ts';
import { RecogniseError } from '../src/recognise/samples.ts';
import { recogniseSglang } from '../src/recognise/sglang.ts';
import { recogniseVllm } from '../src/recognise/vllm.ts';
import { thirdparty } from './support/thirdparty.ts';

const text = (s: string) => parseExposition(s, { format: 'text' });

describe('vLLM on real scrapes', () => {
  it('docs usage excerpt: one V0-labelled engine with no token counters served', () => {
    // vllm:iteration_tokens_total_sum{model_name="unsloth/Llama-3.2-1B-Instruct"} 0.0  (no `engine` label, no V1-only name)
    expect(recogniseVllm(thirdparty('vllm/sample1_vllm_docs_usage_metrics.prom'))).toEqual({
      engines: [{
        model: 'unsloth/Llama-3.2-1B-Instruct', engine: '0', generation: 'v0',
        promptTokens: 0, generationTokens: 0, missing: ['promptTokens', 'generationTokens'],
      }],
    });
  });

  it('docs design example: generation tokens and running requests', () => {
    // vllm:generation_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 27453.0
    // vllm:num_requests_running{model_name="meta-llama/Llama-3.1-8B-Instruct"} 8.0
    expect(recogniseVllm(thirdparty('vllm/sample2_vllm_docs_design_metrics_example.prom'))).toEqual({
      engines: [{
        model: 'meta-llama/Llama-3.1-8B-Instruct', engine: '0', generation: 'v0',
        promptTokens: 0, generationTokens: 27453, running: 8, missing: ['promptTokens'],
      }],
    });
  });

  it("Triton's vLLM backend: model from the `model` label, old TPOT name means v0", () => {
    // vllm:prompt_tokens_total{model="vllm_model",version="1"} 10
    // vllm:generation_tokens_total{model="vllm_model",version="1"} 16
    expect(recogniseVllm(thirdparty('vllm/sample5_triton_vllm_backend_readme.prom'))).toEqual({
      engines: [{ model: 'vllm_model', engine: '0', generation: 'v0', promptTokens: 10, generationTokens: 16 }],
    });
  });
});

describe('vLLM on generated scrapes', () => {
  it('takes the new name where old and new are served side by side, the old one where only it is', () => {
    const view = recogniseVllm(text([
      '# TYPE vllm:kv_cache_usage_perc gauge',
      'vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25',
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      'vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.5',
      'vllm:gpu_cache_usage_perc{engine="1",model_name="m"} 0.75',
      '# TYPE vllm:prompt_tokens_total counter',
      'vllm:prompt_tokens_total{engine="0",model_name="m"} 100.0',
      'vllm:prompt_tokens_total{engine="1",model_name="m"} 40.0',
      '# TYPE vllm:generation_tokens_total counter',
      'vllm:generation_tokens_total{engine="0",model_name="m"} 7.0',
      'vllm:generation_tokens_total{engine="1",model_name="m"} 3.0',
      '',
    ].join('\n')));
    expect(view.engines).toEqual([
      // engine 0: kv_cache_usage_perc 0.25 wins over gpu_cache_usage_perc 0.5
      { model: 'm', engine: '0', generation: 'v1', promptTokens: 100, generationTokens: 7, kvCacheUsage: 0.25 },
      // engine 1 serves only the old name: 0.75
      { model: 'm', engine: '1', generation: 'v1', promptTokens: 40, generationTokens: 3, kvCacheUsage: 0.75 },
    ]);
  });

  it('a V0-only scrape: no engine label, old names, generation v0, engine "0"', () => {
    const view = recogniseVllm(text([
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      'vllm:gpu_cache_usage_perc{model_name="old"} 0.125',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting{model_name="old"} 3.0',
      '# TYPE vllm:prompt_tokens_total counter',
      'vllm:prompt_tokens_total{model_name="old"} 11.0',
      '# TYPE vllm:generation_tokens_total counter',
      'vllm:generation_tokens_total{model_name="old"} 22.0',
      '',
    ].join('\n')));
    expect(view.engines).toEqual([
      { model: 'old', engine: '0', generation: 'v0', promptTokens: 11, generationTokens: 22, kvCacheUsage: 0.125, waiting: 3 },
    ]);
  });

  it('a V1-only name without an engine label still means v1', () => {
    const view = recogniseVllm(text('# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{model_name="m"} 0.5\n'));
    expect(view.engines[0]).toMatchObject({ engine: '0', generation: 'v1', kvCacheUsage: 0.5 });
  });

  it('an engine seen only in a histogram is found from its _count (buckets are not walked); a bucket-only series still counts', () => {
    const view = recogniseVllm(text([
      '# TYPE vllm:time_to_first_token_seconds histogram',
      'vllm:time_to_first_token_seconds_bucket{engine="3",model_name="m",le="0.1"} 1',
      'vllm:time_to_first_token_seconds_bucket{engine="3",model_name="m",le="+Inf"} 2',
      'vllm:time_to_first_token_seconds_sum{engine="3",model_name="m"} 0.3',
      'vllm:time_to_first_token_seconds_count{engine="3",model_name="m"} 2',
      // Malformed (no _count): its buckets are the only place the engine shows, so they are read.
      '# TYPE vllm:e2e_request_latency_seconds histogram',
      'vllm:e2e_request_latency_seconds_bucket{engine="4",model_name="m",le="+Inf"} 1',
      '',
    ].join('\n')));
    expect(view.engines.map((e) => [e.engine, e.generation, e.missing])).toEqual([
      ['3', 'v1', ['promptTokens', 'generationTokens']],
      ['4', 'v1', ['promptTokens', 'generationTokens']],
    ]);
  });

  it('reads OpenMetrics the same (counter family without _total, samples with it)', () => {
    const view = recogniseVllm(parseExposition([
      '# TYPE vllm:prompt_tokens counter',
      'vllm:prompt_tokens_total{engine="0",model_name="m"} 5.0',
      'vllm:prompt_tokens_created{engine="0",model_name="m"} 1.7e9',
      '# TYPE vllm:generation_tokens counter',
      'vllm:generation_tokens_total{engine="0",model_name="m"} 6.0',
      '# EOF',
      '',
    ].join('\n'), { format: 'openmetrics' }));
    expect(view.engines).toEqual([{ model: 'm', engine: '0', generation: 'v1', promptTokens: 5, generationTokens: 6 }]);
  });

  it('LoRA adapters from the newest vllm:lora_requests_info series (its value is a timestamp)', () => {
    const view = recogniseVllm(text([
      '# TYPE vllm:lora_requests_info gauge',
      'vllm:lora_requests_info{max_lora="4",running_lora_adapters="sql",waiting_lora_adapters=""} 1.7e9',
      'vllm:lora_requests_info{max_lora="4",running_lora_adapters="sql,chat",waiting_lora_adapters="math"} 1.8e9',
      '# TYPE vllm:prompt_tokens_total counter',
      'vllm:prompt_tokens_total{engine="0",model_name="base"} 1.0',
      '',
    ].join('\n')));
    // the 1.8e9 series is newer: running sql,chat + waiting math, sorted
    expect(view.engines[0]!.loraAdapters).toEqual(['chat', 'math', 'sql']);
  });
});

describe('SGLang', () => {
  it('docs production example: tokens, usage, queue', () => {
    // sglang:prompt_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 8.128902e+06
    // sglang:generation_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.557572e+06
    // sglang:token_usage{...} 0.28   sglang:num_running_reqs{...} 162.0   sglang:num_queue_reqs{...} 2826.0
    expect(recogniseSglang(thirdparty('sglang/sglang_docs_production_metrics_example.prom'))).toEqual({
      engines: [{
        model: 'meta-llama/Llama-3.1-8B-Instruct', engine: '0', generation: 'v1',
        promptTokens: 8128902, generationTokens: 7557572, kvCacheUsage: 0.28, running: 162, waiting: 2826,
      }],
    });
  });

  it('engine_type makes engines; tp/pp ranks are shards of one engine, not added up', () => {
    const view = recogniseSglang(text([
      '# TYPE sglang:num_running_reqs gauge',
      'sglang:num_running_reqs{engine_type="decode",model_name="m",pp_rank="0",tp_rank="0"} 4.0',
      'sglang:num_running_reqs{engine_type="decode",model_name="m",pp_rank="0",tp_rank="1"} 4.0',
      'sglang:num_running_reqs{engine_type="prefill",model_name="m",pp_rank="0",tp_rank="0"} 2.0',
      '# TYPE sglang:generation_tokens_total counter',
      'sglang:generation_tokens_total{engine_type="decode",model_name="m",pp_rank="0",tp_rank="0"} 900.0',
      'sglang:generation_tokens_total{engine_type="decode",model_name="m",pp_rank="0",tp_rank="1"} 900.0',
      '',
    ].join('\n')));
    expect(view.engines).toEqual([
      // two tp ranks report 4 running and 900 tokens each: one engine with 4 and 900
      { model: 'm', engine: 'decode', generation: 'v1', promptTokens: 0, generationTokens: 900, running: 4, missing: ['promptTokens'] },
      { model: 'm', engine: 'prefill', generation: 'v1', promptTokens: 0, generationTokens: 0, running: 2, missing: ['promptTokens', 'generationTokens'] },
    ]);
  });
});

describe('dcgm-exporter on real scrapes', () => {
  it('L4 full scrape: energy mJ → J, power, no MIG', () => {
    // DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",...} 4742776  → 4742.776 J
    // DCGM_FI_DEV_POWER_USAGE{gpu="0",...} 16.365000
    // DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",...} 0.000000
    expect(recogniseDcgm(thirdparty('dcgm/sample1_l4_kops_full_scrape.prom'))).toEqual({
      gpus: [{
        host: 'i-030791dc5a37cd257', gpu: '0', uuid: 'GPU-c2f76b33-7953-256e-8f33-1343419b1a1c', model: 'NVIDIA L4',
        energyJoules: 4742.776, powerWatts: 16.365, grEngineActive: 0, migInstances: [],
      }],
    });
  });

  it("NVIDIA's A100 MIG sample: one 1g.5gb instance, no modelName label", () => {
    // DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",...,Hostname="ub20-a100-k8s"} 319159391 → 319159.391 J
    // DCGM_FI_DEV_POWER_USAGE{...} 409.692000; whole-GPU GR_ENGINE_ACTIVE 0.995630
    // DCGM_FI_PROF_GR_ENGINE_ACTIVE{...,GPU_I_PROFILE="1g.5gb",GPU_I_ID="13",...} 0.995687
    // 1g.5gb exists only on the A100-40GB: 1 compute, 1 memory slice
    expect(recogniseDcgm(thirdparty('dcgm/sample3_a100_mig_official_docs.prom'))).toEqual({
      gpus: [{
        host: 'ub20-a100-k8s', gpu: '0', uuid: 'GPU-34319582-d595-d1c7-d1d2-179bcfa61660', model: '',
        energyJoules: 319159.391, powerWatts: 409.692, grEngineActive: 0.99563,
        migInstances: [{ gpuInstanceId: '13', profile: '1g.5gb', computeSlices: 1, memorySlices: 1, grEngineActive: 0.995687 }],
      }],
    });
  });

  it('A30 MIG (#317) power: repeated on instances, read once (max), never summed', () => {
    // gpu 0: 52.636000 (I_ID 3), 52.636000 (4), 52.746000 (5), 52.746000 (6) → 52.746, not 210.764
    // gpu 1: 56.121000 (3), 56.127000 (4) → 56.127
    const view = recogniseDcgm(thirdparty('dcgm/sample4_a30_mig_issue317_power.prom'));
    expect(view.gpus.map((g) => [g.gpu, g.powerWatts, g.energyJoules])).toEqual([['0', 52.746, undefined], ['1', 56.127, undefined]]);
    const slice = { profile: '1g.6gb', computeSlices: 1, memorySlices: 1 };
    expect(view.gpus[0]!.migInstances).toEqual(['3', '4', '5', '6'].map((id) => ({ gpuInstanceId: id, ...slice })));
    expect(view.gpus[1]!.migInstances).toEqual(['3', '4'].map((id) => ({ gpuInstanceId: id, ...slice })));
    // An A30 splits into 4 compute and 4 memory slices
    expect(view.gpus[0]!.migGeometry).toEqual({ computeSlices: 4, memorySlices: 4 });
  });

  it('A30 MIG (#317) energy: counted once per GPU', () => {
    // gpu 0: 126272101025 (I_ID 3, 4, 6) and 126272106318 (5) → max 126272106318 mJ = 126272106.318 J
    // gpu 1: 134473486744 mJ = 134473486.744 J
    const view = recogniseDcgm(thirdparty('dcgm/sample5_a30_mig_issue317_energy.prom'));
    expect(view.gpus).toHaveLength(2);
    expect(view.gpus[0]!.energyJoules).toBeCloseTo(126272106.318, 3);
    expect(view.gpus[1]!.energyJoules).toBeCloseTo(134473486.744, 3);
    expect(view.gpus.map((g) => g.powerWatts)).toEqual([undefined, undefined]);
  });
});

const dcgmLine = (name: string, labels: Record<string, string>, value: number) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} ${value}`;

describe('dcgm-exporter on generated scrapes', () => {
  it('A30 with 4 MIG instances repeating board energy: counted once; per-instance activity and pods', () => {
    const base = { gpu: '0', UUID: 'GPU-a30', device: 'nvidia0', modelName: 'NVIDIA A30', Hostname: 'node-a' };
    const instances = [
      { GPU_I_ID: '1', GPU_I_PROFILE: '1g.6gb', pod: 'llama-0', namespace: 'llm', container: 'vllm', act: 0.5 },
      { GPU_I_ID: '2', GPU_I_PROFILE: '1g.6gb', pod: '', namespace: '', container: '', act: 0 },
      { GPU_I_ID: '3', GPU_I_PROFILE: '1g.6gb', pod: 'qwen-0', namespace: 'llm', container: 'vllm', act: 0.25 },
      { GPU_I_ID: '4', GPU_I_PROFILE: '1g.6gb+me', pod: '', namespace: '', container: '', act: 0.125 },
    ];
    const lines = ['# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter'];
    for (const { act, ...l } of instances) lines.push(dcgmLine('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { ...base, ...l }, 5000000));
    lines.push('# TYPE DCGM_FI_DEV_POWER_USAGE gauge');
    for (const { act, ...l } of instances) lines.push(dcgmLine('DCGM_FI_DEV_POWER_USAGE', { ...base, ...l }, 90.5));
    lines.push('# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge');
    for (const { act, ...l } of instances) lines.push(dcgmLine('DCGM_FI_PROF_GR_ENGINE_ACTIVE', { ...base, ...l }, act));
    const view = recogniseDcgm(text(`${lines.join('\n')}\n`));
    expect(view.gpus).toHaveLength(1);
    const gpu = view.gpus[0]!;
    // 5000000 mJ on each of 4 instances is one board's 5000 J, not 20000 J; 90.5 W likewise
    expect(gpu.energyJoules).toBe(5000);
    expect(gpu.powerWatts).toBe(90.5);
    expect(gpu.migInstances).toEqual([
      { gpuInstanceId: '1', profile: '1g.6gb', computeSlices: 1, memorySlices: 1, grEngineActive: 0.5, pod: { namespace: 'llm', pod: 'llama-0', container: 'vllm' } },
      { gpuInstanceId: '2', profile: '1g.6gb', computeSlices: 1, memorySlices: 1, grEngineActive: 0 },
      { gpuInstanceId: '3', profile: '1g.6gb', computeSlices: 1, memorySlices: 1, grEngineActive: 0.25, pod: { namespace: 'llm', pod: 'qwen-0', container: 'vllm' } },
      { gpuInstanceId: '4', profile: '1g.6gb+me', computeSlices: 1, memorySlices: 1, grEngineActive: 0.125 },
    ]);
  });

  it('redacted identical UUIDs on two GPUs stay two GPUs (host + index + UUID)', () => {
    const l = { UUID: 'GPU-REDACTED', Hostname: 'h' };
    const view = recogniseDcgm(text([
      '# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter',
      dcgmLine('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '0', ...l }, 1000),
      dcgmLine('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '1', ...l }, 3000),
      '',
    ].join('\n')));
    expect(view.gpus.map((g) => [g.gpu, g.uuid, g.energyJoules])).toEqual([['0', 'GPU-REDACTED', 1], ['1', 'GPU-REDACTED', 3]]);
  });

  it('host from Hostname (releases) or hostname (main): both spellings name the same host', () => {
    const view = recogniseDcgm(text([
      '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
      dcgmLine('DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: 'GPU-x', Hostname: 'n1' }, 100),
      dcgmLine('DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: 'GPU-y', hostname: 'n2' }, 200),
      '# TYPE DCGM_FI_DEV_GPU_TEMP gauge',
      dcgmLine('DCGM_FI_DEV_GPU_TEMP', { gpu: '0', UUID: 'GPU-x', hostname: 'n1' }, 50),
      '',
    ].join('\n')));
    expect(view.gpus.map((g) => [g.host, g.uuid, g.powerWatts])).toEqual([['n1', 'GPU-x', 100], ['n2', 'GPU-y', 200]]);
  });

  it('A100-40GB geometry: 7 compute / 8 memory slices, 1g.10gb takes 2 memory slices', () => {
    const base = { gpu: '0', UUID: 'GPU-a100', modelName: 'NVIDIA A100-SXM4-40GB', Hostname: 'h' };
    const profiles = [['1', '3g.20gb'], ['2', '2g.10gb'], ['3', '1g.10gb'], ['4', '1g.5gb']];
    const view = recogniseDcgm(text(['# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge',
      ...profiles.map(([id, p]) => dcgmLine('DCGM_FI_PROF_GR_ENGINE_ACTIVE', { ...base, GPU_I_ID: id!, GPU_I_PROFILE: p! }, 0)), ''].join('\n')));
    const gpu = view.gpus[0]!;
    expect(gpu.migGeometry).toEqual({ computeSlices: 7, memorySlices: 8 });
    // domain notes §6: 3g.20gb (3,4), 2g.10gb (2,2), 1g.10gb (1,2), 1g.5gb (1,1) (a check of each name,
    // not a valid placement: these memory slices add up to 9 of 8)
    expect(gpu.migInstances.map((i) => [i.profile, i.computeSlices, i.memorySlices]))
      .toEqual([['3g.20gb', 3, 4], ['2g.10gb', 2, 2], ['1g.10gb', 1, 2], ['1g.5gb', 1, 1]]);
    // energy and power unsupported here: absent, not 0
    expect('energyJoules' in gpu || 'powerWatts' in gpu).toBe(false);
  });

  it('rejects a GPU_I_PROFILE that is not a MIG profile name, naming the field', () => {
    const bad = text(`${dcgmLine('DCGM_FI_PROF_GR_ENGINE_ACTIVE', { gpu: '0', UUID: 'u', Hostname: 'h', GPU_I_ID: '1', GPU_I_PROFILE: 'half' }, 0)}\n`);
    expect(() => recogniseDcgm(bad)).toThrow(RecogniseError);
    expect(() => recogniseDcgm(bad)).toThrow(/GPU_I_PROFILE 'half' of GPU_I_ID 1 on gpu 0 of host 'h'/);
  });
});

describe('dcgm board series under MIG, for any number and order of instances', () => {
  it('energy and power are one board value however many instances repeat it', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 700 }), fc.integer(),
      (n, mJ, watts, seed) => {
        const lines = Array.from({ length: n }, (_, i) => [
          dcgmLine('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '0', UUID: 'u', Hostname: 'h', GPU_I_ID: String(i + 1), GPU_I_PROFILE: '1g.10gb', modelName: 'NVIDIA H100 80GB HBM3' }, mJ),
          dcgmLine('DCGM_FI_DEV_POWER_USAGE', { gpu: '0', UUID: 'u', Hostname: 'h', GPU_I_ID: String(i + 1), GPU_I_PROFILE: '1g.10gb', modelName: 'NVIDIA H100 80GB HBM3' }, watts),
        ]).flat();
        // shuffle deterministically from the seed (untyped series may come in any order)
        const shuffled = lines.map((l, i) => [((i + 1) * (seed | 1)) >>> 0, l] as const).sort((a, b) => a[0] - b[0]).map(([, l]) => l);
        const [gpu] = recogniseDcgm(text(`${shuffled.join('\n')}\n`)).gpus;
        expect(gpu!.energyJoules).toBe(mJ / 1000);
        expect(gpu!.powerWatts).toBe(watts);
        expect(gpu!.migInstances.map((i) => i.gpuInstanceId)).toEqual(Array.from({ length: n }, (_, i) => String(i + 1)));
      },
    ), { numRuns: 50 });
  });
});

describe('MIG profile names', () => {
  it('memory slices per GPU model (domain notes §6)', () => {
    expect(parseMigProfile('1g.10gb', 'NVIDIA A100-SXM4-40GB')).toEqual({ computeSlices: 1, memorySlices: 2 });
    expect(parseMigProfile('1g.10gb', 'NVIDIA A100-SXM4-80GB')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseMigProfile('1g.20gb', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 1, memorySlices: 2 });
    expect(parseMigProfile('7g.80gb', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 7, memorySlices: 8 });
    expect(parseMigProfile('3g.71gb', 'NVIDIA H200')).toEqual({ computeSlices: 3, memorySlices: 4 });
    expect(parseMigProfile('4g.24gb', 'NVIDIA A30')).toEqual({ computeSlices: 4, memorySlices: 4 });
    expect(parseMigProfile('1g.10gb+me', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 1, memorySlices: 1 });
  });

  it('names outside the tables: proportional share snapped to 1/2/4/8; unknown model', () => {
    // H100 "7g.79gb": 79 / (80/8) = 7.9 → 8
    expect(parseMigProfile('7g.79gb', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 7, memorySlices: 8 });
    // an H100 NVL 94 GB read with the 80 GB table: 3g.47gb → 4.7 → 4 (not 5: memory slices are 1, 2, 4, 8)
    expect(parseMigProfile('3g.47gb', 'NVIDIA H100 NVL')).toEqual({ computeSlices: 3, memorySlices: 4 });
    // no modelName: 1g.5gb is only in the A100-40GB table → 1; 1g.10gb is 2 there but 1 elsewhere → base profile 1
    expect(parseMigProfile('1g.5gb')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseMigProfile('1g.10gb')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseMigProfile('3g.40gb')).toEqual({ computeSlices: 3, memorySlices: 4 });
    // GH200 is not an H200: no table, so the model-less rules (1g.12gb is no table's name → base 1g → 1)
    expect(parseMigProfile('1g.12gb', 'NVIDIA GH200 480GB')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseMigProfile('MIG 3g')).toBeUndefined();
  });
});

describe('Kepler on real scrapes', () => {
  it('legacy #707: container series summed per pod; no node series', () => {
    // kepler_container_joules_total{...,container_name="aws-vpc-cni-init",...,pod_name="aws-node-qrj7v"} 0
    // kepler_container_joules_total{...,container_name="aws-node",...,pod_name="aws-node-qrj7v"} 0
    // coredns-8fd4db68f-6r666 0; kepler-bb5n2 (namespace kepler) 0
    const view = recogniseKepler(thirdparty('kepler/sample_legacy_issue707_container_joules_total.prom'));
    expect(view.generation).toBe('legacy');
    expect(view.nodes).toEqual([]);
    expect(view.pods.map((p) => [p.namespace, p.pod, p.joules])).toEqual([
      ['kepler', 'kepler-bb5n2', 0], ['kube-system', 'aws-node-qrj7v', 0], ['kube-system', 'coredns-8fd4db68f-6r666', 0],
    ]);
  });

  it('legacy v0.7 #1349: GPU component series only (source="dummy")', () => {
    // kepler_container_gpu_joules_total{...,container_namespace="system",mode="dynamic",pod_name="system_processes",source="dummy"} 0
    const view = recogniseKepler(thirdparty('kepler/sample_legacy_v0.7_issue1349_container_gpu_joules_total.prom'));
    expect(view).toMatchObject({ generation: 'legacy', nodes: [] });
    expect(view.pods).toEqual([
      { namespace: 'kernel', pod: 'kernel_processes', joules: 0, joulesByZone: { gpu: 0 } },
      { namespace: 'system', pod: 'system_processes', joules: 0, joulesByZone: { gpu: 0 } },
    ]);
  });

  it('rewrite branch (PR #2037): zone list only, recognised as the rewrite, no energy', () => {
    // kepler_node_energy_zone{index="0",name="core",path="/sys/class/powercap/intel-rapl:0:0"} 1
    expect(recogniseKepler(thirdparty('kepler/sample_rewrite_pr2037_node_energy_zone.prom')))
      .toEqual({ generation: 'rewrite', nodes: [], pods: [] });
  });
});

describe('Kepler on generated scrapes', () => {
  it('rewrite: zones reported apart (never summed), sockets within a zone added, pods running+terminated', () => {
    const view = recogniseKepler(text([
      '# TYPE kepler_node_cpu_joules_total counter',
      'kepler_node_cpu_joules_total{node_name="n1",path="/sys/class/powercap/intel-rapl:0",zone="package"} 100',
      'kepler_node_cpu_joules_total{node_name="n1",path="/sys/class/powercap/intel-rapl:1",zone="package"} 50',
      'kepler_node_cpu_joules_total{node_name="n1",path="/sys/class/powercap/intel-rapl:0:0",zone="core"} 60',
      'kepler_node_cpu_joules_total{node_name="n1",path="/sys/class/powercap/intel-rapl:0:1",zone="dram"} 20',
      'kepler_node_cpu_joules_total{node_name="n1",path="/sys/class/powercap/intel-rapl:2",zone="psys"} 300',
      '# TYPE kepler_pod_cpu_joules_total counter',
      'kepler_pod_cpu_joules_total{node_name="n1",pod_id="a",pod_name="vllm-0",pod_namespace="llm",state="running",zone="package"} 5',
      'kepler_pod_cpu_joules_total{node_name="n1",pod_id="a",pod_name="vllm-0",pod_namespace="llm",state="terminated",zone="package"} 3',
      'kepler_pod_cpu_joules_total{node_name="n1",pod_id="a",pod_name="vllm-0",pod_namespace="llm",state="running",zone="dram"} 1',
      'kepler_pod_cpu_joules_total{node_name="n1",pod_id="b",pod_name="batch",pod_namespace="jobs",state="terminated",zone="psys"} 9',
      '',
    ].join('\n')));
    expect(view.generation).toBe('rewrite');
    // package 100 + 50 (two sockets), core 60, dram 20, psys 300: no 530 anywhere
    expect(view.nodes).toEqual([{ node: 'n1', joulesByZone: { package: 150, core: 60, dram: 20, psys: 300 } }]);
    expect(view.pods).toEqual([
      // only psys served for this pod → joules from psys: 9
      { namespace: 'jobs', pod: 'batch', joules: 9, zone: 'psys', joulesByZone: { psys: 9 } },
      // package running 5 + terminated 3 = 8; dram 1 reported apart
      { namespace: 'llm', pod: 'vllm-0', joules: 8, zone: 'package', joulesByZone: { package: 8, dram: 1 } },
    ]);
  });

  it('legacy: node zones are package/core/dram series, modes dynamic+idle added, zones not', () => {
    const view = recogniseKepler(text([
      '# TYPE kepler_node_package_joules_total counter',
      'kepler_node_package_joules_total{instance="w1",mode="dynamic",source="rapl-sysfs"} 30',
      'kepler_node_package_joules_total{instance="w1",mode="idle",source="rapl-sysfs"} 70',
      '# TYPE kepler_node_core_joules_total counter',
      'kepler_node_core_joules_total{instance="w1",mode="dynamic",source="rapl-sysfs"} 20',
      'kepler_node_core_joules_total{instance="w1",mode="idle",source="rapl-sysfs"} 40',
      '# TYPE kepler_node_platform_joules_total counter',
      'kepler_node_platform_joules_total{instance="w1",mode="dynamic",source="acpi"} 150',
      '# TYPE kepler_container_joules_total counter',
      'kepler_container_joules_total{container_id="1",container_name="vllm",container_namespace="llm",mode="dynamic",pod_name="vllm-0"} 12',
      'kepler_container_joules_total{container_id="1",container_name="vllm",container_namespace="llm",mode="idle",pod_name="vllm-0"} 4',
      'kepler_container_joules_total{container_id="2",container_name="sidecar",container_namespace="llm",mode="dynamic",pod_name="vllm-0"} 2',
      '# TYPE kepler_container_package_joules_total counter',
      'kepler_container_package_joules_total{container_id="3",container_name="c",container_namespace="ns",mode="dynamic",pod_name="p"} 6',
      '# TYPE kepler_container_core_joules_total counter',
      'kepler_container_core_joules_total{container_id="3",container_name="c",container_namespace="ns",mode="dynamic",pod_name="p"} 5',
      '# TYPE kepler_container_dram_joules_total counter',
      'kepler_container_dram_joules_total{container_id="3",container_name="c",container_namespace="ns",mode="dynamic",pod_name="p"} 1',
      '',
    ].join('\n')));
    expect(view.generation).toBe('legacy');
    // package 30+70 = 100, core 20+40 = 60, platform 150
    expect(view.nodes).toEqual([{ node: 'w1', joulesByZone: { package: 100, core: 60, platform: 150 } }]);
    expect(view.pods).toEqual([
      // vllm-0: total series 12 + 4 (modes) + 2 (second container) = 18
      { namespace: 'llm', pod: 'vllm-0', joules: 18, joulesByZone: {} },
      // p: no total series: package 6 + dram 1 = 7 (core is inside package, not added)
      { namespace: 'ns', pod: 'p', joules: 7, joulesByZone: { package: 6, core: 5, dram: 1 } },
    ]);
  });

  it('rejects a scrape with no Kepler series', () => {
    expect(() => recogniseKepler(text('# TYPE up gauge\nup 1\n'))).toThrow(/no Kepler series found/);
  });
});
