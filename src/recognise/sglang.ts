// SGLang's /metrics → one EngineView per (model_name, engine), the same roles as vLLM's.
//
// Engine: `engine_type` when served (e.g. "unified", or "prefill"/"decode" under disaggregation: separate
// engines with separate token streams), else "0". tp_rank and pp_rank are NOT engines: they are tensor/
// pipeline shards of one engine that report the same batch, so series differing only in them are
// reduced with max (summing them would count every token tp×pp times). Any other split (dp_rank:
// data-parallel replicas serving different requests) is summed. SGLang has one naming
// generation here: always 'v1'. Older SGLang names (sglang:time_per_output_token_seconds) do not
// touch the roles read.
import { metric } from '../catalog/index.ts';
import type { MetricFamily, Sample } from '../exposition/types.ts';
import { catalogSamples, indexSamples } from './samples.ts';
import { engineId, readRoles, toEngineViews } from './serving.ts';
import type { EngineKey, RoleSpec } from './serving.ts';
import type { EngineView, ServingView } from './types.ts';

const ROLES: readonly RoleSpec[] = [
  { role: 'promptTokens', name: metric('sglang:prompt_tokens_total').name, combine: 'sum' },
  { role: 'generationTokens', name: metric('sglang:generation_tokens_total').name, combine: 'sum' },
  { role: 'kvCacheUsage', name: metric('sglang:token_usage').name, combine: 'max' },
  { role: 'running', name: metric('sglang:num_running_reqs').name, combine: 'sum' },
  { role: 'waiting', name: metric('sglang:num_queue_reqs').name, combine: 'sum' },
];

const SHARD_LABELS = ['tp_rank', 'pp_rank'] as const;

function keyOf(sample: Sample): EngineKey | undefined {
  const model = sample.labels.model_name;
  if (model === undefined) return undefined;
  const type = sample.labels.engine_type;
  return { model, engine: type === undefined || type === '' ? '0' : type };
}

export function recogniseSglang(families: MetricFamily[]): ServingView {
  const index = indexSamples(families);
  const engines = new Map<string, EngineKey & { generation: EngineView['generation'] }>();
  for (const [sample] of catalogSamples(index, 'sglang', { labelSets: true })) {
    const key = keyOf(sample);
    if (key && !engines.has(engineId(key))) engines.set(engineId(key), { ...key, generation: 'v1' });
  }
  return { engines: toEngineViews(engines, readRoles(index, ROLES, keyOf, SHARD_LABELS)) };
}
