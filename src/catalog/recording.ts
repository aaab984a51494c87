// Names of tokenwatt's recording rules (level:metric:operations). The rules themselves live in
// rules/; their names are declared here so that dashboards and alerts can only use real ones.
// Level labels: `gpu:` one series per physical GPU (cluster, host, gpu, UUID), `model_name:` one
// per served model (cluster, namespace, model_name), `model_name_host:` one per model on one host
// (what the serving alerts group by), `cluster:` one per cluster.
import { ENGINE_SIGNALS, TOKENS_WINDOW, TTFT_WINDOW } from '../autoscaling/signals.ts';
import { defineMetrics } from './types.ts';
import type { MetricDef } from './types.ts';

const MODEL = ['cluster', 'namespace', 'model_name'] as const;
/** One vLLM server (scrape target) and the model it serves. */
const VLLM_SERVER = ['cluster', 'namespace', 'instance', 'model_name'] as const;
/** One served model on one host (the serving alerts' level, src/rules/levels.ts servingBy). */
const MODEL_HOST = [...MODEL, 'host'] as const;
const BOARD = ['cluster', 'host', 'gpu', 'UUID'] as const;
/** One GPU or MIG instance as dcgm-exporter reports it (GPU_I_PROFILE="" on a whole GPU). */
const GPU_INSTANCE = [...BOARD, 'GPU_I_ID', 'GPU_I_PROFILE'] as const;
/** One GPU as tokenwatt's exporter labels it. */
const TW_GPU = ['cluster', 'host', 'gpu', 'gpu_uuid', 'gpu_model'] as const;
/** One MIG slice (or whole GPU) as tokenwatt's exporter labels it. */
const TW_SLICE = ['cluster', 'host', 'gpu', 'gpu_instance_id', 'gpu_profile'] as const;

type Spec = Pick<MetricDef, 'name' | 'unit' | 'grafanaUnit' | 'help' | 'labels'>;
const r = (s: Spec): MetricDef => ({ ...s, type: 'gauge', source: 'recording' });

