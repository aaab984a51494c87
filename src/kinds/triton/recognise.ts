// Triton's /metrics → one EngineView per model. Tokens only where a backend counts them: the vLLM
// backend's vllm:* series with Triton's `model`/`version` labels (read by the vLLM recogniser, versions
// summed). A model that only Triton core reports (nv_inference_*: inferences, not tokens) is listed with
// both token counters `missing`: the exporter says so once and leaves it out of the ledger rather than
// count 0 tokens.
import type { MetricFamily } from '../../exposition/types.ts';
import { indexSamples, RecogniseError } from '../../recognise/samples.ts';
import type { EngineView, ServingView } from '../../recognise/types.ts';
import { recogniseVllm } from '../../recognise/vllm.ts';

export function recogniseTriton(families: MetricFamily[]): ServingView {
  if (!families.some((f) => f.name.startsWith('nv_'))) throw new RecogniseError('no Triton series (nv_*) in the exposition: is this Triton\'s metrics port (8002)?');
  const engines = recogniseVllm(families).engines;
  const withTokens = new Set(engines.map((e) => e.model));
  const index = indexSamples(families);
  const pending = new Map<string, number>();
  const models = new Set<string>();
  for (const name of ['nv_inference_count', 'nv_inference_request_success', 'nv_inference_pending_request_count']) {
    for (const s of index.get(name) ?? []) {
      const model = s.labels.model;
      if (model === undefined) continue;
      models.add(model);
      if (name === 'nv_inference_pending_request_count' && !Number.isNaN(s.value)) pending.set(model, (pending.get(model) ?? 0) + s.value);
    }
  }
  for (const e of engines) if (e.waiting === undefined && pending.has(e.model)) e.waiting = pending.get(e.model)!;
  for (const model of [...models].sort()) {
    if (withTokens.has(model)) continue;
    const view: EngineView = { model, engine: '0', generation: 'v1', promptTokens: 0, generationTokens: 0, missing: ['promptTokens', 'generationTokens'] };
    if (pending.has(model)) view.waiting = pending.get(model)!;
    engines.push(view);
  }
  return { engines };
}
