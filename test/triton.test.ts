// NVIDIA Triton as an upstream kind (src/kinds/triton/): tokens only where a backend counts them (the
// vLLM backend's series with Triton's model/version labels, real README output), core-only models
// listed without tokens (never a 0 counted as real), `model` copied into model_name at ingest, and a
// vLLM-backend model's tokens/J through the exporter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../src/exposition/parse.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { prometheusYml } from '../src/build/prometheus/index.ts';
import { recognisers } from '../src/recognise/index.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';

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
