// Per-model bucket rates of every serving histogram a panel or SLO reads (renamed vLLM series
// joined once, `new or old`), and TTFT / inter-token quantiles from them. Dashboards take any
// quantile over the recorded buckets: a few series per model instead of every engine's buckets.
import { bucketRateName, SERVING_HISTOGRAMS } from '../src/catalog/recording.ts';
import { namesOf, sel } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef, RecordingRule } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c);
  const rules: RecordingRule[] = SERVING_HISTOGRAMS.map((h) => {
    const matchers = h.startsWith('sglang:') ? c.selectors.sglang : c.selectors.vllm;
    const rates = namesOf(h).map((n) => `rate(${sel(n, matchers, '_bucket')}[5m])`);
    return { record: bucketRateName(h), expr: `sum by (${[...by, 'le'].join(', ')}) (${rates.length === 1 ? rates[0] : `(${rates.join(' or ')})`})` };
  });
  for (const name of ['vllm:time_to_first_token_seconds', 'vllm:inter_token_latency_seconds']) {
    for (const q of [50, 90, 99]) {
      rules.push({
        record: `model_name:${name.replace('vllm:', 'vllm_')}:p${q}_rate5m`,
        expr: `histogram_quantile(${q / 100}, ${bucketRateName(name)})`,
      });
    }
  }
  return { name: 'tokenwatt-serving-latency', rules };
};
export default group;
