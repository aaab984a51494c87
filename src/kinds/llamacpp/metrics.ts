// llama.cpp's llama-server (--metrics): checked against ggml-org/llama.cpp tools/server/server-context.cpp
// at 001d906a (the /metrics handler) and to_metrics() in tools/server/server-task.cpp. Prefix
// `llamacpp:`, no labels (one model per server; `position` on the per-position spec-decode counter);
// tokenwatt's scrape job adds `model_name` as a target label. /metrics answers only with --metrics.
import { defineMetrics } from '../../catalog/types.ts';

/** model_name is the scrape's target label, not llama.cpp's own. */
const L = ['model_name'] as const;

export const llamacppMetrics = defineMetrics([
  { name: 'llamacpp:prompt_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens processed (prefix-cache hits excluded).', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:prompt_tokens_cached_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens served from the prompt cache.', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:prompt_seconds_total', type: 'counter', unit: 'seconds', grafanaUnit: 's', help: 'Time spent processing prompts.', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:tokens_predicted_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Generation tokens produced.', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:tokens_predicted_seconds_total', type: 'counter', unit: 'seconds', grafanaUnit: 's', help: 'Time spent generating tokens.', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:n_decode_total', type: 'counter', unit: 'calls', grafanaUnit: 'short', help: 'llama_decode() calls.', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:n_tokens_max', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Largest number of tokens in a context seen (a high-water mark, typed counter).', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:n_busy_slots_per_decode', type: 'gauge', unit: 'slots', grafanaUnit: 'short', help: 'Average busy slots per llama_decode() call (some older builds type it counter).', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:prompt_tokens_seconds', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Prompt throughput since the previous scrape: every scrape resets its window, so two scrapers disturb each other (use the counters).', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:predicted_tokens_seconds', type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', help: 'Generation throughput since the previous scrape (reset by every scrape; use the counters).', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:requests_processing', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests being processed (busy slots).', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:requests_deferred', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests deferred for want of a free slot.', labels: L, source: 'llamacpp' },
  { name: 'llamacpp:kv_cache_usage_ratio', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'KV-cache usage, 0-1 (removed upstream in PR #13660, 2025; still served by older builds and forks).', labels: L, source: 'llamacpp', removed: '2025 (PR #13660)' },
  { name: 'llamacpp:kv_cache_tokens', type: 'gauge', unit: 'tokens', grafanaUnit: 'short', help: 'Tokens in the KV cache (removed upstream in PR #13660).', labels: L, source: 'llamacpp', removed: '2025 (PR #13660)' },
  { name: 'llamacpp:spec_decode_num_drafts_total', type: 'counter', unit: 'drafts', grafanaUnit: 'short', help: 'Speculative-decoding drafts.', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:spec_decode_num_draft_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Draft tokens proposed.', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:spec_decode_num_accepted_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Draft tokens accepted.', labels: L, source: 'llamacpp', optional: true },
  { name: 'llamacpp:spec_decode_num_accepted_tokens_per_pos_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Draft tokens accepted per draft position.', labels: [...L, 'position'], source: 'llamacpp', optional: true },
] as const);

const MODEL = ['cluster', 'namespace', 'model_name'] as const;

/** What src/kinds/llamacpp/recording.ts records per model: the series the dashboard's llama.cpp row reads. */
export const LLAMACPP_RECORDED = {
  promptTokens: 'model_name:llamacpp_prompt_tokens:rate5m',
  generatedTokens: 'model_name:llamacpp_tokens_predicted:rate5m',
  promptSeconds: 'model_name:llamacpp_prompt_seconds:rate5m',
  generatedSeconds: 'model_name:llamacpp_tokens_predicted_seconds:rate5m',
  processing: 'model_name:llamacpp_requests_processing:sum',
  deferred: 'model_name:llamacpp_requests_deferred:sum',
} as const;

export const llamacppRecordedMetrics = defineMetrics([
  { name: LLAMACPP_RECORDED.promptTokens, type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp prompt tokens per second per model (cache hits excluded).' },
  { name: LLAMACPP_RECORDED.generatedTokens, type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp generated tokens per second per model.' },
  { name: LLAMACPP_RECORDED.promptSeconds, type: 'gauge', unit: 'seconds/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp prompt-processing seconds per second per model.' },
  { name: LLAMACPP_RECORDED.generatedSeconds, type: 'gauge', unit: 'seconds/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp generation seconds per second per model.' },
  { name: LLAMACPP_RECORDED.processing, type: 'gauge', unit: 'requests', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp requests being processed per model.' },
  { name: LLAMACPP_RECORDED.deferred, type: 'gauge', unit: 'requests', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'llama.cpp requests deferred per model.' },
] as const);
