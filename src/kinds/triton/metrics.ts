// NVIDIA Triton Inference Server, checked against triton-inference-server/core src/metrics.cc and
// src/metric_model_reporter.cc at 73aad7c3 and the server's docs/user_guide/metrics.md at 067c1e96;
// the TensorRT-LLM backend's families against NVIDIA/TensorRT-LLM triton_backend custom_metrics_reporter.cc
// at 0d5352f5. Served on :8002/metrics. Model series carry `model` and `version` (tokenwatt's scrape
// copies `model` into model_name at ingest); GPU series carry `gpu_uuid`.
//
// Triton core counts inferences, not tokens: no tokens per joule from it. Tokens come only from a
// backend that counts them: the vLLM backend's vllm:* series (src/catalog/vllm.ts, read with Triton's
// labels) when REPORT_CUSTOM_METRICS is on.
import { defineMetrics } from '../../catalog/types.ts';

const M = ['model', 'version', 'model_name'] as const;
const G = ['gpu_uuid'] as const;

export const tritonMetrics = defineMetrics([
  { name: 'nv_inference_request_success', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Successful inference requests.', labels: M, source: 'triton' },
  { name: 'nv_inference_request_failure', type: 'counter', unit: 'requests', grafanaUnit: 'reqps', help: 'Failed inference requests by reason (REJECTED, CANCELED, BACKEND, OTHER).', labels: [...M, 'reason'], source: 'triton' },
  { name: 'nv_inference_count', type: 'counter', unit: 'inferences', grafanaUnit: 'short', help: 'Inferences performed (a batch of n counts n; cache hits excluded).', labels: M, source: 'triton' },
  { name: 'nv_inference_exec_count', type: 'counter', unit: 'executions', grafanaUnit: 'short', help: 'Model executions (batches).', labels: M, source: 'triton' },
  { name: 'nv_inference_request_duration_us', type: 'counter', unit: 'microseconds', grafanaUnit: 'µs', help: 'Cumulative end-to-end inference request time.', labels: M, source: 'triton' },
  { name: 'nv_inference_queue_duration_us', type: 'counter', unit: 'microseconds', grafanaUnit: 'µs', help: 'Cumulative time requests waited in the scheduling queue.', labels: M, source: 'triton' },
  { name: 'nv_inference_compute_input_duration_us', type: 'counter', unit: 'microseconds', grafanaUnit: 'µs', help: 'Cumulative time processing inputs.', labels: M, source: 'triton' },
  { name: 'nv_inference_compute_infer_duration_us', type: 'counter', unit: 'microseconds', grafanaUnit: 'µs', help: 'Cumulative time executing the model.', labels: M, source: 'triton' },
  { name: 'nv_inference_compute_output_duration_us', type: 'counter', unit: 'microseconds', grafanaUnit: 'µs', help: 'Cumulative time processing outputs.', labels: M, source: 'triton' },
  { name: 'nv_inference_pending_request_count', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'Requests received and not yet executing (queued).', labels: M, source: 'triton' },
  { name: 'nv_inference_first_response_histogram_ms', type: 'histogram', unit: 'milliseconds', grafanaUnit: 'ms', help: 'Time to first response (decoupled models; opt-in: histogram_latencies=true).', labels: M, source: 'triton', optional: true },
  { name: 'nv_model_load_duration_secs', type: 'gauge', unit: 'seconds', grafanaUnit: 's', help: 'Time the model took to load.', labels: M, source: 'triton', optional: true },
  { name: 'nv_cache_num_hits_per_model', type: 'counter', unit: 'hits', grafanaUnit: 'short', help: 'Response-cache hits per model.', labels: M, source: 'triton', optional: true },
  { name: 'nv_cache_num_misses_per_model', type: 'counter', unit: 'misses', grafanaUnit: 'short', help: 'Response-cache misses per model.', labels: M, source: 'triton', optional: true },
  { name: 'nv_gpu_utilization', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'GPU utilization, 0-1, polled every --metrics-interval-ms.', labels: G, source: 'triton' },
  { name: 'nv_gpu_memory_total_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'GPU memory total.', labels: G, source: 'triton' },
  { name: 'nv_gpu_memory_used_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'GPU memory used.', labels: G, source: 'triton' },
  { name: 'nv_gpu_power_usage', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'GPU power draw.', labels: G, source: 'triton' },
  { name: 'nv_gpu_power_limit', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'GPU power limit.', labels: G, source: 'triton' },
  { name: 'nv_energy_consumption', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'GPU energy since Triton started (DCGM energy deltas, mJ x 0.001; the first sample is the baseline).', labels: G, source: 'triton' },
  { name: 'nv_cpu_utilization', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'CPU utilization over the last interval, 0-1.', labels: [], source: 'triton', optional: true },
  { name: 'nv_pinned_memory_pool_total_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'Pinned memory pool size.', labels: [], source: 'triton', optional: true },
  { name: 'nv_pinned_memory_pool_used_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'Pinned memory pool in use.', labels: [], source: 'triton', optional: true },
  // TensorRT-LLM backend (inflight batcher): every family has model, version and one category label.
  { name: 'nv_trt_llm_request_metrics', type: 'gauge', unit: 'requests', grafanaUnit: 'short', help: 'TensorRT-LLM requests by request_type (active, max, scheduled, context, waiting).', labels: [...M, 'request_type'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_runtime_memory_metrics', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'TensorRT-LLM runtime memory by memory_type (cpu, gpu, pinned; unit unverified).', labels: [...M, 'memory_type'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_kv_cache_block_metrics', type: 'gauge', unit: 'blocks', grafanaUnit: 'short', help: 'TensorRT-LLM KV-cache blocks by kv_cache_block_type (max, free, used, tokens_per, reused, fraction).', labels: [...M, 'kv_cache_block_type'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_inflight_batcher_metrics', type: 'gauge', unit: 'count', grafanaUnit: 'short', help: 'TensorRT-LLM inflight batcher per iteration (total_context_tokens, generation_requests, micro_batch_id, paused_requests): not running totals.', labels: [...M, 'inflight_batcher_specific_metric'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_v1_metrics', type: 'gauge', unit: 'count', grafanaUnit: 'short', help: 'TensorRT-LLM V1 models per iteration (total_context_tokens, total_generation_tokens, empty_generation_slots).', labels: [...M, 'v1_specific_metric'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_general_metrics', type: 'gauge', unit: 'count', grafanaUnit: 'short', help: 'TensorRT-LLM general_type (timestamp, iteration_counter).', labels: [...M, 'general_type'], source: 'triton', optional: true },
  { name: 'nv_trt_llm_disaggregated_serving_metrics', type: 'counter', unit: 'count', grafanaUnit: 'short', help: 'TensorRT-LLM disaggregated serving (kv_cache_transfer_ms, request_count).', labels: [...M, 'disaggregated_serving_type'], source: 'triton', optional: true },
  { name: 'nv_llm_input_token_len', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'TensorRT-LLM input tokens per request (buckets 10, 50, 100, 500, 1000; per-request fill unverified).', labels: [...M, 'response_metric_type'], source: 'triton', optional: true },
  { name: 'nv_llm_output_token_len', type: 'histogram', unit: 'tokens', grafanaUnit: 'short', help: 'TensorRT-LLM output tokens per request (per-request fill unverified).', labels: [...M, 'response_metric_type'], source: 'triton', optional: true },
] as const);

const MODEL = ['cluster', 'namespace', 'model_name'] as const;

/** What src/kinds/triton/recording.ts records per model: the series the dashboard's Triton row reads. */
export const TRITON_RECORDED = {
  success: 'model_name:nv_inference_request_success:rate5m',
  failure: 'model_name:nv_inference_request_failure:rate5m',
  inferences: 'model_name:nv_inference_count:rate5m',
  requestUs: 'model_name:nv_inference_request_duration_us:rate5m',
  queueUs: 'model_name:nv_inference_queue_duration_us:rate5m',
  inferUs: 'model_name:nv_inference_compute_infer_duration_us:rate5m',
  pending: 'model_name:nv_inference_pending_request_count:sum',
} as const;

export const tritonRecordedMetrics = defineMetrics([
  { name: TRITON_RECORDED.success, type: 'gauge', unit: 'requests/s', grafanaUnit: 'reqps', labels: MODEL, source: 'recording', help: 'Triton successful inference requests per second per model.' },
  { name: TRITON_RECORDED.failure, type: 'gauge', unit: 'requests/s', grafanaUnit: 'reqps', labels: [...MODEL, 'reason'], source: 'recording', help: 'Triton failed inference requests per second per model and reason.' },
  { name: TRITON_RECORDED.inferences, type: 'gauge', unit: 'inferences/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'Triton inferences per second per model.' },
  { name: TRITON_RECORDED.requestUs, type: 'gauge', unit: 'µs/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'Triton request time accrued per second per model (µs).' },
  { name: TRITON_RECORDED.queueUs, type: 'gauge', unit: 'µs/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'Triton queue time accrued per second per model (µs).' },
  { name: TRITON_RECORDED.inferUs, type: 'gauge', unit: 'µs/s', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'Triton model-execution time accrued per second per model (µs).' },
  { name: TRITON_RECORDED.pending, type: 'gauge', unit: 'requests', grafanaUnit: 'short', labels: MODEL, source: 'recording', help: 'Triton pending requests per model.' },
] as const);
