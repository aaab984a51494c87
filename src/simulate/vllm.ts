// A vLLM-shaped /metrics for one simulated engine: catalog names (src/catalog/vllm.ts), labels sorted
// as prometheus_client prints them, bucket bounds as floats (le="1.0"), values as Python floats.
// names: v1 (current: engine label, renamed series), old (V0 era: model_name only, pre-rename names),
// both (the 0.9.2–0.10 window: new and old names side by side). Like prometheus_client in a
// single-process server, every counter and histogram is followed by its `_created` gauge family
// (the time the engine made it).
import { metric } from '../catalog/index.ts';
import type { Histogram, EngineSim } from './workload.ts';
import { FINISHED_REASONS, PROMPT_SOURCES } from './workload.ts';
import { pyFloat, TextWriter } from './text.ts';
import type { Labels } from './text.ts';

const n = (name: string) => metric(name);

function labelsOf(e: EngineSim, extra: [string, string][] = []): Labels {
  const base: [string, string][] = [['model_name', e.server.model], ...extra];
  if (e.server.names !== 'old') base.push(['engine', '0']);
  return base.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** prometheus_client's `<name>_created` family (counters lose their `_total` first). */
function created(w: TextWriter, name: string, help: string, e: EngineSim, extra: [string, string][][] = [[]]): void {
  const base = name.endsWith('_total') && metric(name).type === 'counter' ? name.slice(0, -'_total'.length) : name;
  w.family(`${base}_created`, 'gauge', help);
  for (const x of extra) w.sample(`${base}_created`, labelsOf(e, x), pyFloat(e.createdAtS));
}

function histogram(w: TextWriter, name: string, e: EngineSim, h: Histogram): void {
  const def = n(name);
  w.family(def.name, 'histogram', def.help);
  const cum = h.cumulative();
  h.bounds.forEach((b, i) => w.sample(`${def.name}_bucket`, labelsOf(e, [['le', pyFloat(b)]]), pyFloat(cum[i]!)));
  w.sample(`${def.name}_bucket`, labelsOf(e, [['le', '+Inf']]), pyFloat(h.count));
  w.sample(`${def.name}_count`, labelsOf(e), pyFloat(h.count));
  w.sample(`${def.name}_sum`, labelsOf(e), pyFloat(h.sum));
  created(w, def.name, def.help, e);
}

function scalar(w: TextWriter, name: string, e: EngineSim, value: number): void {
  const def = n(name);
  w.family(def.name, def.type, def.help);
  w.sample(def.name, labelsOf(e), pyFloat(value));
  if (def.type === 'counter') created(w, def.name, def.help, e);
}

/** One family with a series per value of one extra label (reason, source, sleep_state, position). */
function labelled(w: TextWriter, name: string, e: EngineSim, label: string, values: [string, number][]): void {
  const def = n(name);
  w.family(def.name, def.type === 'info' ? 'gauge' : def.type, def.help);
  for (const [v, x] of values) w.sample(def.name, labelsOf(e, [[label, v]]), pyFloat(x));
  if (def.type === 'counter') created(w, def.name, def.help, e, values.map(([v]) => [[label, v]]));
}

/**
 * What the API server process adds beside the engine's series: prometheus-fastapi-instrumentator's
 * http_requests_total (a status group appears once a request has had it; /metrics and /health are
 * excluded) and prometheus_client's process_start_time_seconds.
 */
function apiServer(w: TextWriter, e: EngineSim): void {
  const http = n('http_requests_total');
  const statuses = (['2xx', '4xx', '5xx'] as const).filter((x) => e.vllm.http[x] > 0);
  if (statuses.length > 0) {
    const labels = (status: string): Labels => [['handler', '/v1/chat/completions'], ['method', 'POST'], ['status', status]];
    w.family(http.name, 'counter', http.help);
    for (const x of statuses) w.sample(http.name, labels(x), pyFloat(e.vllm.http[x]));
    w.family('http_requests_created', 'gauge', http.help);
    for (const x of statuses) w.sample('http_requests_created', labels(x), pyFloat(e.createdAtS));
  }
  const start = n('process_start_time_seconds');
  w.family(start.name, 'gauge', start.help);
  w.sample(start.name, [], pyFloat(e.createdAtS));
}

/** vllm:lora_requests_info: one series per label set ever current, each at the time it last was (vLLM's set_to_current_time). */
function lora(w: TextWriter, e: EngineSim): void {
  const l = e.server.lora;
  if (!l) return;
  const def = n('vllm:lora_requests_info');
  w.family(def.name, 'gauge', def.help);
  for (const x of e.vllm.lora.values()) {
    w.sample(def.name, [['max_lora', String(l.maxLoras)], ['running_lora_adapters', x.running], ['waiting_lora_adapters', x.waiting]], pyFloat(x.at));
  }
}

export function vllmExposition(e: EngineSim): string {
  const w = new TextWriter();
  const names = e.server.names;
  const current = names !== 'old';
  const older = names !== 'v1';
  scalar(w, 'vllm:num_requests_running', e, e.running.length);
  scalar(w, 'vllm:num_requests_waiting', e, e.waiting.length);
  if (current) scalar(w, 'vllm:kv_cache_usage_perc', e, e.kvUsage);
  if (older) scalar(w, 'vllm:gpu_cache_usage_perc', e, e.kvUsage);
  if (current) {
    scalar(w, 'vllm:prefix_cache_queries_total', e, e.prefixQueries);
    scalar(w, 'vllm:prefix_cache_hits_total', e, e.prefixHits);
  }
  if (older) {
    scalar(w, 'vllm:gpu_prefix_cache_queries_total', e, e.prefixQueries);
    scalar(w, 'vllm:gpu_prefix_cache_hits_total', e, e.prefixHits);
  }
  scalar(w, 'vllm:num_preemptions_total', e, e.preemptions);
  scalar(w, 'vllm:prompt_tokens_total', e, e.promptTokens);
  scalar(w, 'vllm:generation_tokens_total', e, e.generationTokens);
  const success = n('vllm:request_success_total');
  w.family(success.name, 'counter', success.help);
  // One series per reason, always present (vLLM creates them up front).
  for (const reason of FINISHED_REASONS) w.sample(success.name, labelsOf(e, [['finished_reason', reason]]), pyFloat(e.finished[reason]));
  created(w, success.name, success.help, e, FINISHED_REASONS.map((r) => [['finished_reason', r]]));
  histogram(w, 'vllm:request_prompt_tokens', e, e.h.promptLen);
  histogram(w, 'vllm:request_generation_tokens', e, e.h.genLen);
  histogram(w, 'vllm:iteration_tokens_total', e, e.h.iteration);
  histogram(w, 'vllm:time_to_first_token_seconds', e, e.h.ttft);
  if (current) histogram(w, 'vllm:inter_token_latency_seconds', e, e.h.itl);
  if (older) histogram(w, 'vllm:time_per_output_token_seconds', e, e.h.itl);
  histogram(w, 'vllm:request_time_per_output_token_seconds', e, e.h.tpot);
  histogram(w, 'vllm:e2e_request_latency_seconds', e, e.h.e2e);
  histogram(w, 'vllm:request_queue_time_seconds', e, e.h.queue);
  histogram(w, 'vllm:request_inference_time_seconds', e, e.h.inference);
  histogram(w, 'vllm:request_prefill_time_seconds', e, e.h.prefill);
  histogram(w, 'vllm:request_decode_time_seconds', e, e.h.decode);
  const info = n('vllm:cache_config_info');
  w.family(info.name, 'gauge', info.help);
  w.sample(info.name, [
    ['block_size', '16'], ['cache_dtype', 'auto'], ['enable_prefix_caching', 'True'],
    // The engine index is a label of its own since V1 (loggers.py log_metrics_info).
    ...(current ? [['engine', '0'] as [string, string]] : []),
    ['gpu_memory_utilization', '0.9'], ['num_gpu_blocks', String(Math.floor(e.kvCapacity / 16))],
  ], '1.0');
  lora(w, e);
  if (current) vllmV1Detail(w, e);
  apiServer(w, e);
  return w.toString();
}

/** Families of current vLLM only: sleep state, waiting by reason, prompt tokens by source, spec decode, MFU, KV residency. */
function vllmV1Detail(w: TextWriter, e: EngineSim): void {
  const v = e.vllm;
  labelled(w, 'vllm:engine_sleep_state', e, 'sleep_state', [['awake', 1], ['weights_offloaded', 0], ['discard_all', 0]]);
  // Deferred: requests attempted but held back (LoRA budget, async KV transfer): none in this workload model.
  labelled(w, 'vllm:num_requests_waiting_by_reason', e, 'reason', [['capacity', e.waiting.length], ['deferred', 0]]);
  labelled(w, 'vllm:prompt_tokens_by_source_total', e, 'source', PROMPT_SOURCES.map((x) => [x, v.bySource[x]]));
  scalar(w, 'vllm:prompt_tokens_cached_total', e, v.cached);
  scalar(w, 'vllm:prompt_tokens_recomputed_total', e, v.recomputed);
  // No KV connector in the simulated fleet: the external prefix cache is asked nothing (vLLM still creates the counters).
  scalar(w, 'vllm:external_prefix_cache_queries_total', e, 0);
  scalar(w, 'vllm:external_prefix_cache_hits_total', e, 0);
  if (e.server.speculative) {
    scalar(w, 'vllm:spec_decode_num_drafts_total', e, Math.floor(v.specDrafts));
    scalar(w, 'vllm:spec_decode_num_draft_tokens_total', e, Math.floor(v.specDraftTokens));
    scalar(w, 'vllm:spec_decode_num_accepted_tokens_total', e, Math.floor(v.specAccepted));
    labelled(w, 'vllm:spec_decode_num_accepted_tokens_per_pos_total', e, 'position', v.specAcceptedPerPos.map((x, i) => [String(i), Math.floor(x)]));
  }
  if (e.server.mfuMetrics) {
    scalar(w, 'vllm:estimated_flops_per_gpu_total', e, Math.floor(v.flops));
    scalar(w, 'vllm:estimated_read_bytes_per_gpu_total', e, Math.floor(v.readBytes));
    scalar(w, 'vllm:estimated_write_bytes_per_gpu_total', e, Math.floor(v.writeBytes));
  }
  if (e.server.kvCacheMetrics) {
    histogram(w, 'vllm:kv_block_lifetime_seconds', e, v.blockLifetime);
    histogram(w, 'vllm:kv_block_idle_before_evict_seconds', e, v.blockIdle);
    histogram(w, 'vllm:kv_block_reuse_gap_seconds', e, v.blockReuseGap);
  }
}
