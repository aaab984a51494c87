// Names of tokenwatt's recording rules (level:metric:operations). The rules themselves live in
// rules/; their names are declared here so that dashboards and alerts can only use real ones.
// Level labels: `gpu:` one series per physical GPU (cluster, host, gpu, UUID), `model_name:` one
// per served model (cluster, namespace, model_name), `cluster:` one per cluster.
import { ENGINE_SIGNALS, TOKENS_WINDOW, TTFT_WINDOW } from '../autoscaling/signals.ts';
import { defineMetrics } from './types.ts';
import type { MetricDef } from './types.ts';

const MODEL = ['cluster', 'namespace', 'model_name'] as const;
const BOARD = ['cluster', 'host', 'gpu', 'UUID'] as const;

type Spec = Pick<MetricDef, 'name' | 'unit' | 'grafanaUnit' | 'help' | 'labels'>;
const r = (s: Spec): MetricDef => ({ ...s, type: 'gauge', source: 'recording' });

/** Windows a burn-rate ratio may be recorded over (config.alerting.slo windows must be among them). */
export const SLO_WINDOWS = ['1m', '2m', '5m', '10m', '15m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** The SLIs with burn-rate ratios: TTFT over its threshold, and failed requests. */
export const SLO_RATIOS = {
  ttft: { metric: 'vllm_ttft_slow_requests', help: 'Fraction of requests whose time to first token exceeded the SLO threshold' },
  errors: { metric: 'vllm_request_errors', help: 'Fraction of finished requests that ended in an error' },
} as const;
export type SloKind = keyof typeof SLO_RATIOS;

/** `model_name:vllm_request_errors:ratio_rate1h` and friends. */
export function sloRatioName(kind: SloKind, window: string): string {
  return `model_name:${SLO_RATIOS[kind].metric}:ratio_rate${window}`;
}

const quantiles = (metric: string, what: string): MetricDef[] => (['50', '90', '99'] as const).map((q) => r({
  name: `model_name:${metric}:p${q}_rate5m`, unit: 'seconds', grafanaUnit: 's', labels: MODEL,
  help: `${q}th percentile ${what} per model over 5 minutes (histogram_quantile of bucket rates).`,
}));

export const recordingMetrics = defineMetrics([
  // rules/gpu-inventory.ts
  r({ name: 'host:dcgm_gpus:count', unit: 'GPUs', grafanaUnit: 'short', labels: ['cluster', 'host'], help: 'Physical GPUs dcgm-exporter reports on a host (MIG instances of one GPU count once).' }),
  // rules/gpu-power.ts
  r({ name: 'gpu:dcgm_board_power_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: BOARD, help: 'Board power from the dcgm-exporter energy counter (mJ rate / 1000), one series per physical GPU even under MIG.' }),
  r({ name: 'gpu:tokenwatt_gpu_power_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: ['cluster', 'host', 'gpu', 'gpu_uuid', 'gpu_model'], help: 'Board power from tokenwatt\'s reset-corrected energy counter.' }),
  r({ name: 'cluster:dcgm_board_power_watts:sum', unit: 'watts', grafanaUnit: 'watt', labels: ['cluster'], help: 'GPU board power of a cluster, each physical GPU counted once.' }),
  // rules/model-efficiency.ts
  r({ name: 'model_name:tokenwatt_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Generated tokens per second per model.' }),
  r({ name: 'model_name:tokenwatt_energy_watts:rate5m', unit: 'watts', grafanaUnit: 'watt', labels: MODEL, help: 'Energy attributed to a model per second (J/s = W).' }),
  r({ name: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m', unit: 'tokens/J', grafanaUnit: 'none', labels: MODEL, help: 'Generated tokens per joule per model over 5 minutes.' }),
  r({ name: 'model_name:tokenwatt_cost_per_million_tokens:ratio_rate5m', unit: 'currency', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'currency'], help: 'Cost per million generated tokens per model over 5 minutes.' }),
  r({ name: 'model_name:tokenwatt_cost_per_hour:rate5m', unit: 'currency/h', grafanaUnit: 'currencyUSD', labels: [...MODEL, 'currency'], help: 'Cost per hour of a model at its 5-minute rate.' }),
  // rules/serving-latency.ts
  ...quantiles('vllm_time_to_first_token_seconds', 'time to first token'),
  ...quantiles('vllm_inter_token_latency_seconds', 'inter-token latency'),
  // rules/slo-ttft.ts, rules/slo-errors.ts
  ...(Object.keys(SLO_RATIOS) as SloKind[]).flatMap((kind) => SLO_WINDOWS.map((w) => r({
    name: sloRatioName(kind, w), unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL,
    help: `${SLO_RATIOS[kind].help}, over ${w} (burn rate = ratio / (1 - objective)).`,
  }))),
  // rules/autoscaling.ts: signals for HPA (prometheus-adapter) or KEDA's prometheus scaler.
  r({ name: 'model_name:vllm_num_requests_running:sum', unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: 'Requests running per model, all replicas.' }),
  r({ name: 'model_name:vllm_kv_cache_headroom:ratio', unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: 'Free KV-cache fraction of the fullest replica of a model (1 - max usage): token headroom.' }),
  r({ name: 'model_name:vllm_generation_tokens:rate5m', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: 'Generated tokens per second per model, from vLLM\'s own counter.' }),
  // rules/autoscaling.ts, one group per engine kind: the trigger signals of src/autoscaling/signals.ts.
  ...Object.entries(ENGINE_SIGNALS).flatMap(([kind, s]) => [
    r({ name: s.recorded.waiting, unit: 'requests', grafanaUnit: 'short', labels: MODEL, help: `Requests queued per model, all ${kind} replicas: the scale-out signal.` }),
    r({ name: s.recorded.kvUsage, unit: 'ratio', grafanaUnit: 'percentunit', labels: MODEL, help: `Mean KV-cache usage over the ${kind} replicas of a model, 0-1.` }),
    r({ name: s.recorded.generationTokens, unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, help: `Generated tokens per second per model over ${TOKENS_WINDOW} (${kind}): the token-headroom signal.` }),
    r({ name: s.recorded.ttftP95, unit: 'seconds', grafanaUnit: 's', labels: MODEL, help: `95th percentile time to first token per model over ${TTFT_WINDOW} (${kind}); NaN without traffic.` }),
  ]),
]);
