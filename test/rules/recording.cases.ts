// promtool cases for every recording rule in rules/: each recorded value is checked against a
// figure worked out by hand from the input (see the comment on each). Series are one sample per
// minute from t0, so a 5m rate is the exact per-second slope; round(x, 0.001) absorbs float noise
// (promtool 2.42 compares exactly).
import { defaultAutoscalingConfig } from '../../src/config/autoscaling.ts';
import { series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

const dcgm = (gpu: string, extra: Record<string, string> = {}) => ({
  job: 'dcgm-exporter', cluster: 'c1', Hostname: 'h1', host: 'h1', gpu, UUID: `GPU-${gpu}`, modelName: 'NVIDIA A100-SXM4-40GB', ...extra,
});
const vllm = (engine: string) => ({ job: 'vllm', instance: `h1:800${engine}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'llama-7b', engine });
const engineOn = (slice: string, profile: string) => ({
  job: 'tokenwatt', instance: 'tw:9464', cluster: 'c1', namespace: 'llm', pod: `llama-${slice}`, model_name: 'llama-7b', engine: 'vllm',
  host: 'h1', gpu: '1', gpu_uuid: 'GPU-1', gpu_model: 'A100', gpu_instance_id: slice, gpu_profile: profile,
});
const sglang = (i: string) => ({ job: 'sglang', instance: `h1:3000${i}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'llama-7b' });
const tgi = (i: string) => ({ job: 'tgi', instance: `h1:8080${i}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'llama-7b' });
const MODEL = '{cluster="c1", model_name="llama-7b", namespace="llm"}';
/** The example Deployments' models (autoscaling.deployments): the autoscaling signals cover only those. */
const scaledModel = (engine: string) => defaultAutoscalingConfig.deployments.find((d) => d.engine === engine)!;
const scaledVllm = (engine: string) => ({ ...vllm(engine), namespace: scaledModel('vllm').namespace, model_name: scaledModel('vllm').model });
const scaledSglang = (i: string) => ({ ...sglang(i), namespace: scaledModel('sglang').namespace, model_name: scaledModel('sglang').model });
const SCALED_VLLM = `{cluster="c1", model_name="${scaledModel('vllm').model}", namespace="${scaledModel('vllm').namespace}"}`;
const SCALED_SGLANG = `{cluster="c1", model_name="${scaledModel('sglang').model}", namespace="${scaledModel('sglang').namespace}"}`;
const at10m = (expr: string, labels: string, value: number): ExprTest => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: [{ labels, value }] });

/** A histogram's bucket series: `per` maps each le to the requests per minute at or below it. */
function histogram(name: string, labels: Record<string, string>, per: Record<string, number>) {
  return [
    ...Object.entries(per).map(([le, n]) => ({ series: series(`${name}_bucket`, { ...labels, le }), values: `0+${n}x20` })),
    { series: series(`${name}_count`, labels), values: `0+${per['+Inf']}x20` },
  ];
}

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

export const recordingCases: TestGroup[] = [
  {
    input_series: [
      // GPU 0 as two MIG instances repeating one board counter: +24,000,000 mJ/min = 400 W (not 800).
      ...['1', '2'].map((id) => ({ series: series('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', dcgm('0', { GPU_I_ID: id })), values: '0+24000000x20' })),
      // GPU 1 whole: +18,000,000 mJ/min = 300 W.
      { series: series('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', dcgm('1')), values: '0+18000000x20' },
      ...['1', '2'].map((id) => ({ series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('0', { GPU_I_ID: id })), values: '60x20' })),
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('1')), values: '60x20' },
      // tokenwatt's own counter: +15,000 J/min = 250 W.
      { series: series('tokenwatt_gpu_energy_joules_total', { job: 'tokenwatt', instance: 'tw:9464', cluster: 'c1', host: 'h1', gpu: '0', gpu_uuid: 'GPU-0', gpu_model: 'A100' }), values: '0+15000x20' },
    ],
    promql_expr_test: [
      { expr: 'round(gpu:dcgm_board_power_watts:rate5m, 0.001)', eval_time: '10m', exp_samples: [
        { labels: '{UUID="GPU-0", cluster="c1", gpu="0", host="h1"}', value: 400 },
        { labels: '{UUID="GPU-1", cluster="c1", gpu="1", host="h1"}', value: 300 },
      ] },
      at10m('cluster:dcgm_board_power_watts:sum', '{cluster="c1"}', 700), // 400 + 300, each GPU once
      at10m('host:dcgm_gpus:count', '{cluster="c1", host="h1"}', 2), // GPU 0 (two instances) and GPU 1
      at10m('gpu:tokenwatt_gpu_power_watts:rate5m', '{cluster="c1", gpu="0", gpu_model="A100", gpu_uuid="GPU-0", host="h1"}', 250),
    ],
  },
  {
    // llama-7b on two MIG slices, each: 6,000 tokens, 12,000 J and 0.12 USD per minute.
    // Sum: 200 tokens/s, 400 W -> 0.5 tokens/J; 0.004 USD/s -> 14.4 USD/h and
    // 0.004 / 200 x 1e6 = 20 USD per million tokens.
    input_series: [['1', '2g.10gb'], ['2', '3g.20gb']].flatMap(([id, profile]) => [
      { series: series('tokenwatt_model_generation_tokens_total', engineOn(id!, profile!)), values: '0+6000x20' },
      { series: series('tokenwatt_model_energy_joules_total', engineOn(id!, profile!)), values: '0+12000x20' },
      // 24,000 prompt tokens a minute on each slice: 800 tokens/s, 400 W / 800 = 0.5 J per prompt token.
      { series: series('tokenwatt_model_prompt_tokens_total', engineOn(id!, profile!)), values: '0+24000x20' },
      { series: series('tokenwatt_model_cost_total', { ...engineOn(id!, profile!), currency: 'USD' }), values: '0+0.12x20' },
    ]),
    promql_expr_test: [
      at10m('model_name:tokenwatt_generation_tokens:rate5m', MODEL, 200),
      at10m('model_name:tokenwatt_energy_watts:rate5m', MODEL, 400),
      at10m('model_name:tokenwatt_tokens_per_joule:ratio_rate5m', MODEL, 0.5),
      at10m('model_name:tokenwatt_prompt_tokens:rate5m', MODEL, 800),
      at10m('model_name:tokenwatt_joules_per_prompt_token:ratio_rate5m', MODEL, 0.5),
      at10m('model_name:tokenwatt_joules_per_generated_token:ratio_rate5m', MODEL, 2),
      at10m('model_name:tokenwatt_cost_per_million_tokens:ratio_rate5m', '{cluster="c1", currency="USD", model_name="llama-7b", namespace="llm"}', 20),
      at10m('model_name:tokenwatt_cost_per_hour:rate5m', '{cluster="c1", currency="USD", model_name="llama-7b", namespace="llm"}', 14.4),
    ],
  },
  {
    input_series: [
      // TTFT per minute: 40 within 0.1 s, 80 within 0.5 s, 95 within 1 s, 100 in all.
      // p50: rank 50 in (0.1, 0.5]: 0.1 + 0.4 x (50-40)/(80-40) = 0.2.
      // p90: rank 90 in (0.5, 1]: 0.5 + 0.5 x (90-80)/(95-80) = 0.8333 -> 0.833.
      // p99: rank 99 in the +Inf bucket: the highest finite bound, 1.
      // SLO: 5 of 100 slower than 1 s -> 0.05 over every window.
      ...histogram('vllm:time_to_first_token_seconds', vllm('0'), { '0.1': 40, '0.5': 80, '1.0': 95, '+Inf': 100 }),
      // ITL under its pre-0.11 name (vllm:time_per_output_token_seconds) to prove the fallback:
      // 20 within 0.01 s, 50 within 0.05 s, 100 within 0.1 s.
      // p50: rank 50 = the 0.05 bucket's count -> 0.05. p90: 0.05 + 0.05 x (90-50)/(100-50) = 0.09.
      // p99: 0.05 + 0.05 x (99-50)/(100-50) = 0.099.
      ...histogram('vllm:time_per_output_token_seconds', vllm('0'), { '0.01': 20, '0.05': 50, '0.1': 100, '+Inf': 100 }),
      // Finished: 2 errors, 38 stops, no aborts per minute -> 2/40 = 0.05 over every window.
      { series: series('vllm:request_success_total', { ...vllm('0'), finished_reason: 'error' }), values: '0+2x20' },
      { series: series('vllm:request_success_total', { ...vllm('0'), finished_reason: 'stop' }), values: '0+38x20' },
      { series: series('vllm:request_success_total', { ...vllm('0'), finished_reason: 'abort' }), values: '0x20' },
    ],
    promql_expr_test: [
      at10m('model_name:vllm_time_to_first_token_seconds:p50_rate5m', MODEL, 0.2),
      at10m('model_name:vllm_time_to_first_token_seconds:p90_rate5m', MODEL, 0.833),
      at10m('model_name:vllm_time_to_first_token_seconds:p99_rate5m', MODEL, 1),
      at10m('model_name:vllm_inter_token_latency_seconds:p50_rate5m', MODEL, 0.05),
      at10m('model_name:vllm_inter_token_latency_seconds:p90_rate5m', MODEL, 0.09),
      at10m('model_name:vllm_inter_token_latency_seconds:p99_rate5m', MODEL, 0.099),
      // Windows longer than the 10 minutes of data: both counters start at 0 and rate()
      // extrapolates numerator and denominator alike, so the ratio is still 0.05.
      ...WINDOWS.map((w) => at10m(`model_name:vllm_ttft_slow_requests:ratio_rate${w}`, MODEL, 0.05)),
      ...WINDOWS.map((w) => at10m(`model_name:vllm_request_errors:ratio_rate${w}`, MODEL, 0.05)),
    ],
  },
  {
    // Two engines of the autoscaled vLLM model (autoscaling.deployments): waiting 3 + 4 = 7, running
    // 10 + 6 = 16; KV usage 0.6 (new name) and 0.75 (old name gpu_cache_usage_perc): headroom
    // 1 - 0.75 = 0.25; tokens +600 and +1200 per minute: 10 + 20 = 30 tokens/s. llama-7b, not
    // autoscaled, gets no autoscaling-only signal (the triggers read only the Deployments' models),
    // but its queue (9) is recorded with every model's.
    input_series: [
      { series: series('vllm:num_requests_waiting', scaledVllm('0')), values: '3x20' },
      { series: series('vllm:num_requests_waiting', scaledVllm('1')), values: '4x20' },
      { series: series('vllm:num_requests_running', scaledVllm('0')), values: '10x20' },
      { series: series('vllm:num_requests_running', scaledVllm('1')), values: '6x20' },
      { series: series('vllm:kv_cache_usage_perc', scaledVllm('0')), values: '0.6x20' },
      { series: series('vllm:gpu_cache_usage_perc', scaledVllm('1')), values: '0.75x20' },
      { series: series('vllm:generation_tokens_total', scaledVllm('0')), values: '0+600x20' },
      { series: series('vllm:generation_tokens_total', scaledVllm('1')), values: '0+1200x20' },
      ...histogram('vllm:time_to_first_token_seconds', scaledVllm('0'), { '0.5': 10, '1.0': 20, '+Inf': 20 }),
      { series: series('vllm:num_requests_waiting', vllm('2')), values: '9x20' },
      ...histogram('vllm:time_to_first_token_seconds', vllm('2'), { '0.5': 10, '1.0': 20, '+Inf': 20 }),
    ],
    promql_expr_test: [
      // The queue is recorded for every model (rules/serving-vllm.ts: the serving dashboard plots it): llama-7b too.
      { expr: 'round(model_name:vllm_num_requests_waiting:sum, 0.001)', eval_time: '10m', exp_samples: [{ labels: SCALED_VLLM, value: 7 }, { labels: MODEL, value: 9 }] },
      at10m('model_name:vllm_num_requests_running:sum', SCALED_VLLM, 16),
      at10m('model_name:vllm_kv_cache_headroom:ratio', SCALED_VLLM, 0.25),
      at10m('model_name:vllm_generation_tokens:rate5m', SCALED_VLLM, 30),
      // tokenwatt-autoscaling-vllm: mean KV usage (0.6 + 0.75) / 2, tokens over 1m 10 + 20, TTFT p95 of
      // 20 requests a minute, 10 at or below 0.5 s and 20 at or below 1 s: rank 19 lies 9/10 of the way
      // from 0.5 to 1.0 = 0.95 s.
      at10m('model_name:vllm_kv_cache_usage:avg', SCALED_VLLM, 0.675),
      at10m('model_name:vllm_generation_tokens:rate1m', SCALED_VLLM, 30),
      at10m('model_name:vllm_time_to_first_token_seconds:p95_rate2m', SCALED_VLLM, 0.95),
      { expr: 'model_name:vllm_time_to_first_token_seconds:p95_rate2m{model_name="llama-7b"}', eval_time: '10m', exp_samples: [] },
    ],
  },
  {
    // Scale-to-zero savings (idle time 600s): model idle generates no token for the whole window, so
    // its 10 $/h count; model busy makes tokens, so 0.
    input_series: [
      { series: series('model_name:tokenwatt_cost_per_hour:rate5m', { cluster: 'c1', namespace: 'llm', model_name: 'idle', currency: 'USD' }), values: '10x20' },
      { series: series('model_name:tokenwatt_generation_tokens:rate5m', { cluster: 'c1', namespace: 'llm', model_name: 'idle' }), values: '0x20' },
      { series: series('model_name:tokenwatt_cost_per_hour:rate5m', { cluster: 'c1', namespace: 'llm', model_name: 'busy', currency: 'USD' }), values: '12x20' },
      { series: series('model_name:tokenwatt_generation_tokens:rate5m', { cluster: 'c1', namespace: 'llm', model_name: 'busy' }), values: '0 0 0 0 0 0 0 0 5 5 5 5 5 5 5 5 5 5 5 5' },
    ],
    promql_expr_test: [{
      expr: 'model_name:tokenwatt_scale_to_zero_savings:cost_per_hour', eval_time: '10m',
      exp_samples: [
        { labels: 'model_name:tokenwatt_scale_to_zero_savings:cost_per_hour{cluster="c1", currency="USD", model_name="busy", namespace="llm"}', value: 0 },
        { labels: 'model_name:tokenwatt_scale_to_zero_savings:cost_per_hour{cluster="c1", currency="USD", model_name="idle", namespace="llm"}', value: 10 },
      ],
    }],
  },
  {
    // Node pools (none configured: every host is pool "default" at the onDemand basis). Model cost
    // +0.6 $/min = 0.01 $/s over +600 tokens/min = 10 tokens/s: 1,000 $ per 1M tokens.
    input_series: [
      { series: series('tokenwatt_gpu_info', { job: 'tokenwatt', cluster: 'c1', host: 'h1', gpu: '0', gpu_uuid: 'GPU-0', gpu_model: 'A100', mig_mode: 'disabled', energy_source: 'nvml' }), values: '1x20' },
      { series: series('tokenwatt_model_cost_total', { ...engineOn('1', 'whole'), currency: 'USD' }), values: '0+0.6x20' },
      { series: series('tokenwatt_model_generation_tokens_total', engineOn('1', 'whole')), values: '0+600x20' },
    ],
    promql_expr_test: [
      { expr: 'host:tokenwatt_node_pool:info', eval_time: '10m', exp_samples: [{ labels: 'host:tokenwatt_node_pool:info{cluster="c1", host="h1", node_pool="default", price_basis="onDemand"}', value: 1 }] },
      at10m('node_pool:tokenwatt_cost_per_million_tokens:ratio_rate5m', '{cluster="c1", currency="USD", model_name="llama-7b", namespace="llm", node_pool="default", price_basis="onDemand"}', 1000),
    ],
  },
  {
    // TGI autoscaling signals, two replicas: batch token budget 4000 and 8000 of 10000 (mean 0.6),
    // generated tokens _sum +1200 a minute = 20 tokens/s, queue time p95 of the histogram above: 0.95 s.
    input_series: [
      ...['0', '1'].map((i) => ({ series: series('tgi_batch_current_max_tokens', tgi(i)), values: `${i === '0' ? 4000 : 8000}x20` })),
      ...['0', '1'].map((i) => ({ series: series('tgi_batch_max_total_tokens', tgi(i)), values: '10000x20' })),
      { series: series('tgi_request_generated_tokens_sum', tgi('0')), values: '0+1200x20' },
      ...histogram('tgi_request_queue_duration', tgi('0'), { '0.5': 10, '1.0': 20, '+Inf': 20 }),
    ],
    promql_expr_test: [
      at10m('model_name:tgi_batch_token_usage:avg', MODEL, 0.6),
      at10m('model_name:tgi_generated_tokens:rate1m', MODEL, 20),
      at10m('model_name:tgi_request_queue_duration_seconds:p95_rate2m', MODEL, 0.95),
    ],
  },
  {
    // SGLang, two engines of the autoscaled SGLang model: queue 2 + 5, token usage (0.5 + 0.7) / 2, +1200 tokens a minute
    // each = 40 tokens/s, and the TTFT histogram above (p95 0.95 s).
    input_series: [
      { series: series('sglang:num_queue_reqs', scaledSglang('0')), values: '2x20' },
      { series: series('sglang:num_queue_reqs', scaledSglang('1')), values: '5x20' },
      { series: series('sglang:token_usage', scaledSglang('0')), values: '0.5x20' },
      { series: series('sglang:token_usage', scaledSglang('1')), values: '0.7x20' },
      { series: series('sglang:generation_tokens_total', scaledSglang('0')), values: '0+1200x20' },
      { series: series('sglang:generation_tokens_total', scaledSglang('1')), values: '0+1200x20' },
      ...histogram('sglang:time_to_first_token_seconds', scaledSglang('0'), { '0.5': 10, '1.0': 20, '+Inf': 20 }),
    ],
    promql_expr_test: [
      at10m('model_name:sglang_num_queue_reqs:sum', SCALED_SGLANG, 7),
      at10m('model_name:sglang_token_usage:avg', SCALED_SGLANG, 0.6),
      at10m('model_name:sglang_generation_tokens:rate1m', SCALED_SGLANG, 40),
      at10m('model_name:sglang_time_to_first_token_seconds:p95_rate2m', SCALED_SGLANG, 0.95),
    ],
  },
];