/** Windows a burn-rate ratio may be recorded over (config.alerting.slo windows must be among them). */
export const SLO_WINDOWS = ['1m', '2m', '5m', '10m', '15m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** The SLIs with burn-rate ratios: TTFT over its threshold, and failed requests. */
export const SLO_RATIOS = {
  ttft: { metric: 'vllm_ttft_slow_requests', help: 'Fraction of requests whose time to first token exceeded the SLO threshold (vLLM and SGLang)' },
  errors: { metric: 'vllm_request_errors', help: 'Fraction of finished requests that ended in an error (vLLM: finished_reason in alerting.serving.errorReasons; SGLang, when errorReasons has abort: aborted requests, errors and client aborts alike)' },
} as const;
export type SloKind = keyof typeof SLO_RATIOS;

/**
 * The TTFT histograms the TTFT SLO reads, per model (a model is served by one kind; each one's
 * recorded bucket rates are joined with `or`). Kinds without a TTFT histogram (TGI, llama.cpp,
 * Triton core) have no TTFT SLI.
 */
export const SLO_TTFT_HISTOGRAMS = ['vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds'] as const;

/** `model_name:vllm_request_errors:ratio_rate1h` and friends. */
export function sloRatioName(kind: SloKind, window: string): string {
  return `model_name:${SLO_RATIOS[kind].metric}:ratio_rate${window}`;
}

/**
 * dcgm-exporter fields the GPU dashboard plots, recorded once per physical GPU (`gpu:<FIELD>:max`,
 * max over the MIG instances that repeat them) or per GPU/MIG instance (`gpu_instance:<FIELD>:max`);
 * counters as a 5m rate per physical GPU (`gpu:<FIELD>:rate5m`).
 */
export const DCGM_BOARD_GAUGES = [
  'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_MEMORY_TEMP', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_POWER_MGMT_LIMIT',
  'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_MEM_CLOCK', 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  'DCGM_FI_PROF_PCIE_TX_BYTES', 'DCGM_FI_PROF_PCIE_RX_BYTES',
] as const;
export const DCGM_BOARD_COUNTERS = [
  'DCGM_FI_DEV_POWER_VIOLATION', 'DCGM_FI_DEV_THERMAL_VIOLATION', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL',
] as const;
export const DCGM_INSTANCE_GAUGES = [
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE',
] as const;

/**
 * Serving histograms whose bucket rates are recorded per model and `le`
 * (`model_name:<histogram>_bucket:rate5m`): any quantile is then histogram_quantile over a few
 * series per model instead of every engine's buckets, and renamed vLLM series are joined once here.
 */
export const SERVING_LATENCY_HISTOGRAMS = [
  'vllm:time_to_first_token_seconds', 'vllm:inter_token_latency_seconds', 'vllm:e2e_request_latency_seconds',
  'sglang:time_to_first_token_seconds', 'sglang:inter_token_latency_seconds', 'sglang:e2e_request_latency_seconds',
] as const;
/** Histograms of secondary panels (queue, prefill, decode, request lengths): recorded in a slower group. */
export const SERVING_DETAIL_HISTOGRAMS = [
  'vllm:request_queue_time_seconds', 'vllm:request_prefill_time_seconds', 'vllm:request_decode_time_seconds',
  'vllm:request_prompt_tokens', 'vllm:request_generation_tokens', 'vllm:request_time_per_output_token_seconds',
  // Opt-in (--kv-cache-metrics): only engines that sample block residency have these buckets.
  'vllm:kv_block_lifetime_seconds', 'vllm:kv_block_idle_before_evict_seconds',
  'sglang:queue_time_seconds',
] as const;
export const SERVING_HISTOGRAMS = [...SERVING_LATENCY_HISTOGRAMS, ...SERVING_DETAIL_HISTOGRAMS] as const;

/** `vllm:time_to_first_token_seconds` -> `vllm_time_to_first_token_seconds` (the metric part of a recorded name). */
export const recordedMetricPart = (name: string): string => name.replace(/:/g, '_');
/** The recorded per-model bucket rates of a serving histogram. */
export const bucketRateName = (histogram: string): string => `model_name:${recordedMetricPart(histogram)}_bucket:rate5m`;

/** The quantiles recorded per model for each histogram (rules/serving-latency.ts): panels plot them as they are. */
export const RECORDED_QUANTILES: Record<string, readonly number[]> = {
  'vllm:time_to_first_token_seconds': [50, 90, 99], 'vllm:inter_token_latency_seconds': [50, 90, 99], 'vllm:e2e_request_latency_seconds': [50, 90, 99],
  'sglang:time_to_first_token_seconds': [50, 90, 99], 'sglang:inter_token_latency_seconds': [50, 90, 99], 'sglang:e2e_request_latency_seconds': [50, 90, 99],
  'vllm:request_queue_time_seconds': [90], 'vllm:request_prefill_time_seconds': [90], 'vllm:request_decode_time_seconds': [90],
  'vllm:request_prompt_tokens': [50], 'vllm:request_generation_tokens': [50], 'vllm:request_time_per_output_token_seconds': [95],
  'vllm:kv_block_lifetime_seconds': [50, 90], 'vllm:kv_block_idle_before_evict_seconds': [50, 90],
  'sglang:queue_time_seconds': [90],
};
/** `model_name:vllm_time_to_first_token_seconds:p99_rate5m` and friends. */
export const quantileName = (histogram: string, q: number): string => `model_name:${recordedMetricPart(histogram)}:p${q}_rate5m`;

export const recordingMetrics = defineMetrics([
  // rules/gpu-inventory.ts
  r({ name: 'host:dcgm_gpus:count', unit: 'GPUs', grafanaUnit: 'short', labels: ['cluster', 'host'], help: 'Physical GPUs reporting on a host, from dcgm-exporter or else the exporter\'s NVML readings (MIG instances of one GPU count once).' }),
  // rules/gpu-power.ts
  r({ name: 'gpu:dcgm_board_power_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: BOARD, help: 'Board power from the dcgm-exporter energy counter (mJ rate / 1000), one series per physical GPU even under MIG.' }),
  r({ name: 'gpu:tokenwatt_gpu_power_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: ['cluster', 'host', 'gpu', 'gpu_uuid', 'gpu_model'], help: 'Board power from tokenwatt\'s reset-corrected energy counter.' }),
  // rules/gpu-health.ts: dcgm-exporter first, else the exporter's NVML reading, per GPU
  r({ name: 'gpu:board_power_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: BOARD, help: 'Board power per physical GPU: the dcgm-exporter energy counter, else (no dcgm-exporter) tokenwatt\'s NVML energy counter.' }),
  r({ name: 'gpu:clock_throttled_power:ratio', unit: 'ratio', grafanaUnit: 'percentunit', labels: BOARD, help: 'Share of alerting.gpu.throttleWindow the clocks were held down by the power limit: dcgm-exporter\'s violation counter, else NVML\'s sw_power_cap / hw_power_brake_slowdown clock-event reasons.' }),
  r({ name: 'gpu:clock_throttled_thermal:ratio', unit: 'ratio', grafanaUnit: 'percentunit', labels: BOARD, help: 'Share of alerting.gpu.throttleWindow the clocks were held down by temperature: dcgm-exporter\'s violation counter, else NVML\'s sw/hw thermal slowdown clock-event reasons.' }),
  r({ name: 'cluster:dcgm_board_power_watts:sum', unit: 'watts', grafanaUnit: 'watt', labels: ['cluster'], help: 'GPU board power of a cluster, each physical GPU counted once.' }),
  // rules/gpu-board.ts, rules/gpu-instance.ts (dashboards/gpus.ts)
  ...DCGM_BOARD_GAUGES.map((f) => r({ name: `gpu:${f}:max`, unit: 'as the field', grafanaUnit: 'none', labels: BOARD, help: `${f} once per physical GPU (max over the MIG instances that repeat it).` })),
  r({ name: 'gpu:DCGM_FI_DEV_XID_ERRORS:max', unit: 'xid', grafanaUnit: 'none', labels: BOARD, help: 'The last XID per physical GPU (GPUXidError looks for a change of it).' }),
  ...DCGM_BOARD_COUNTERS.map((f) => r({ name: `gpu:${f}:rate5m`, unit: 'per second', grafanaUnit: 'none', labels: BOARD, help: `5m rate of ${f}, once per physical GPU.` })),
  ...DCGM_INSTANCE_GAUGES.map((f) => r({ name: `gpu_instance:${f}:max`, unit: 'as the field', grafanaUnit: 'none', labels: GPU_INSTANCE, help: `${f} per GPU or MIG instance.` })),
  r({ name: 'gpu_instance:framebuffer_used:ratio', unit: 'ratio', grafanaUnit: 'percentunit', labels: GPU_INSTANCE, help: 'Framebuffer used over used + free per GPU or MIG instance (DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_FB_FREE).' }),
  // rules/tokenwatt-fleet.ts (energy, cost and carbon dashboards)
  r({ name: 'gpu:tokenwatt_gpu_cost:rate5m', unit: 'currency/s', grafanaUnit: 'currencyUSD', labels: [...TW_GPU, 'component', 'currency'], help: 'Cost per second of a GPU by component (capacity, energy).' }),
  r({ name: 'gpu:tokenwatt_gpu_co2e_grams:rate5m', unit: 'grams/s', grafanaUnit: 'massg', labels: TW_GPU, help: 'Grams of CO2e per second of a GPU.' }),
  r({ name: 'gpu:tokenwatt_unallocated_energy_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: TW_GPU, help: 'Power of MIG capacity no slice holds.' }),
  r({ name: 'gpu:tokenwatt_unallocated_cost:rate5m', unit: 'currency/s', grafanaUnit: 'currencyUSD', labels: [...TW_GPU, 'currency'], help: 'Cost per second of MIG capacity no slice holds.' }),
  r({ name: 'slice:tokenwatt_slice_energy_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: [...TW_SLICE, 'state'], help: 'Power attributed to a MIG slice (or whole GPU), idle and active.' }),
  r({ name: 'slice:tokenwatt_slice_cost:rate5m', unit: 'currency/s', grafanaUnit: 'currencyUSD', labels: [...TW_SLICE, 'currency'], help: 'Cost per second of a MIG slice (or whole GPU), all components.' }),
  r({ name: 'slice:tokenwatt_idle_cost:rate5m', unit: 'currency/s', grafanaUnit: 'currencyUSD', labels: [...TW_SLICE, 'currency'], help: 'Cost per second of a slice while idle.' }),
  r({ name: 'slice:tokenwatt_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: TW_SLICE, help: 'Generated tokens per second of every engine on a slice.' }),
  r({ name: 'slice:tokenwatt_tokens_per_joule:ratio_rate5m', unit: 'tokens/J', grafanaUnit: 'none', labels: TW_SLICE, help: 'Generated tokens per joule of the energy attributed to a MIG slice (or whole GPU), idle included, over 5 minutes.' }),
  r({ name: 'gpu:tokenwatt_tokens_per_joule:ratio_rate5m', unit: 'tokens/J', grafanaUnit: 'none', labels: ['cluster', 'host', 'gpu'], help: 'Generated tokens of every engine on a GPU per joule of the board\'s whole energy (idle included), over 5 minutes.' }),
  r({ name: 'model_name:tokenwatt_co2e_grams:rate5m', unit: 'grams/s', grafanaUnit: 'massg', labels: MODEL, help: 'Grams of CO2e per second attributed to a model.' }),
  // rules/model-efficiency.ts
  r({ name: 'model_name:tokenwatt_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Generated tokens per second per model.' }),
  r({ name: 'model_name:tokenwatt_energy_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: MODEL, help: 'Energy attributed to a model per second (J/s = W).' }),
  r({ name: 'model_name:tokenwatt_prompt_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Prompt (input) tokens per second per model, as the exporter attributes them.' }),
  r({ name: 'model_name:tokenwatt_joules_per_prompt_token:ratio_rate5m', unit: 'J/token', grafanaUnit: 'joule', labels: MODEL, help: 'The model\'s whole attributed energy per prompt token over 5 minutes (not a prefill split: docs/methodology.md).' }),
  r({ name: 'model_name:tokenwatt_joules_per_generated_token:ratio_rate5m', unit: 'J/token', grafanaUnit: 'joule', labels: MODEL, help: 'The model\'s whole attributed energy per generated token over 5 minutes (1 / tokens per joule).' }),
  r({ name: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m', unit: 'tokens/J', grafanaUnit: 'none', labels: MODEL, help: 'Generated tokens per joule per model over 5 minutes.' }),
  r({ name: 'model_name:tokenwatt_cost_per_million_tokens:ratio_rate5m', unit: 'currency', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'currency'], help: 'Cost per million generated tokens per model over 5 minutes.' }),
  r({ name: 'model_name:tokenwatt_cost_per_hour:rate5m', unit: 'currency/h', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'currency'], help: 'Cost per hour of a model at its 5-minute rate.' }),
  // rules/serving-latency.ts
  ...Object.entries(RECORDED_QUANTILES).flatMap(([h, qs]) => qs.map((q) => r({
    name: quantileName(h, q), unit: h.endsWith('_tokens') ? 'tokens' : 'seconds', grafanaUnit: h.endsWith('_tokens') ? 'short' : 's', labels: MODEL,
    help: `${q}th percentile of ${h} per model over 5 minutes (histogram_quantile of the recorded bucket rates).`,
  }))),
  // rules/slo-ttft.ts, rules/slo-errors.ts
  ...(Object.keys(SLO_RATIOS) as SloKind[]).flatMap((kind) => SLO_WINDOWS.map((w) => r({
    name: sloRatioName(kind, w), unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL,
    help: `${SLO_RATIOS[kind].help}, over ${w} (burn rate = ratio / (1 - objective)).`,
  }))),
  // rules/autoscaling.ts: signals for HPA (prometheus-adapter) or KEDA's prometheus scaler.
  r({ name: 'model_name:vllm_num_requests_running:sum', unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: 'Requests running per model, all replicas.' }),
  r({ name: 'model_name:vllm_kv_cache_headroom:ratio', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'Free KV-cache fraction of the fullest replica of a model (1 - max usage): token headroom.' }),
  r({ name: 'model_name:vllm_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Generated tokens per second per model, from vLLM\'s own counter.' }),
  // rules/serving-vllm.ts, rules/serving-sglang.ts (dashboards/llm-serving.ts)
  r({ name: 'model_name:vllm_request_success:rate5m', unit: 'requests/s', grafanaUnit: 'reqps', labels: [...MODEL, 'finished_reason'], help: 'Finished requests per second per model and finished_reason.' }),
  r({ name: 'model_name:vllm_prompt_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Prompt tokens per second per model.' }),
  r({ name: 'model_name:vllm_num_preemptions:rate5m', unit: 'preemptions/s', grafanaUnit: 'short', labels: MODEL, help: 'Preemptions per second per model.' }),
  r({ name: 'model_name:vllm_prefix_cache_hits:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Prefix-cache hits per second per model, in tokens (old gpu_prefix_cache_ name joined).' }),
  r({ name: 'model_name:vllm_prefix_cache_queries:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Prefix-cache queries per second per model, in tokens (old gpu_prefix_cache_ name joined).' }),
  // Per model and host: the serving alerts' level, the per-model series above are summed from them.
  r({ name: 'model_name_host:vllm_request_success:rate5m', unit: 'requests/s', grafanaUnit: 'reqps', labels: [...MODEL_HOST, 'finished_reason'], help: 'Finished requests per second per model, host and finished_reason.' }),
  r({ name: 'model_name_host:vllm_num_preemptions:rate5m', unit: 'preemptions/s', grafanaUnit: 'short', labels: MODEL_HOST, help: 'Preemptions per second per model and host.' }),
  r({ name: 'model_name_host:vllm_kv_cache_usage_perc:max', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL_HOST, help: 'KV-cache usage of the fullest replica of a model on a host (old gpu_cache_usage_perc joined).' }),
  r({ name: 'model_name:vllm_kv_cache_usage_perc:max', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'KV-cache usage of the fullest replica of a model (old gpu_cache_usage_perc joined).' }),
  // rules/serving-vllm.ts, tokenwatt-serving-vllm-detail (the dashboard's collapsed vLLM detail rows).
  r({ name: 'instance:vllm_model_name:group', unit: 'bool', grafanaUnit: 'none', labels: VLLM_SERVER, help: 'One series per vLLM server (value 1) naming its model: joins model_name onto its series that carry none.' }),
  r({ name: 'model_name:vllm_spec_decode_num_drafts:rate5m', unit: 'drafts/s', grafanaUnit: 'short', labels: MODEL, help: 'Speculative-decoding drafts per second per model.' }),
  r({ name: 'model_name:vllm_spec_decode_num_draft_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Draft tokens proposed per second per model.' }),
  r({ name: 'model_name:vllm_spec_decode_num_accepted_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Draft tokens accepted per second per model.' }),
  r({ name: 'model_name:vllm_spec_decode_num_accepted_tokens_per_pos:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: [...MODEL, 'position'], help: 'Accepted draft tokens per second per model and draft position.' }),
  r({ name: 'model_name:vllm_num_requests_waiting_by_reason:sum', unit: 'requests', grafanaUnit: 'short', labels: [...MODEL, 'reason'], help: 'Waiting requests per model by reason (capacity, deferred).' }),
  r({ name: 'model_name:vllm_prompt_tokens_by_source:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: [...MODEL, 'source'], help: 'Prompt tokens per second per model by source (local_compute, local_cache_hit, external_kv_transfer).' }),
  r({ name: 'model_name:vllm_iteration_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Tokens processed per second in engine steps per model (vllm:iteration_tokens_total _sum).' }),
  r({ name: 'model_name:vllm_iteration_steps:rate5m', unit: 'steps/s', grafanaUnit: 'short', labels: MODEL, help: 'Engine steps per second per model (vllm:iteration_tokens_total _count).' }),
  r({ name: 'model_name:vllm_engine_sleep_state:sum', unit: 'engines', grafanaUnit: 'short', labels: [...MODEL, 'sleep_state'], help: 'Engines per model in each sleep state (awake, weights_offloaded = level 1, discard_all = level 2).' }),
  r({ name: 'model_name:vllm_estimated_flops_per_gpu:rate5m', unit: 'FLOP/s', grafanaUnit: 'flops', labels: MODEL, help: 'Estimated FLOP/s per GPU, mean over the model\'s engines (vllm:estimated_flops_per_gpu_total, opt-in --enable-mfu-metrics).' }),
  r({ name: 'model_name:tokenwatt_gpu_placements:count', unit: 'GPUs', grafanaUnit: 'short', labels: MODEL, help: 'GPUs or MIG slices a model\'s energy is attributed over (tokenwatt_model_energy_joules_total series).' }),
  r({ name: 'model_name:vllm_http_requests:rate5m', unit: 'requests/s', grafanaUnit: 'reqps', labels: [...MODEL, 'status'], help: 'vLLM API server HTTP requests per second per model by status group (2xx, 4xx, 5xx).' }),
  r({ name: 'instance:vllm_lora_requests_info:latest', unit: 'timestamp', grafanaUnit: 'dateTimeAsIso', labels: [...VLLM_SERVER, 'max_lora', 'running_lora_adapters', 'waiting_lora_adapters'], help: 'The newest vllm:lora_requests_info label set of each vLLM server (value: when it was current).' }),
  r({ name: 'instance:vllm_cache_config_info:max', unit: 'info', grafanaUnit: 'none', labels: [...VLLM_SERVER, 'block_size', 'cache_dtype', 'enable_prefix_caching', 'gpu_memory_utilization', 'num_gpu_blocks'], help: 'KV-cache configuration of each vLLM server (vllm:cache_config_info, with its model).' }),
  r({ name: 'instance:vllm_process_start_time_seconds:max', unit: 'seconds', grafanaUnit: 'dateTimeAsIso', labels: VLLM_SERVER, help: 'Unix start time of each vLLM server process (process_start_time_seconds, with its model).' }),
  r({ name: 'model_name:sglang_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'SGLang generated tokens per second per model.' }),
  r({ name: 'model_name:sglang_prompt_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'SGLang prompt tokens per second per model.' }),
  r({ name: 'model_name:sglang_num_queue_reqs:sum', unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: 'SGLang requests queued per model, all replicas (also the autoscaling scale-out signal).' }),
  r({ name: 'model_name:vllm_num_requests_waiting:sum', unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: 'vLLM requests waiting per model, all replicas (also the autoscaling scale-out signal).' }),
  r({ name: 'model_name:sglang_num_running_reqs:sum', unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: 'SGLang running requests per model.' }),
  r({ name: 'model_name:sglang_token_usage:max', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'SGLang KV-cache token usage of the fullest replica of a model.' }),
  r({ name: 'model_name:sglang_num_requests:rate5m', unit: 'requests/s', grafanaUnit: 'reqps', labels: MODEL, help: 'SGLang finished requests per second per model.' }),
  r({ name: 'model_name:sglang_num_aborted_requests:rate5m', unit: 'requests/s', grafanaUnit: 'reqps', labels: MODEL, help: 'SGLang aborted requests (errors and client aborts) per second per model.' }),
  r({ name: 'model_name:sglang_cached_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'SGLang prompt tokens served from the prefix cache per second per model.' }),
  r({ name: 'model_name:sglang_num_retracted_requests:rate5m', unit: 'requests/s', grafanaUnit: 'short', labels: MODEL, help: 'SGLang retracted requests per second per model.' }),
  r({ name: 'model_name:sglang_realtime_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: [...MODEL, 'mode'], help: 'SGLang tokens per second per model by mode (prefill_compute, prefill_cache, decode).' }),
  r({ name: 'model_name:sglang_gpu_execution_seconds:rate5m', unit: 'seconds/s', grafanaUnit: 'percentunit', labels: [...MODEL, 'category'], help: 'SGLang GPU-busy seconds per second per model by category (forward mode), summed over its ranks.' }),
  r({ name: 'model_name:sglang_spec_accept_length:avg', unit: 'tokens', grafanaUnit: 'short', labels: MODEL, help: 'SGLang speculative-decoding accept length, averaged over a model\'s ranks (0: off).' }),
  r({ name: 'model_name:sglang_spec_accept_rate:avg', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'SGLang speculative-decoding accept rate, averaged over a model\'s ranks (0: off).' }),
  r({ name: 'model_name:sglang_utilization:avg', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'SGLang scheduler utilization, averaged over a model\'s ranks.' }),
  r({ name: 'model_name:sglang_cache_hit_rate:max', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'SGLang prefix-cache hit rate, highest replica of a model.' }),
  // rules/serving-latency.ts: bucket rates per model and le (histogram_quantile reads these).
  ...SERVING_HISTOGRAMS.map((h) => r({ name: bucketRateName(h), unit: 'observations/s', grafanaUnit: 'short', labels: [...MODEL, 'le'], help: `Per-model 5m rate of the ${h} buckets.` })),
  r({ name: 'model_name:tokenwatt_scale_to_zero_savings:cost_per_hour', unit: 'currency/h', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'currency'], help: 'Cost per hour a model runs up while it has generated no token for the autoscaling idle time (what scale to zero would save), else 0.' }),
  // rules/node-pools.ts: pool and price basis per host (exporter.energy.nodePools), cost per pool.
  r({ name: 'host:tokenwatt_node_pool:info', unit: 'info', grafanaUnit: 'none', labels: ['cluster', 'host', 'node_pool', 'price_basis'], help: 'One series per GPU host: its node pool (a node label value; "default" for none) and the price basis its GPUs are charged at.' }),
  r({ name: 'node_pool:tokenwatt_cost_per_million_tokens:ratio_rate5m', unit: 'currency', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'node_pool', 'price_basis', 'currency'], help: 'Cost per million generated tokens per model and node pool over 5 minutes: a spot pool is its own series.' }),
  // rules/autoscaling.ts, one group per engine kind: the trigger signals of src/autoscaling/signals.ts.
  ...Object.entries(ENGINE_SIGNALS).flatMap(([kind, s]) => [
    ...(s.recordedElsewhere?.includes('waiting') ? [] : [r({ name: s.recorded.waiting, unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: `Requests queued per model, all ${kind} replicas: the scale-out signal.` })]),
    r({ name: s.recorded.kvUsage, unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: `Mean KV-cache usage over the ${kind} replicas of a model, 0-1.` }),
    r({ name: s.recorded.generationTokens, unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: `Generated tokens per second per model over ${TOKENS_WINDOW} (${kind}): the token-headroom signal.` }),
    r({ name: s.recorded.ttftP95, unit: 'seconds', grafanaUnit: 's', labels: MODEL, help: `95th percentile ${s.ttftIs ?? 'time to first token'} per model over ${TTFT_WINDOW} (${kind}); NaN without traffic.` }),
  ]),

  // rules/report.ts: the increase (or time average) of every figure `tokenwatt report` reads, per
  // window (prometheus.reportInterval, 1h by default); the marker's samples say which windows exist.
  r({ name: 'job:tokenwatt_report_window:seconds', unit: 'seconds', grafanaUnit: 's', labels: ['cluster', 'job'], help: 'The tokenwatt-report group\'s window, recorded at each evaluation: its samples are the ends of the recorded windows.' }),
  r({ name: 'job:tokenwatt_report_serving_window:seconds', unit: 'seconds', grafanaUnit: 's', labels: ['cluster', 'job'], help: 'The tokenwatt-report-serving group\'s window, recorded at each evaluation: its samples are the ends of the recorded windows.' }),
  ...([
    ['model_slice:tokenwatt_model_generation_tokens:increase_window', 'tokens', [...MODEL, ...TW_GPU.slice(1), 'gpu_instance_id', 'gpu_profile', 'job'], 'Generated tokens per model and slice in the window.'],
    ['model_slice:tokenwatt_model_prompt_tokens:increase_window', 'tokens', [...MODEL, ...TW_GPU.slice(1), 'gpu_instance_id', 'gpu_profile', 'job'], 'Prompt tokens per model and slice in the window.'],
    ['model_slice:tokenwatt_model_energy_joules:increase_window', 'joules', [...MODEL, ...TW_GPU.slice(1), 'gpu_instance_id', 'gpu_profile', 'job'], 'Energy attributed to a model on a slice in the window.'],
    ['model_slice:tokenwatt_model_cost:increase_window', 'currency', [...MODEL, ...TW_GPU.slice(1), 'gpu_instance_id', 'gpu_profile', 'currency', 'job'], 'Cost of a model on a slice in the window.'],
    ['model_slice:tokenwatt_model_co2e_grams:increase_window', 'grams', [...MODEL, ...TW_GPU.slice(1), 'gpu_instance_id', 'gpu_profile', 'job'], 'CO2e of a model on a slice in the window.'],
    ['slice:tokenwatt_slice_energy_joules:increase_window', 'joules', [...TW_GPU, 'gpu_instance_id', 'gpu_profile', 'state', 'job'], 'Slice energy by state (active, idle) in the window.'],
    ['slice:tokenwatt_slice_cost:increase_window', 'currency', [...TW_GPU, 'gpu_instance_id', 'gpu_profile', 'component', 'currency', 'job'], 'Slice cost by component in the window.'],
    ['slice:tokenwatt_idle_cost:increase_window', 'currency', [...TW_GPU, 'gpu_instance_id', 'gpu_profile', 'currency', 'job'], 'Idle cost of a slice in the window.'],
    ['gpu:tokenwatt_unallocated_energy_joules:increase_window', 'joules', [...TW_GPU, 'job'], 'Energy of MIG capacity no slice holds in the window.'],
    ['gpu:tokenwatt_unallocated_cost:increase_window', 'currency', [...TW_GPU, 'currency', 'job'], 'Cost of MIG capacity no slice holds in the window.'],
    ['gpu:tokenwatt_gpu_energy_joules:increase_window', 'joules', [...TW_GPU, 'job'], 'Board energy in the window.'],
    ['gpu:tokenwatt_gpu_cost:increase_window', 'currency', [...TW_GPU, 'component', 'currency', 'job'], 'GPU cost by component in the window.'],
    ['gpu:tokenwatt_gpu_co2e_grams:increase_window', 'grams', [...TW_GPU, 'job'], 'GPU CO2e in the window.'],
    ['gpu:tokenwatt_gpu_utilization_ratio:avg_over_time_window', 'ratio', [...TW_GPU, 'job'], 'Time-average NVML utilisation over the window.'],
    ['instance:tokenwatt_gpu_energy_joules:resets_window', 'resets', ['cluster', 'instance', 'job'], 'Counter resets (exporter restarts) seen in the window.'],
    ['instance:up:count_over_time_window', 'scrapes', ['cluster', 'instance', 'job'], 'Scrapes of an exporter in the window.'],
    ['instance:up:sum_over_time_window', 'scrapes', ['cluster', 'instance', 'job'], 'Successful scrapes of an exporter in the window.'],
    ['source:tokenwatt_grid_intensity_grams_per_kwh:avg_over_time_window', 'g/kWh', ['cluster', 'source', 'job'], 'Time-average grid intensity over the window.'],
    ['model_name:vllm_e2e_request_latency_seconds_count:increase_window', 'requests', [...MODEL, 'job'], 'Finished vLLM requests per model in the window.'],
    ['model_name:sglang_e2e_request_latency_seconds_count:increase_window', 'requests', [...MODEL, 'job'], 'Finished SGLang requests per model in the window.'],
    ['model_name:vllm_e2e_request_latency_seconds_bucket:increase_window', 'requests', [...MODEL, 'le', 'job'], 'vLLM end-to-end latency histogram buckets per model, increase in the window.'],
    ['model_name:sglang_e2e_request_latency_seconds_bucket:increase_window', 'requests', [...MODEL, 'le', 'job'], 'SGLang end-to-end latency histogram buckets per model, increase in the window.'],
  ] as const).map(([name, unit, labels, help]) => r({ name, unit, grafanaUnit: 'short', labels: [...labels], help })),
]);
