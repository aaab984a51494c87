// An SGLang-shaped /metrics (--enable-metrics) for one simulated engine: catalog names
// (src/catalog/sglang.ts), the same workload as a vLLM engine under SGLang's names.
import { metric } from '../catalog/index.ts';
import type { EngineSim, Histogram } from './workload.ts';
import { pyFloat, TextWriter } from './text.ts';
import type { Labels } from './text.ts';

const labels = (e: EngineSim, extra: [string, string][] = []): Labels =>
  [...extra, ['engine_type', 'unified'], ['model_name', e.server.model], ['pp_rank', '0'], ['tp_rank', '0']] as [string, string][];

function histogram(w: TextWriter, name: string, e: EngineSim, h: Histogram): void {
  const def = metric(name);
  w.family(def.name, 'histogram', def.help);
  const cum = h.cumulative();
  h.bounds.forEach((b, i) => w.sample(`${def.name}_bucket`, labels(e, [['le', pyFloat(b)]]), pyFloat(cum[i]!)));
  w.sample(`${def.name}_bucket`, labels(e, [['le', '+Inf']]), pyFloat(h.count));
  w.sample(`${def.name}_sum`, labels(e), pyFloat(h.sum));
  w.sample(`${def.name}_count`, labels(e), pyFloat(h.count));
}

function scalar(w: TextWriter, name: string, e: EngineSim, value: number): void {
  const def = metric(name);
  w.family(def.name, def.type, def.help);
  w.sample(def.name, labels(e), pyFloat(value));
}

function labelled(w: TextWriter, name: string, e: EngineSim, label: string, values: [string, number][]): void {
  const def = metric(name);
  w.family(def.name, def.type, def.help);
  for (const [v, x] of values) w.sample(def.name, labels(e, [[label, v]]), pyFloat(x));
}

const SPEC_DRAFT_TOKENS = 3;
const SPEC_ACCEPT_RATE = 0.65;

export function sglangExposition(e: EngineSim): string {
  const w = new TextWriter();
  scalar(w, 'sglang:prompt_tokens_total', e, e.promptTokens);
  scalar(w, 'sglang:generation_tokens_total', e, e.generationTokens);
  scalar(w, 'sglang:token_usage', e, e.kvUsage);
  scalar(w, 'sglang:num_used_tokens', e, e.kvUsed);
  scalar(w, 'sglang:cache_hit_rate', e, e.prefixQueries > 0 ? e.prefixHits / e.prefixQueries : 0);
  scalar(w, 'sglang:num_running_reqs', e, e.running.length);
  scalar(w, 'sglang:num_queue_reqs', e, e.waiting.length);
  scalar(w, 'sglang:gen_throughput', e, e.tokensPerSecond(e.batch, 1));
  // Every finished request counts; aborts (client hang-ups) and errors are one SGLang counter.
  scalar(w, 'sglang:num_requests_total', e, e.finished.stop + e.finished.length + e.finished.abort + e.finished.error);
  scalar(w, 'sglang:num_aborted_requests_total', e, e.finished.abort + e.finished.error);
  scalar(w, 'sglang:cached_tokens_total', e, e.prefixHits);
  scalar(w, 'sglang:num_retracted_requests_total', e, e.preemptions);
  // The simulated engines draft with EAGLE-like speculation at a fixed acceptance: 3 draft tokens, 65 % accepted.
  scalar(w, 'sglang:spec_accept_rate', e, SPEC_ACCEPT_RATE);
  scalar(w, 'sglang:spec_accept_length', e, 1 + SPEC_DRAFT_TOKENS * SPEC_ACCEPT_RATE);
  scalar(w, 'sglang:utilization', e, Math.min(1, e.running.length / e.server.maxNumSeqs));
  labelled(w, 'sglang:realtime_tokens_total', e, 'mode', [
    ['prefill_compute', Math.max(0, e.promptTokens - e.prefixHits)], ['prefill_cache', e.prefixHits], ['decode', e.generationTokens],
  ]);
  labelled(w, 'sglang:gpu_execution_seconds_total', e, 'category', [['extend', e.prefillBusySeconds], ['decode', e.decodeBusySeconds]]);
  histogram(w, 'sglang:queue_time_seconds', e, e.h.queue);
  histogram(w, 'sglang:time_to_first_token_seconds', e, e.h.ttft);
  histogram(w, 'sglang:inter_token_latency_seconds', e, e.h.itl);
  histogram(w, 'sglang:e2e_request_latency_seconds', e, e.h.e2e);
  return w.toString();
}
