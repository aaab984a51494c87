// Hugging Face Text Generation Inference (TGI), checked against TGI v3.3.7 (router/src/server.rs,
// router/src/validation.rs, backends/v3/src/*.rs at db931fcf42da018a3657580c64bf2720f167f9ab) and the
// metrics reference (docs/source/reference/metrics.md). The Rust router renders them with
// metrics-exporter-prometheus: counters keep their names (no `_total`), and no series carries a
// model label: tokenwatt's scrape job adds `model_name` as a target label (the static target group's
// labels, or the pod label tokenwatt.io/model on Kubernetes).
//
// TGI counts no tokens in counters. Its per-request histograms' `_sum` series are monotonic token
// totals: tgi_request_input_length (observed at validation, so it also counts requests that fail
// later) and tgi_request_generated_tokens (successful requests only, at completion).
import { bucketRateName } from '../../catalog/recording.ts';
import { defineMetrics } from '../../catalog/types.ts';

/** model_name is the scrape's target label, not TGI's own. */
const L = ['model_name'] as const;
const M = ['model_name', 'method'] as const;

export const tgiMetrics = defineMetrics([
  { name: 'tgi_request_count', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Requests received (counted before validation).', labels: L, source: 'tgi' },
  { name: 'tgi_request_success', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Requests that finished successfully.', labels: L, source: 'tgi' },
  { name: 'tgi_request_failure', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Failed requests by err (overloaded, validation, template, incomplete, dropped, generation).', labels: [...L, 'err'], source: 'tgi' },
  { name: 'tgi_queue_size', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests waiting in the router queue.', labels: L, source: 'tgi' },
  { name: 'tgi_batch_current_size', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests in the running batch.', labels: L, source: 'tgi' },
  { name: 'tgi_batch_current_max_tokens', type: 'gauge', unit: 'tokens', grafanaUnit: 'short', help: 'Token budget the running batch may reach.', labels: L, source: 'tgi' },
  { name: 'tgi_batch_max_total_tokens', type: 'gauge', unit: 'tokens', grafanaUnit: 'short', help: 'Maximum tokens of a batch, set at warmup (v3 backend).', labels: L, source: 'tgi', since: '3.0' },
  { name: 'tgi_batch_inference_count', type: 'counter', unit: 'batches', grafanaUnit: 'short', help: 'Forward calls per method (prefill or decode).', labels: M, source: 'tgi' },
  { name: 'tgi_batch_inference_success', type: 'counter', unit: 'batches', grafanaUnit: 'short', help: 'Successful forward calls per method.', labels: M, source: 'tgi' },
  { name: 'tgi_batch_inference_failure', type: 'counter', unit: 'batches', grafanaUnit: 'short', help: 'Failed forward calls per method.', labels: M, source: 'tgi' },
  { name: 'tgi_batch_concat', type: 'counter', unit: 'batches', grafanaUnit: 'short', help: 'Batches concatenated into the running one, by reason (backpressure, wait_exceeded, chunking).', labels: [...L, 'reason'], source: 'tgi' },
  { name: 'tgi_request_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'End-to-end request latency (successful requests; 35 buckets from 0.00015 s, x1.5).', labels: L, source: 'tgi' },
  { name: 'tgi_request_validation_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time validating and tokenizing a request.', labels: L, source: 'tgi' },
  { name: 'tgi_request_queue_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent in the queue.', labels: L, source: 'tgi' },
  { name: 'tgi_request_inference_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time requests spent in inference (prefill and decode).', labels: L, source: 'tgi' },
  { name: 'tgi_request_mean_time_per_token_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Per-request mean time per output token (TPOT).', labels: L, source: 'tgi' },
  { name: 'tgi_request_input_length', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens per request, observed at validation; its _sum is the prompt-token total.', labels: L, source: 'tgi' },
  { name: 'tgi_request_generated_tokens', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'Generated tokens per successful request; its _sum is the generated-token total.', labels: L, source: 'tgi' },
  { name: 'tgi_request_max_new_tokens', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'max_new_tokens asked per request.', labels: L, source: 'tgi' },
  { name: 'tgi_request_skipped_tokens', type: 'summary', unit: 'tokens', grafanaUnit: 'short', help: 'Speculated tokens per request (no buckets configured: rendered as a summary).', labels: L, source: 'tgi', optional: true },
  { name: 'tgi_batch_next_size', type: 'histogram', unit: 'requests', grafanaUnit: 'short', help: 'Size of each new batch taken from the queue.', labels: L, source: 'tgi' },
  { name: 'tgi_batch_forward_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Batch forward time per method (prefill or decode).', labels: M, source: 'tgi' },
  { name: 'tgi_batch_decode_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time decoding a batch per method.', labels: M, source: 'tgi' },
  { name: 'tgi_batch_filter_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time filtering batches and sending generated tokens per method.', labels: M, source: 'tgi' },
  { name: 'tgi_batch_inference_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Batch inference time per method; the prefill series bounds time to first token from below.', labels: M, source: 'tgi' },
  { name: 'tgi_batch_concat_duration', type: 'histogram', unit: 'seconds', grafanaUnit: 's', help: 'Time concatenating batches.', labels: L, source: 'tgi' },
] as const);

// What src/kinds/tgi/recording.ts records per model: the series the dashboard's TGI row reads.
const MODEL = ['cluster', 'namespace', 'model_name'] as const;
export const TGI_HISTOGRAMS = ['tgi_request_duration', 'tgi_request_queue_duration', 'tgi_request_mean_time_per_token_duration'] as const;

export const TGI_RECORDED = {
  promptTokens: 'model_name:tgi_prompt_tokens:rate5m',
  generatedTokens: 'model_name:tgi_generated_tokens:rate5m',
  success: 'model_name:tgi_request_success:rate5m',
  failure: 'model_name:tgi_request_failure:rate5m',
  running: 'model_name:tgi_batch_current_size:sum',
  waiting: 'model_name:tgi_queue_size:sum',
} as const;

export const tgiRecordedMetrics = defineMetrics([
  { name: TGI_RECORDED.promptTokens, type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'TGI prompt tokens per second per model (rate of tgi_request_input_length_sum: counted at validation).' },
  { name: TGI_RECORDED.generatedTokens, type: 'gauge', unit: 'tokens/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'TGI generated tokens per second per model (rate of tgi_request_generated_tokens_sum: counted when a request succeeds).' },
  { name: TGI_RECORDED.success, type: 'gauge', unit: 'requests/s', grafanaUnit: 'reqps', labels: MODEL, source: 'recording', help: 'TGI successful requests per second per model.' },
  { name: TGI_RECORDED.failure, type: 'gauge', unit: 'requests/s', grafanaUnit: 'reqps', labels: [...MODEL, 'err'], source: 'recording', help: 'TGI failed requests per second per model and err.' },
  { name: TGI_RECORDED.running, type: 'gauge', unit: 'requests', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'TGI requests in running batches per model.' },
  { name: TGI_RECORDED.waiting, type: 'gauge', unit: 'requests', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'TGI requests in router queues per model.' },
  ...TGI_HISTOGRAMS.map((h) => ({ name: bucketRateName(h), type: 'gauge' as const, unit: 'observations/s', grafanaUnit: 'short', labels: [...MODEL, 'le'], source: 'recording' as const, help: `Per-model 5m rate of the ${h} buckets.` })),
] as const);

