// vLLM per-model traffic and engine state for the LLM serving dashboard: requests by finished
// reason, prompt tokens, preemptions, prefix cache, KV-cache usage. Renamed series (vLLM's
// `replacedBy` in src/catalog/vllm.ts) are joined here once, `new or old`.
// What the serving alerts need per host (alerts/llm-serving.ts: errors, preemptions, KV cache) is
// recorded per model and host first (`model_name_host:`), and the per-model series are summed from
// it in the same group (the rule after it sees this evaluation's result): every engine's raw series
// is read once per cycle, not once for the dashboard and again for each alert.
import { anyName, rateOf } from '../src/promql/helpers.ts';
import { modelBy, servingBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c);
  const host = servingBy(c);
  const v = c.selectors.vllm;
  const sumRate = (name: string, labels = by) => `sum by (${labels.join(', ')}) (${rateOf(name, v, '5m')})`;
  return {
    name: 'tokenwatt-serving-vllm',
    rules: [
      { record: 'model_name_host:vllm_request_success:rate5m', expr: sumRate('vllm:request_success_total', [...host, 'finished_reason']) },
      { record: 'model_name:vllm_request_success:rate5m', expr: `sum by (${[...by, 'finished_reason'].join(', ')}) (model_name_host:vllm_request_success:rate5m)` },
      { record: 'model_name:vllm_prompt_tokens:rate5m', expr: sumRate('vllm:prompt_tokens_total') },
      { record: 'model_name_host:vllm_num_preemptions:rate5m', expr: sumRate('vllm:num_preemptions_total', host) },
      { record: 'model_name:vllm_num_preemptions:rate5m', expr: `sum by (${by.join(', ')}) (model_name_host:vllm_num_preemptions:rate5m)` },
      { record: 'model_name:vllm_prefix_cache_hits:rate5m', expr: sumRate('vllm:prefix_cache_hits_total') },
      { record: 'model_name:vllm_prefix_cache_queries:rate5m', expr: sumRate('vllm:prefix_cache_queries_total') },
      { record: 'model_name_host:vllm_kv_cache_usage_perc:max', expr: `max by (${host.join(', ')}) (${anyName('vllm:kv_cache_usage_perc', v)})` },
      { record: 'model_name:vllm_kv_cache_usage_perc:max', expr: `max by (${by.join(', ')}) (model_name_host:vllm_kv_cache_usage_perc:max)` },
    ],
  };
};
export default group;
