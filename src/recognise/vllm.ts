// vLLM's /metrics → one EngineView per (model_name, engine).
//
// Names: each role is read from its current catalog name and, for an engine that lacks it, from the
// older names it replaced (olderNames: vllm:gpu_cache_usage_perc → vllm:kv_cache_usage_perc…), so
// 0.9.2–0.11 scrapes that carry both give the new one.
// Generation: 'v1' when the engine's series carry the V1 `engine` label or use a name that only V1
// serves (a catalog name that replaced an older one); 'v0' otherwise.
// Engine: the `engine` label; V0 had none, so "0". Model: `model_name`, or `model` on Triton's vLLM
// backend (whose `version` label is the Triton model version, summed like any other series split).
// LoRA: vllm:lora_requests_info has no model or engine label (one per server) and keeps a series per
// adapter set it has seen; the newest (its value is a timestamp) is the current one, given to every
// engine of the scrape.
import { allMetrics, metric, olderNames } from '../catalog/index.ts';
import type { MetricFamily, Sample } from '../exposition/types.ts';
import { catalogSamples, indexSamples } from './samples.ts';
import type { SampleIndex } from './samples.ts';
import { engineId, readRoles, toEngineViews } from './serving.ts';
import type { EngineKey, RoleSpec } from './serving.ts';
import type { EngineView, ServingView } from './types.ts';

const ROLES: readonly RoleSpec[] = [
  { role: 'promptTokens', name: metric('vllm:prompt_tokens_total').name, combine: 'sum' },
  { role: 'generationTokens', name: metric('vllm:generation_tokens_total').name, combine: 'sum' },
  { role: 'kvCacheUsage', name: metric('vllm:kv_cache_usage_perc').name, combine: 'max' },
  { role: 'running', name: metric('vllm:num_requests_running').name, combine: 'sum' },
  { role: 'waiting', name: metric('vllm:num_requests_waiting').name, combine: 'sum' },
];

/** Series names only V1 serves: those that replaced an older vLLM name. */
const V1_NAMES: ReadonlySet<string> = new Set(
  allMetrics.filter((d) => d.source === 'vllm' && olderNames(d.name).length > 0).map((d) => d.name),
);

const LORA_INFO = metric('vllm:lora_requests_info').name;

function keyOf(sample: Sample): EngineKey | undefined {
  const model = sample.labels.model_name ?? sample.labels.model;
  if (model === undefined) return undefined;
  return { model, engine: sample.labels.engine ?? '0' };
}

export function recogniseVllm(families: MetricFamily[]): ServingView {
  const index = indexSamples(families);
  const engines = new Map<string, EngineKey & { generation: EngineView['generation'] }>();
  for (const [sample, def] of catalogSamples(index, 'vllm', { labelSets: true })) {
    const key = keyOf(sample);
    if (!key) continue;
    const id = engineId(key);
    const v1 = sample.labels.engine !== undefined || V1_NAMES.has(def.name);
    const known = engines.get(id);
    if (!known) engines.set(id, { ...key, generation: v1 ? 'v1' : 'v0' });
    else if (v1) known.generation = 'v1';
  }
  const views = toEngineViews(engines, readRoles(index, ROLES, keyOf));
  const adapters = loraAdapters(index);
  if (adapters) for (const v of views) v.loraAdapters = adapters;
  return { engines: views };
}

/** Running and waiting adapters of the newest vllm:lora_requests_info series, or undefined if none is served. */
function loraAdapters(index: SampleIndex): string[] | undefined {
  let newest: Sample | undefined;
  for (const s of index.get(LORA_INFO) ?? []) if (!newest || s.value > newest.value) newest = s;
  if (!newest) return undefined;
  const names = [newest.labels.running_lora_adapters, newest.labels.waiting_lora_adapters]
    .flatMap((list) => (list ?? '').split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return [...new Set(names)].sort();
}
