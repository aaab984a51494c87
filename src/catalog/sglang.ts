// SGLang's serving metrics: the same roles as vLLM's under other names (labels model_name,
// engine_type, tp_rank, pp_rank; the scheduler's also moe_ep_rank and optionally dp_rank). Checked
// against sgl-project/sglang python/sglang/srt/metrics/collector.py @ 00ae9c1590d2 (2026): the
// TokenizerMetricsCollector (requests, aborts, cached tokens, latency histograms) and the
// SchedulerMetricsCollector (queue time, retractions, speculative decoding, realtime tokens, GPU
// execution time, utilization).
import { defineMetrics } from './types.ts';

const L = ['model_name', 'engine_type', 'tp_rank', 'pp_rank'] as const;

export const sglangMetrics = defineMetrics([
  { name: 'sglang:prompt_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens processed.', labels: L, source: 'sglang' },
  { name: 'sglang:generation_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Generation tokens processed.', labels: L, source: 'sglang' },
  { name: 'sglang:time_to_first_token_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time to first token.', labels: L, source: 'sglang' },
  { name: 'sglang:inter_token_latency_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Inter-token latency.', labels: L, source: 'sglang' },
  { name: 'sglang:time_per_output_token_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Older SGLang name for per-token decode latency.', labels: L, source: 'sglang', replacedBy: 'sglang:inter_token_latency_seconds' },
  { name: 'sglang:e2e_request_latency_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'End-to-end request latency.', labels: L, source: 'sglang' },
  { name: 'sglang:num_running_reqs', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Running requests.', labels: L, source: 'sglang' },
  { name: 'sglang:num_queue_reqs', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Queued requests.', labels: L, source: 'sglang' },
  { name: 'sglang:token_usage', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'KV-cache token usage, 0-1.', labels: L, source: 'sglang' },
  { name: 'sglang:num_used_tokens', type: 'gauge', unit: 'tokens', grafanaUnit: 'short', help: 'Tokens held in the KV cache.', labels: L, source: 'sglang' },
  { name: 'sglang:cache_hit_rate', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Prefix-cache hit rate, 0-1.', labels: L, source: 'sglang' },
  { name: 'sglang:num_requests_total', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Requests that finished (observe_one_finished_request).', labels: L, source: 'sglang' },
  { name: 'sglang:num_aborted_requests_total', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Requests aborted: client disconnects and errors alike (SGLang does not tell them apart).', labels: L, source: 'sglang' },
  { name: 'sglang:cached_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens served from the prefix (radix) cache.', labels: L, source: 'sglang' },
  { name: 'sglang:queue_time_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time a request waited in the scheduler queue before its first forward pass.', labels: L, source: 'sglang' },
  { name: 'sglang:num_retracted_requests_total', type: 'counter', unit: 'requests', grafanaUnit: 'short', help: 'Requests retracted (KV cache full: evicted and requeued, like vLLM preemptions).', labels: L, source: 'sglang' },
  { name: 'sglang:spec_accept_length', type: 'gauge', unit: 'tokens', grafanaUnit: 'short', help: 'Average accepted length of speculative decoding (tokens per verify step, incl. the bonus token); 0 when off.', labels: L, source: 'sglang' },
  { name: 'sglang:spec_accept_rate', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Accepted / drafted tokens of speculative decoding in the last logged batch; 0 when off.', labels: L, source: 'sglang' },
  { name: 'sglang:realtime_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Tokens processed, counted as scheduled (each log interval), by mode: prefill_compute, prefill_cache, decode.', labels: [...L, 'mode'], source: 'sglang' },
  { name: 'sglang:gpu_execution_seconds_total', type: 'counter', unit: 'seconds', grafanaUnit: 's', help: 'Time the GPU was busy with forward passes, by category (forward mode); only with SGLANG_ENABLE_METRICS_DEVICE_TIMER. Category values are not pinned (⚠).', labels: [...L, 'category'], source: 'sglang' },
  { name: 'sglang:utilization', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Scheduler utilization as SGLang computes it, 0-1.', labels: L, source: 'sglang' },
  { name: 'sglang:gen_throughput', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Generation throughput as computed by SGLang.', labels: L, source: 'sglang' },
] as const);
