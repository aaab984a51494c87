// TTFT and inter-token latency quantiles per model (ITL falls back to the pre-0.11 name).
import { histogramQuantile } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef, RecordingRule } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const rules: RecordingRule[] = [];
  for (const name of ['vllm:time_to_first_token_seconds', 'vllm:inter_token_latency_seconds']) {
    for (const q of [50, 90, 99]) {
      rules.push({
        record: `model_name:${name.replace('vllm:', 'vllm_')}:p${q}_rate5m`,
        expr: histogramQuantile(q / 100, name, modelBy(c), c.selectors.vllm, '5m'),
      });
    }
  }
  return { name: 'tokenwatt-serving-latency', rules };
};
export default group;
