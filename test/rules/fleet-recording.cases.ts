// promtool cases for the recording rules the dashboards read at fleet scale (rules/gpu-board.ts,
// gpu-rates.ts, gpu-instance.ts, tokenwatt-fleet.ts, serving-vllm.ts, serving-sglang.ts and the
// bucket rates of serving-latency.ts). One sample per minute, so a 5m rate is the exact slope;
// each expected value is worked out in the comment next to its input. dcgm-exporter series carry
// `host` as Prometheus stores them after ingest (metric_relabel_configs copy Hostname into host).
import { DCGM_BOARD_COUNTERS, DCGM_BOARD_GAUGES, DCGM_INSTANCE_GAUGES, RECORDED_QUANTILES, SERVING_HISTOGRAMS, bucketRateName, quantileName } from '../../src/catalog/recording.ts';
import { series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

const dcgm = (gpu: string, extra: Record<string, string> = {}) => ({
  job: 'dcgm-exporter', cluster: 'c1', Hostname: 'h1', host: 'h1', gpu, UUID: `GPU-${gpu}`, modelName: 'NVIDIA A100-SXM4-40GB', ...extra,
});
/** GPU 0 split into two MIG instances, each repeating the board's values. */
const mig = [dcgm('0', { GPU_I_ID: '1', GPU_I_PROFILE: '3g.20gb' }), dcgm('0', { GPU_I_ID: '2', GPU_I_PROFILE: '2g.10gb' })];
const BOARD0 = '{UUID="GPU-0", cluster="c1", gpu="0", host="h1"}';
const BOARD1 = '{UUID="GPU-1", cluster="c1", gpu="1", host="h1"}';
const at10m = (expr: string, samples: [string, number][]): ExprTest => ({
  expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: samples.map(([labels, value]) => ({ labels, value })),
});

const GPU = { job: 'tokenwatt', instance: 'tw:9464', cluster: 'c1', host: 'h1', gpu: '1', gpu_uuid: 'GPU-1', gpu_model: 'A100' };
const SLICE1 = { ...GPU, gpu_instance_id: '1', gpu_profile: '3g.20gb' };
const SLICE2 = { ...GPU, gpu_instance_id: '2', gpu_profile: '2g.10gb' };
const TW_GPU = '{cluster="c1", gpu="1", gpu_model="A100", gpu_uuid="GPU-1", host="h1"}';
const TW_SLICE1 = 'cluster="c1", gpu="1", gpu_instance_id="1", gpu_profile="3g.20gb", host="h1"';
const engine = (slice: Record<string, string>, model: string) => ({ ...slice, namespace: 'llm', pod: `${model}-0`, model_name: model, engine: 'vllm' });

const vllm = (engineId: string, model = 'llama-7b') => ({ job: 'vllm', instance: `h1:800${engineId}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: model, engine: engineId });
const sglang = (rank: string) => ({ job: 'sglang', instance: `h1:3000${rank}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'qwen', engine_type: 'unified', tp_rank: rank, pp_rank: '0' });
/** Engine 1 of llama-7b on a second host. */
const vllmH2 = (engineId: string) => ({ ...vllm(engineId), instance: `h2:800${engineId}`, host: 'h2' });
const MODEL = (m: string) => `{cluster="c1", model_name="${m}", namespace="llm"}`;

export const fleetRecordingCases: TestGroup[] = [
  {
    input_series: [
      // Every board gauge: 60 on both MIG instances of GPU 0 (one series, 60, not two), 50 on GPU 1.
      ...DCGM_BOARD_GAUGES.flatMap((f) => [...mig.map((l) => ({ series: series(f, l), values: '60x20' })), { series: series(f, dcgm('1')), values: '50x20' }]),
      // The last XID with its code and message, repeated on both instances: one series per board, without them.
      ...mig.map((l) => ({ series: series('DCGM_FI_DEV_XID_ERRORS', { ...l, err_code: '79', err_msg: 'GPU has fallen off the bus' }), values: '79x20' })),
      // Every board counter: +600 per minute on each instance of GPU 0 = 10/s once (not 20); +1200/min on GPU 1 = 20/s.
      ...DCGM_BOARD_COUNTERS.flatMap((f) => [...mig.map((l) => ({ series: series(f, l), values: '0+600x20' })), { series: series(f, dcgm('1')), values: '0+1200x20' }]),
      // Per-instance fields: 0.5 on instance 1, 0.25 on instance 2, kept apart.
      ...DCGM_INSTANCE_GAUGES.flatMap((f) => mig.map((l, i) => ({ series: series(f, l), values: `${i === 0 ? 0.5 : 0.25}x20` }))),
    ],
    promql_expr_test: [
      ...DCGM_BOARD_GAUGES.map((f) => at10m(`gpu:${f}:max`, [[BOARD0, 60], [BOARD1, 50]])),
      at10m('gpu:DCGM_FI_DEV_XID_ERRORS:max', [[BOARD0, 79]]),
      ...DCGM_BOARD_COUNTERS.map((f) => at10m(`gpu:${f}:rate5m`, [[BOARD0, 10], [BOARD1, 20]])),
      ...DCGM_INSTANCE_GAUGES.map((f) => at10m(`gpu_instance:${f}:max`, [
        ['{GPU_I_ID="1", GPU_I_PROFILE="3g.20gb", UUID="GPU-0", cluster="c1", gpu="0", host="h1"}', 0.5],
        ['{GPU_I_ID="2", GPU_I_PROFILE="2g.10gb", UUID="GPU-0", cluster="c1", gpu="0", host="h1"}', 0.25],
      ])),
      // Framebuffer used = free on each instance (0.5 and 0.5, 0.25 and 0.25): half full, per instance.
      at10m('gpu_instance:framebuffer_used:ratio', [
        ['{GPU_I_ID="1", GPU_I_PROFILE="3g.20gb", UUID="GPU-0", cluster="c1", gpu="0", host="h1"}', 0.5],
        ['{GPU_I_ID="2", GPU_I_PROFILE="2g.10gb", UUID="GPU-0", cluster="c1", gpu="0", host="h1"}', 0.5],
      ]),
    ],
  },
  {
    input_series: [
      // GPU cost: capacity +0.6/min = 0.01/s, energy +0.12/min = 0.002/s.
      { series: series('tokenwatt_gpu_cost_total', { ...GPU, component: 'capacity', currency: 'USD' }), values: '0+0.6x20' },
      { series: series('tokenwatt_gpu_cost_total', { ...GPU, component: 'energy', currency: 'USD' }), values: '0+0.12x20' },
      // +60 g/min = 1 g/s; unallocated +6000 J/min = 100 W and +0.06/min = 0.001/s.
      { series: series('tokenwatt_gpu_co2e_grams_total', GPU), values: '0+60x20' },
      { series: series('tokenwatt_unallocated_energy_joules_total', GPU), values: '0+6000x20' },
      { series: series('tokenwatt_unallocated_cost_total', { ...GPU, currency: 'USD' }), values: '0+0.06x20' },
      // Slice 1 idle +3000 J/min = 50 W, slice 2 active +12000 J/min = 200 W.
      { series: series('tokenwatt_slice_energy_joules_total', { ...SLICE1, state: 'idle' }), values: '0+3000x20' },
      { series: series('tokenwatt_slice_energy_joules_total', { ...SLICE2, state: 'active' }), values: '0+12000x20' },
      // Slice 1 cost: capacity +0.3/min + energy +0.06/min = 0.006/s; idle +0.12/min = 0.002/s.
      { series: series('tokenwatt_slice_cost_total', { ...SLICE1, component: 'capacity', currency: 'USD' }), values: '0+0.3x20' },
      { series: series('tokenwatt_slice_cost_total', { ...SLICE1, component: 'energy', currency: 'USD' }), values: '0+0.06x20' },
      { series: series('tokenwatt_idle_cost_total', { ...SLICE1, currency: 'USD' }), values: '0+0.12x20' },
      // Two models on slice 1: +6000 and +3000 tokens/min = 150 tokens/s on the slice.
      { series: series('tokenwatt_model_generation_tokens_total', engine(SLICE1, 'llama-7b')), values: '0+6000x20' },
      { series: series('tokenwatt_model_generation_tokens_total', engine(SLICE1, 'mistral')), values: '0+3000x20' },
      // The board: +18000 J/min = 300 W (rules/gpu-power.ts).
      { series: series('tokenwatt_gpu_energy_joules_total', GPU), values: '0+18000x20' },
      // llama-7b: +30 g/min = 0.5 g/s.
      { series: series('tokenwatt_model_co2e_grams_total', engine(SLICE1, 'llama-7b')), values: '0+30x20' },
    ],
    promql_expr_test: [
      at10m('gpu:tokenwatt_gpu_cost:rate5m', [
        ['{cluster="c1", component="capacity", currency="USD", gpu="1", gpu_model="A100", gpu_uuid="GPU-1", host="h1"}', 0.01],
        ['{cluster="c1", component="energy", currency="USD", gpu="1", gpu_model="A100", gpu_uuid="GPU-1", host="h1"}', 0.002],
      ]),
      at10m('gpu:tokenwatt_gpu_co2e_grams:rate5m', [[TW_GPU, 1]]),
      at10m('gpu:tokenwatt_unallocated_energy_watts:rate5m', [[TW_GPU, 100]]),
      at10m('gpu:tokenwatt_unallocated_cost:rate5m', [['{cluster="c1", currency="USD", gpu="1", gpu_model="A100", gpu_uuid="GPU-1", host="h1"}', 0.001]]),
      at10m('slice:tokenwatt_slice_energy_watts:rate5m', [
        [`{${TW_SLICE1}, state="idle"}`, 50],
        ['{cluster="c1", gpu="1", gpu_instance_id="2", gpu_profile="2g.10gb", host="h1", state="active"}', 200],
      ]),
      at10m('slice:tokenwatt_slice_cost:rate5m', [[`{${TW_SLICE1.replace('cluster="c1", ', 'cluster="c1", currency="USD", ')}}`, 0.006]]),
      at10m('slice:tokenwatt_idle_cost:rate5m', [[`{${TW_SLICE1.replace('cluster="c1", ', 'cluster="c1", currency="USD", ')}}`, 0.002]]),
      at10m('slice:tokenwatt_generation_tokens:rate5m', [[`{${TW_SLICE1}}`, 150]]),
      at10m('model_name:tokenwatt_co2e_grams:rate5m', [[MODEL('llama-7b'), 0.5]]),
      // Slice 1: 150 tokens/s over its 50 W = 3 tokens/J; slice 2 generated nothing (no tokens series: no ratio).
      at10m('slice:tokenwatt_tokens_per_joule:ratio_rate5m', [[`{${TW_SLICE1}}`, 3]]),
      // GPU 1: 150 tokens/s over the board's 300 W = 0.5 tokens/J.
      at10m('gpu:tokenwatt_tokens_per_joule:ratio_rate5m', [['{cluster="c1", gpu="1", host="h1"}', 0.5]]),
    ],
  },
  {
    // llama-7b on two engines; engine 1 is a vLLM that serves only the old names, on another host
    // (h2): the per-model series sum the per-host ones the serving alerts read.
    input_series: [
      // Finished: stop +60 and +120 per minute = 3/s; error +6/min = 0.1/s.
      { series: series('vllm:request_success_total', { ...vllm('0'), finished_reason: 'stop' }), values: '0+60x20' },
      { series: series('vllm:request_success_total', { ...vllmH2('1'), finished_reason: 'stop' }), values: '0+120x20' },
      { series: series('vllm:request_success_total', { ...vllm('0'), finished_reason: 'error' }), values: '0+6x20' },
      // Prompt tokens +1200 and +600 per minute = 30/s; preemptions +6 and +6 = 0.2/s.
      { series: series('vllm:prompt_tokens_total', vllm('0')), values: '0+1200x20' },
      { series: series('vllm:prompt_tokens_total', vllmH2('1')), values: '0+600x20' },
      { series: series('vllm:num_preemptions_total', vllm('0')), values: '0+6x20' },
      { series: series('vllm:num_preemptions_total', vllmH2('1')), values: '0+6x20' },
      // Prefix cache: hits +300 (new name) and +600 (old name) = 15/s; queries +1200 + 1200 = 40/s.
      { series: series('vllm:prefix_cache_hits_total', vllm('0')), values: '0+300x20' },
      { series: series('vllm:gpu_prefix_cache_hits_total', vllmH2('1')), values: '0+600x20' },
      { series: series('vllm:prefix_cache_queries_total', vllm('0')), values: '0+1200x20' },
      { series: series('vllm:gpu_prefix_cache_queries_total', vllmH2('1')), values: '0+1200x20' },
      // KV usage 0.6 (new name), 0.75 (old name): the fullest replica, 0.75.
      { series: series('vllm:kv_cache_usage_perc', vllm('0')), values: '0.6x20' },
      { series: series('vllm:gpu_cache_usage_perc', vllmH2('1')), values: '0.75x20' },
      // SGLang qwen on two ranks: tokens +600/min = 10/s, prompt +1200/min = 20/s; running 3 + 4,
      // queued 1 + 2; token usage 0.5 / 0.7 and cache hit rate 0.2 / 0.4 (the highest of each).
      { series: series('sglang:generation_tokens_total', sglang('0')), values: '0+600x20' },
      { series: series('sglang:prompt_tokens_total', sglang('0')), values: '0+1200x20' },
      ...[['0', 3, 1, 0.5, 0.2], ['1', 4, 2, 0.7, 0.4]].flatMap(([r, run, queue, usage, hit]) => [
        { series: series('sglang:num_running_reqs', sglang(r as string)), values: `${run}x20` },
        { series: series('sglang:num_queue_reqs', sglang(r as string)), values: `${queue}x20` },
        { series: series('sglang:token_usage', sglang(r as string)), values: `${usage}x20` },
        { series: series('sglang:cache_hit_rate', sglang(r as string)), values: `${hit}x20` },
      ]),
    ],
    promql_expr_test: [
      at10m('model_name:vllm_request_success:rate5m', [
        ['{cluster="c1", finished_reason="error", model_name="llama-7b", namespace="llm"}', 0.1],
        ['{cluster="c1", finished_reason="stop", model_name="llama-7b", namespace="llm"}', 3],
      ]),
      at10m('model_name_host:vllm_request_success:rate5m', [
        ['{cluster="c1", finished_reason="error", host="h1", model_name="llama-7b", namespace="llm"}', 0.1],
        ['{cluster="c1", finished_reason="stop", host="h1", model_name="llama-7b", namespace="llm"}', 1],
        ['{cluster="c1", finished_reason="stop", host="h2", model_name="llama-7b", namespace="llm"}', 2],
      ]),
      at10m('model_name_host:vllm_num_preemptions:rate5m', [
        ['{cluster="c1", host="h1", model_name="llama-7b", namespace="llm"}', 0.1],
        ['{cluster="c1", host="h2", model_name="llama-7b", namespace="llm"}', 0.1],
      ]),
      at10m('model_name_host:vllm_kv_cache_usage_perc:max', [
        ['{cluster="c1", host="h1", model_name="llama-7b", namespace="llm"}', 0.6],
        ['{cluster="c1", host="h2", model_name="llama-7b", namespace="llm"}', 0.75],
      ]),
      at10m('model_name:vllm_prompt_tokens:rate5m', [[MODEL('llama-7b'), 30]]),
      at10m('model_name:vllm_num_preemptions:rate5m', [[MODEL('llama-7b'), 0.2]]),
      at10m('model_name:vllm_prefix_cache_hits:rate5m', [[MODEL('llama-7b'), 15]]),
      at10m('model_name:vllm_prefix_cache_queries:rate5m', [[MODEL('llama-7b'), 40]]),
      at10m('model_name:vllm_kv_cache_usage_perc:max', [[MODEL('llama-7b'), 0.75]]),
      at10m('model_name:sglang_generation_tokens:rate5m', [[MODEL('qwen'), 10]]),
      at10m('model_name:sglang_prompt_tokens:rate5m', [[MODEL('qwen'), 20]]),
      at10m('model_name:sglang_num_running_reqs:sum', [[MODEL('qwen'), 7]]),
      at10m('model_name:sglang_token_usage:max', [[MODEL('qwen'), 0.7]]),
      at10m('model_name:sglang_cache_hit_rate:max', [[MODEL('qwen'), 0.4]]),
    ],
  },
  {
    // Every recorded histogram: two engines (or ranks) of model m, each +60/min at or below 0.1
    // and +120/min at or below 1 (all of them): per model 2/s at le=0.1, 4/s at le=1 and +Inf.
    // Quantiles: p50 is rank 2 of 4, the 0.1 bucket's count: 0.1; p90 rank 3.6 in (0.1, 1]:
    // 0.1 + 0.9 x (3.6 - 2) / (4 - 2) = 0.82; p95 rank 3.8: 0.1 + 0.9 x 1.8 / 2 = 0.91; p99 rank
    // 3.96: 0.1 + 0.9 x 1.96 / 2 = 0.982. vLLM
    // engine 1 serves only the old name where there is one (time_per_output_token_seconds), which
    // the rule joins.
    input_series: SERVING_HISTOGRAMS.flatMap((h) => {
      const sg = h.startsWith('sglang:');
      return ['0', '1'].flatMap((e) => {
        const name = !sg && e === '1' && h === 'vllm:inter_token_latency_seconds' ? 'vllm:time_per_output_token_seconds' : h;
        const labels = sg ? { ...sglang(e), model_name: 'm' } : vllm(e, 'm');
        return [
          { series: series(`${name}_bucket`, { ...labels, le: '0.1' }), values: '0+60x20' },
          { series: series(`${name}_bucket`, { ...labels, le: '1' }), values: '0+120x20' },
          { series: series(`${name}_bucket`, { ...labels, le: '+Inf' }), values: '0+120x20' },
        ];
      });
    }),
    promql_expr_test: [
      ...SERVING_HISTOGRAMS.map((h) => at10m(bucketRateName(h), [
        ['{cluster="c1", le="+Inf", model_name="m", namespace="llm"}', 4],
        ['{cluster="c1", le="0.1", model_name="m", namespace="llm"}', 2],
        ['{cluster="c1", le="1", model_name="m", namespace="llm"}', 4],
      ])),
      ...Object.entries(RECORDED_QUANTILES).flatMap(([h, qs]) => qs.map((q) => at10m(quantileName(h, q), [
        ['{cluster="c1", model_name="m", namespace="llm"}', ({ 50: 0.1, 90: 0.82, 95: 0.91, 99: 0.982 } as Record<number, number>)[q]!],
      ]))),
    ],
  },
];
