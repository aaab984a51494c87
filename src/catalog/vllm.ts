// vLLM V1 engine metrics (vllm/v1/metrics/loggers.py) and the old names they replaced.
// Labels: model_name on every engine series; engine (engine-core index) since V1.
import { defineMetrics } from './types.ts';

const L = ['model_name', 'engine'] as const;
/** Where the names below were checked (src/catalog/types.ts `checked`). */
const LOGGERS = 'vllm/v1/metrics/loggers.py @ 3168f587 (2026, release not pinned)';
const SPEC = 'vllm/v1/spec_decode/metrics.py @ 016a8587 (SpecDecodingProm; loggers.py @ 3168f587 still registers it)';
const PERF = 'vllm/v1/metrics/perf.py @ 00cee63e (PerfMetricsProm), registered by loggers.py @ 3168f587';
const DOCS = 'docs/design/metrics.md @ 0328b592';

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
  { name: 'vllm:cache_config_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'KV-cache configuration, a gauge set to 1 whose labels are the CacheConfig fields (more than listed here, varying by release) and engine; no model_name label.', labels: ['engine', 'block_size', 'cache_dtype', 'gpu_memory_utilization', 'num_gpu_blocks', 'enable_prefix_caching'], source: 'vllm', checked: LOGGERS },
  { name: 'vllm:lora_requests_info', type: 'gauge', unit: 'timestamp', grafanaUnit: 'dateTimeAsIso', help: 'LoRA adapters in use; the value is the Unix time the label set was last current (older label sets keep their old time); no model_name or engine label; only with --enable-lora.', labels: ['max_lora', 'running_lora_adapters', 'waiting_lora_adapters'], source: 'vllm', checked: LOGGERS },
  // Speculative decoding (only with a speculative config): drafts, draft and accepted tokens, accepted per draft position.
  { name: 'vllm:spec_decode_num_drafts_total', type: 'counter', unit: 'drafts', grafanaUnit: 'short', help: 'Speculative-decoding drafts (one per request per step that proposed tokens).', labels: L, source: 'vllm', checked: SPEC },
  { name: 'vllm:spec_decode_num_draft_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Draft tokens proposed.', labels: L, source: 'vllm', checked: SPEC },
  { name: 'vllm:spec_decode_num_accepted_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Draft tokens accepted (acceptance rate = accepted / draft tokens; mean acceptance length = 1 + accepted / drafts).', labels: L, source: 'vllm', checked: SPEC },
  { name: 'vllm:spec_decode_num_accepted_tokens_per_pos_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Accepted tokens by draft position (0 .. num_speculative_tokens-1); / drafts = acceptance rate at that position.', labels: [...L, 'position'], source: 'vllm', checked: SPEC },
  // Scheduler state beyond running/waiting.
  { name: 'vllm:num_requests_waiting_by_reason', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Waiting requests by reason: capacity (not yet attempted) or deferred (attempted, blocked by LoRA budget, async KV transfer...); sums to vllm:num_requests_waiting.', labels: [...L, 'reason'], source: 'vllm', since: '2026-03 (PR #38435)', checked: 'vllm-project/vllm PR #38435 (merged 2026-03); not yet in loggers.py @ 3168f587' },
  { name: 'vllm:engine_sleep_state', type: 'gauge', unit: 'bool', grafanaUnit: 'short', help: 'Sleep mode, one series per sleep_state: awake=1 when awake; weights_offloaded=1 at sleep level 1; discard_all=1 at sleep level 2.', labels: [...L, 'sleep_state'], source: 'vllm', checked: LOGGERS },
  // Prompt tokens by where their KV came from.
  { name: 'vllm:prompt_tokens_by_source_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens by source: local_compute (prefilled here), local_cache_hit (local prefix cache), external_kv_transfer (KV connector: offload tier or another instance).', labels: [...L, 'source'], source: 'vllm', checked: `${LOGGERS}; sources from PromptTokenStats.ALL_SOURCES in vllm/v1/metrics/stats.py` },
  { name: 'vllm:prompt_tokens_cached_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens not prefilled because their KV was cached (local + external).', labels: L, source: 'vllm', checked: LOGGERS },
  { name: 'vllm:prompt_tokens_recomputed_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Cached prompt tokens recomputed anyway (the last token when the whole prompt was cached).', labels: L, source: 'vllm', checked: LOGGERS },
  { name: 'vllm:external_prefix_cache_queries_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prefix-cache queries to the KV connector (cross-instance or offload tier), in tokens.', labels: L, source: 'vllm', checked: LOGGERS },
  { name: 'vllm:external_prefix_cache_hits_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prefix-cache hits from the KV connector, in tokens.', labels: L, source: 'vllm', checked: LOGGERS },
  // Model FLOPs utilisation estimates (--enable-mfu-metrics).
  { name: 'vllm:estimated_flops_per_gpu_total', type: 'counter', unit: 'FLOP', grafanaUnit: 'short', help: 'Estimated floating-point operations per GPU of the engine (analytic, from shapes; opt-in --enable-mfu-metrics).', labels: L, source: 'vllm', optional: true, checked: PERF },
  { name: 'vllm:estimated_read_bytes_per_gpu_total', type: 'counter', unit: 'bytes', grafanaUnit: 'bytes', help: 'Estimated bytes read from GPU memory per GPU (opt-in --enable-mfu-metrics).', labels: L, source: 'vllm', optional: true, checked: PERF },
  { name: 'vllm:estimated_write_bytes_per_gpu_total', type: 'counter', unit: 'bytes', grafanaUnit: 'bytes', help: 'Estimated bytes written to GPU memory per GPU (opt-in --enable-mfu-metrics).', labels: L, source: 'vllm', optional: true, checked: PERF },
  // KV-cache block residency, sampled (opt-in --kv-cache-metrics).
  { name: 'vllm:kv_block_lifetime_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Sampled KV-cache block lifetime, allocation to eviction (opt-in --kv-cache-metrics).', labels: L, source: 'vllm', optional: true, checked: LOGGERS },
  { name: 'vllm:kv_block_idle_before_evict_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Sampled idle time of a KV-cache block before its eviction (opt-in --kv-cache-metrics).', labels: L, source: 'vllm', optional: true, checked: LOGGERS },
  { name: 'vllm:kv_block_reuse_gap_seconds', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Sampled gaps between consecutive accesses of a KV-cache block (opt-in --kv-cache-metrics).', labels: L, source: 'vllm', optional: true, checked: LOGGERS },
  // The API server process (not the engine): prometheus-fastapi-instrumentator and prometheus_client's process collector.
  { name: 'http_requests_total', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'vLLM API server HTTP requests (prometheus-fastapi-instrumentator): status grouped as 2xx, 4xx, 5xx; no model_name label.', labels: ['handler', 'method', 'status'], source: 'vllm', checked: DOCS },
  { name: 'process_start_time_seconds', type: 'gauge', unit: 'seconds', grafanaUnit: 'dateTimeAsIso', help: 'Unix time the serving process started (prometheus_client process collector of a Python engine: vLLM, SGLang); absent under vLLM --api-server-count > 1 (multiprocess mode).', labels: [], source: 'vllm', checked: DOCS },
  { name: 'vllm:avg_prompt_throughput_toks_per_s', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Removed 2025-01: use the rate of vllm:prompt_tokens_total.', labels: ['model_name'], source: 'vllm', replacedBy: 'vllm:prompt_tokens_total', removed: '2025-01' },
  { name: 'vllm:avg_generation_throughput_toks_per_s', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Removed 2025-01: use the rate of vllm:generation_tokens_total.', labels: ['model_name'], source: 'vllm', replacedBy: 'vllm:generation_tokens_total', removed: '2025-01' },
] as const);
