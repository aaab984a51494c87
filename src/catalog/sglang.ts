// SGLang's serving metrics: the same roles as vLLM's under other names (labels model_name,
// engine_type, tp_rank, pp_rank).
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
  { name: 'sglang:gen_throughput', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Generation throughput as computed by SGLang.', labels: L, source: 'sglang' },
] as const);
