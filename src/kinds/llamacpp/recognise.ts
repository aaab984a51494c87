// llama-server's /metrics → one EngineView. One model per server, named in no series: the view's model
// is '' (the exporter target's `model`, or inspect --model, fills it); engine "0". Tokens from the
// prompt and predicted counters; running and waiting are the requests processing and deferred; KV-cache
// usage only from builds that still serve kv_cache_usage_ratio.
import type { MetricFamily } from '../../exposition/types.ts';
import { indexSamples, RecogniseError } from '../../recognise/samples.ts';
import type { SampleIndex } from '../../recognise/samples.ts';
import type { EngineView, ServingView } from '../../recognise/types.ts';

function total(index: SampleIndex, name: string): number | undefined {
  const samples = (index.get(name) ?? []).filter((s) => !Number.isNaN(s.value));
  return samples.length === 0 ? undefined : samples.reduce((a, s) => a + s.value, 0);
}

export function recogniseLlamacpp(families: MetricFamily[]): ServingView {
  if (!families.some((f) => f.name.startsWith('llamacpp:'))) throw new RecogniseError('no llama.cpp series (llamacpp:*) in the exposition: is this llama-server started with --metrics?');
  const index = indexSamples(families);
  const prompt = total(index, 'llamacpp:prompt_tokens_total');
  const generated = total(index, 'llamacpp:tokens_predicted_total');
  const view: EngineView = { model: '', engine: '0', generation: 'v1', promptTokens: prompt ?? 0, generationTokens: generated ?? 0 };
  const kv = total(index, 'llamacpp:kv_cache_usage_ratio');
  const running = total(index, 'llamacpp:requests_processing');
  const waiting = total(index, 'llamacpp:requests_deferred');
  if (kv !== undefined) view.kvCacheUsage = kv;
  if (running !== undefined) view.running = running;
  if (waiting !== undefined) view.waiting = waiting;
  const missing = ([['promptTokens', prompt], ['generationTokens', generated]] as const).filter(([, v]) => v === undefined).map(([r]) => r);
  if (missing.length > 0) view.missing = missing;
  return { engines: [view] };
}
