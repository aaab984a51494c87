// vLLM V1 engine metrics (vllm/v1/metrics/loggers.py) and the old names they replaced.
// Labels: model_name on every engine series; engine (engine-core index) since V1.
import { defineMetrics } from './types.ts';

const L = ['model_name', 'engine'] as const;

export const vllmMetrics = defineMetrics([
  { name: 'vllm:num_requests_running', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests in model execution batches.', labels: L, source: 'vllm' },
  { name: 'vllm:num_requests_waiting', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests waiting to be scheduled (includes deferred requests since 2026-04).', labels: L, source: 'vllm' },
  { name: 'vllm:kv_cache_usage_perc', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'KV-cache usage as a 0-1 fraction despite the name.', labels: L, source: 'vllm', since: '0.9.2' },
  { name: 'vllm:gpu_cache_usage_perc', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Old name of vllm:kv_cache_usage_perc.', labels: L, source: 'vllm', replacedBy: 'vllm:kv_cache_usage_perc', deprecated: '0.9.2', hidden: '0.11', removed: '0.12' },
  { name: 'vllm:prompt_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prefill (prompt) tokens processed.', labels: L, source: 'vllm' },
  { name: 'vllm:generation_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Generation (output) tokens processed.', labels: L, source: 'vllm' },
  { name: 'vllm:request_success_total', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Finished requests by finished_reason (stop, length, abort, error, repetition).', labels: [...L, 'finished_reason'], source: 'vllm' },
  { name: 'vllm:num_preemptions_total', type: 'counter', unit: 'preemptions', grafanaUnit: 'short', help: 'Cumulative preemptions from the engine.', labels: L, source: 'vllm' },
  { name: 'vllm:prefix_cache_queries_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prefix-cache queries, in tokens.', labels: L, source: 'vllm', since: '0.9.2' },
  { name: 'vllm:prefix_cache_hits_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prefix-cache hits, in tokens.', labels: L, source: 'vllm', since: '0.9.2' },
  { name: 'vllm:gpu_prefix_cache_queries_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Old name of vllm:prefix_cache_queries_total.', labels: L, source: 'vllm', replacedBy: 'vllm:prefix_cache_queries_total', deprecated: '0.9.2', hidden: '0.11', removed: '0.12' },
  { name: 'vllm:gpu_prefix_cache_hits_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Old name of vllm:prefix_cache_hits_total.', labels: L, source: 'vllm', replacedBy: 'vllm:prefix_cache_hits_total', deprecated: '0.9.2', hidden: '0.11', removed: '0.12' },
  { name: 'vllm:time_to_first_token_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time to first token (buckets 0.001 to 2560 s).', labels: L, source: 'vllm' },
  { name: 'vllm:inter_token_latency_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Inter-token latency, one observation per decode step.', labels: L, source: 'vllm', since: '0.11' },
  { name: 'vllm:time_per_output_token_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Old name of vllm:inter_token_latency_seconds.', labels: L, source: 'vllm', replacedBy: 'vllm:inter_token_latency_seconds', deprecated: '0.11', hidden: '0.12', removed: '0.15' },
  { name: 'vllm:request_time_per_output_token_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Per-request mean time per output token (not the renamed TPOT).', labels: L, source: 'vllm' },
  { name: 'vllm:e2e_request_latency_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'End-to-end request latency.', labels: L, source: 'vllm' },
  { name: 'vllm:request_queue_time_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent waiting in the queue.', labels: L, source: 'vllm' },
  { name: 'vllm:request_inference_time_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent running.', labels: L, source: 'vllm' },
  { name: 'vllm:request_prefill_time_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent in prefill.', labels: L, source: 'vllm' },
  { name: 'vllm:request_decode_time_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent in decode.', labels: L, source: 'vllm' },
  { name: 'vllm:request_prompt_tokens', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt length per request (1-2-5 buckets up to max_model_len).', labels: L, source: 'vllm' },
  { name: 'vllm:request_generation_tokens', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'Generated length per request (1-2-5 buckets up to max_model_len).', labels: L, source: 'vllm' },
  { name: 'vllm:iteration_tokens_total', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'Tokens per engine step (a histogram whose name ends in _total).', labels: L, source: 'vllm' },
  { name: 'vllm:cache_config_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'KV-cache configuration (no model_name label).', labels: ['block_size', 'cache_dtype', 'gpu_memory_utilization', 'num_gpu_blocks', 'enable_prefix_caching'], source: 'vllm' },
  { name: 'vllm:lora_requests_info', type: 'gauge', unit: 'timestamp', grafanaUnit: 'dateTimeAsIso', help: 'LoRA adapters in use; the value is a timestamp.', labels: ['max_lora', 'running_lora_adapters', 'waiting_lora_adapters'], source: 'vllm' },
  { name: 'vllm:avg_prompt_throughput_toks_per_s', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Removed 2025-01: use the rate of vllm:prompt_tokens_total.', labels: ['model_name'], source: 'vllm', replacedBy: 'vllm:prompt_tokens_total', removed: '2025-01' },
  { name: 'vllm:avg_generation_throughput_toks_per_s', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Removed 2025-01: use the rate of vllm:generation_tokens_total.', labels: ['model_name'], source: 'vllm', replacedBy: 'vllm:generation_tokens_total', removed: '2025-01' },
] as const);
