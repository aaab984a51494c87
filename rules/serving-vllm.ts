// vLLM per-model traffic and engine state for the LLM serving dashboard: requests by finished
// reason, prompt tokens, preemptions, prefix cache, KV-cache usage. Renamed series (vLLM's
// `replacedBy` in src/catalog/vllm.ts) are joined here once, `new or old`.
import { anyName, rateOf } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c);
  const v = c.selectors.vllm;
  const sumRate = (name: string, labels = by) => `sum by (${labels.join(', ')}) (${rateOf(name, v, '5m')})`;
  return {
    name: 'tokenwatt-serving-vllm',
    rules: [
      { record: 'model_name:vllm_request_success:rate5m', expr: sumRate('vllm:request_success_total', [...by, 'finished_reason']) },
      { record: 'model_name:vllm_prompt_tokens:rate5m', expr: sumRate('vllm:prompt_tokens_total') },
      { record: 'model_name:vllm_num_preemptions:rate5m', expr: sumRate('vllm:num_preemptions_total') },
      { record: 'model_name:vllm_prefix_cache_hits:rate5m', expr: sumRate('vllm:prefix_cache_hits_total') },
      { record: 'model_name:vllm_prefix_cache_queries:rate5m', expr: sumRate('vllm:prefix_cache_queries_total') },
      { record: 'model_name:vllm_kv_cache_usage_perc:max', expr: `max by (${by.join(', ')}) (${anyName('vllm:kv_cache_usage_perc', v)})` },
    ],
  };
};
export default group;
