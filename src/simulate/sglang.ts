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
  histogram(w, 'sglang:time_to_first_token_seconds', e, e.h.ttft);
  histogram(w, 'sglang:inter_token_latency_seconds', e, e.h.itl);
  histogram(w, 'sglang:e2e_request_latency_seconds', e, e.h.e2e);
  return w.toString();
}
