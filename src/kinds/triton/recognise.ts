// Triton's /metrics → one EngineView per model. Tokens only where a backend counts them: the vLLM
// backend's vllm:* series with Triton's `model`/`version` labels (read by the vLLM recogniser, versions
// summed). A model that only Triton core reports (nv_inference_*: inferences, not tokens) is listed with
// both token counters `missing`: the exporter says so once and leaves it out of the ledger rather than
// count 0 tokens. Its GPUs' energy counters (nv_energy_consumption, by gpu_uuid) are read into `gpus`
// with power, power limit and utilization where served: the exporter's lowest-priority energy source.
import type { MetricFamily } from '../../exposition/types.ts';
import { indexSamples, RecogniseError } from '../../recognise/samples.ts';
import type { EngineView, ServingView, UuidGpuView } from '../../recognise/types.ts';
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
  const gpus = tritonGpus(index);
  return gpus.length > 0 ? { engines, gpus } : { engines };
}

/** One entry per gpu_uuid with an energy counter; a GPU without one gives no entry (energy only from a counter). */
function tritonGpus(index: ReturnType<typeof indexSamples>): UuidGpuView[] {
  const gauge = (name: string) => {
    const m = new Map<string, number>();
    for (const s of index.get(name) ?? []) if (s.labels.gpu_uuid !== undefined && Number.isFinite(s.value) && s.value >= 0) m.set(s.labels.gpu_uuid, s.value);
    return m;
  };
  const power = gauge('nv_gpu_power_usage');
  const limit = gauge('nv_gpu_power_limit');
  const util = gauge('nv_gpu_utilization');
  const out: UuidGpuView[] = [];
  for (const s of index.get('nv_energy_consumption') ?? []) {
    const uuid = s.labels.gpu_uuid;
    if (uuid === undefined || uuid === '') throw new RecogniseError('nv_energy_consumption without a gpu_uuid label: which GPU is it?');
    const g: UuidGpuView = { uuid, energyJoules: s.value };
    if (power.has(uuid)) g.powerWatts = power.get(uuid)!;
    // Triton reports 0 where it cannot read a limit: no bound rather than a 0 W one.
    if ((limit.get(uuid) ?? 0) > 0) g.powerLimitWatts = limit.get(uuid)!;
    if (util.has(uuid)) g.utilization = Math.min(1, util.get(uuid)!);
    out.push(g);
  }
  return out.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}
