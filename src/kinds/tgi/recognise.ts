// TGI's /metrics → one EngineView. TGI serves one model per router and names it nowhere in its
// metrics: the view's model is '' (the exporter target's `model`, or inspect --model, fills it), and
// its engine is "0". Tokens are the `_sum` of the per-request token histograms; running and waiting
// are the batch size and the queue size. TGI has no KV-cache usage gauge, so none is reported.
import type { MetricFamily } from '../../exposition/types.ts';
import { indexSamples, RecogniseError } from '../../recognise/samples.ts';
import type { SampleIndex } from '../../recognise/samples.ts';
import type { EngineView, ServingView } from '../../recognise/types.ts';

export const TGI_PROMPT_TOKENS = 'tgi_request_input_length_sum';
export const TGI_GENERATED_TOKENS = 'tgi_request_generated_tokens_sum';

/** The sum over a name's series (TGI's own series carry no model split), or undefined when absent. */
function total(index: SampleIndex, name: string): number | undefined {
  const samples = (index.get(name) ?? []).filter((s) => !Number.isNaN(s.value));
  return samples.length === 0 ? undefined : samples.reduce((a, s) => a + s.value, 0);
}

export function recogniseTgi(families: MetricFamily[]): ServingView {
  if (!families.some((f) => f.name.startsWith('tgi_'))) throw new RecogniseError('no TGI series (tgi_*) in the exposition: is this a Text Generation Inference router?');
  const index = indexSamples(families);
  const prompt = total(index, TGI_PROMPT_TOKENS);
  const generated = total(index, TGI_GENERATED_TOKENS);
  const running = total(index, 'tgi_batch_current_size');
  const waiting = total(index, 'tgi_queue_size');
  const missing = ([['promptTokens', prompt], ['generationTokens', generated]] as const).filter(([, v]) => v === undefined).map(([r]) => r);
  const view: EngineView = { model: '', engine: '0', generation: 'v1', promptTokens: prompt ?? 0, generationTokens: generated ?? 0 };
  if (running !== undefined) view.running = running;
  if (waiting !== undefined) view.waiting = waiting;
  if (missing.length > 0) view.missing = missing;
  return { engines: [view] };
}
