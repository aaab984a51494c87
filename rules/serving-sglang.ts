// SGLang per-model traffic and engine state for the LLM serving dashboard (its latency and queue-time
// buckets are in rules/serving-latency.ts).
// Each raw series is read once per cycle.
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
      // The queue of every model (the autoscaling triggers read it too: src/autoscaling/signals.ts).
      { record: 'model_name:sglang_num_queue_reqs:sum', expr: `sum by (${by}) (${anyName('sglang:num_queue_reqs', s)})` },
      { record: 'model_name:sglang_num_running_reqs:sum', expr: `sum by (${by}) (${anyName('sglang:num_running_reqs', s)})` },
      { record: 'model_name:sglang_token_usage:max', expr: `max by (${by}) (${anyName('sglang:token_usage', s)})` },
      { record: 'model_name:sglang_cache_hit_rate:max', expr: `max by (${by}) (${anyName('sglang:cache_hit_rate', s)})` },
      // Requests, aborts (the error SLI of SGLang models: rules/slo-errors.ts), cached prompt tokens, retractions.
      { record: 'model_name:sglang_num_requests:rate5m', expr: `sum by (${by}) (${rateOf('sglang:num_requests_total', s, '5m')})` },
      { record: 'model_name:sglang_num_aborted_requests:rate5m', expr: `sum by (${by}) (${rateOf('sglang:num_aborted_requests_total', s, '5m')})` },
      { record: 'model_name:sglang_cached_tokens:rate5m', expr: `sum by (${by}) (${rateOf('sglang:cached_tokens_total', s, '5m')})` },
      { record: 'model_name:sglang_num_retracted_requests:rate5m', expr: `sum by (${by}) (${rateOf('sglang:num_retracted_requests_total', s, '5m')})` },
      { record: 'model_name:sglang_realtime_tokens:rate5m', expr: `sum by (${by}, mode) (${rateOf('sglang:realtime_tokens_total', s, '5m')})` },
      { record: 'model_name:sglang_gpu_execution_seconds:rate5m', expr: `sum by (${by}, category) (${rateOf('sglang:gpu_execution_seconds_total', s, '5m')})` },
      { record: 'model_name:sglang_spec_accept_length:avg', expr: `avg by (${by}) (${anyName('sglang:spec_accept_length', s)})` },
      { record: 'model_name:sglang_spec_accept_rate:avg', expr: `avg by (${by}) (${anyName('sglang:spec_accept_rate', s)})` },
      { record: 'model_name:sglang_utilization:avg', expr: `avg by (${by}) (${anyName('sglang:utilization', s)})` },
    ],
  };
};
export default group;
