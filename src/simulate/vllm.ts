// A vLLM-shaped /metrics for one simulated engine: catalog names (src/catalog/vllm.ts), labels sorted
// as prometheus_client prints them, bucket bounds as floats (le="1.0"), values as Python floats.
// names: v1 (current: engine label, renamed series), old (V0 era: model_name only, pre-rename names),
// both (the 0.9.2–0.10 window: new and old names side by side). Like prometheus_client in a
// single-process server, every counter and histogram is followed by its `_created` gauge family
// (the time the engine made it).
import { metric } from '../catalog/index.ts';
import type { Histogram, EngineSim } from './workload.ts';
import { FINISHED_REASONS } from './workload.ts';
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
    ['gpu_memory_utilization', '0.9'], ['num_gpu_blocks', String(Math.floor(e.kvCapacity / 16))],
  ], '1.0');
  return w.toString();
}
