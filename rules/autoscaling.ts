// Per-model signals for HPA (prometheus-adapter external metrics) or KEDA's prometheus scaler:
// queue depth to scale out on, KV-cache token headroom and throughput to scale in on.
import { anyName, rateOf } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const v = c.selectors.vllm;
  return {
    name: 'tokenwatt-autoscaling',
    rules: [
      { record: 'model_name:vllm_num_requests_waiting:sum', expr: `sum by (${by}) (${anyName('vllm:num_requests_waiting', v)})` },
      { record: 'model_name:vllm_num_requests_running:sum', expr: `sum by (${by}) (${anyName('vllm:num_requests_running', v)})` },
      // The fullest replica bounds the headroom: a new long request lands on one replica.
      { record: 'model_name:vllm_kv_cache_headroom:ratio', expr: `1 - max by (${by}) (${anyName('vllm:kv_cache_usage_perc', v)})` },
      { record: 'model_name:vllm_generation_tokens:rate5m', expr: `sum by (${by}) (${rateOf('vllm:generation_tokens_total', v, '5m')})` },
    ],
  };
};
export default group;
