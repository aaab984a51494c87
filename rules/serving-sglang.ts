// SGLang per-model traffic and engine state for the LLM serving dashboard (its latency buckets
// are in rules/serving-latency.ts, its queue in the autoscaling group: model_name:sglang_num_queue_reqs:sum).
import { anyName, rateOf } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const s = c.selectors.sglang;
  return {
    name: 'tokenwatt-serving-sglang',
    rules: [
      { record: 'model_name:sglang_generation_tokens:rate5m', expr: `sum by (${by}) (${rateOf('sglang:generation_tokens_total', s, '5m')})` },
      { record: 'model_name:sglang_prompt_tokens:rate5m', expr: `sum by (${by}) (${rateOf('sglang:prompt_tokens_total', s, '5m')})` },
      { record: 'model_name:sglang_num_running_reqs:sum', expr: `sum by (${by}) (${anyName('sglang:num_running_reqs', s)})` },
      { record: 'model_name:sglang_token_usage:max', expr: `max by (${by}) (${anyName('sglang:token_usage', s)})` },
      { record: 'model_name:sglang_cache_hit_rate:max', expr: `max by (${by}) (${anyName('sglang:cache_hit_rate', s)})` },
    ],
  };
};
export default group;
