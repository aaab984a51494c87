// Per-model bucket rates of every serving histogram a panel or SLO reads (renamed vLLM series
// joined once, `new or old`), and TTFT / inter-token quantiles from them. Dashboards take any
// quantile over the recorded buckets: a few series per model instead of every engine's buckets.
// Each bucket-rate rule reads every engine's raw buckets: the histograms of secondary panels
// (queue, prefill, decode, request lengths) are in tokenwatt-serving-latency-detail, evaluated at a
// quarter of the rate (4 x the evaluation interval), so a cycle pays for them a quarter of the time.
import { bucketRateName, SERVING_DETAIL_HISTOGRAMS, SERVING_LATENCY_HISTOGRAMS } from '../src/catalog/recording.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { namesOf, sel } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef, RecordingRule } from '../src/rules/types.ts';

/** `sum by (model, le) (rate(h_bucket[5m]))`, renamed vLLM series joined `new or old`. */
function bucketRates(c: MixinConfig, histograms: readonly string[]): RecordingRule[] {
  const by = modelBy(c);
  return histograms.map((h) => {
    const matchers = h.startsWith('sglang:') ? c.selectors.sglang : c.selectors.vllm;
    const rates = namesOf(h).map((n) => `rate(${sel(n, matchers, '_bucket')}[5m])`);
    return { record: bucketRateName(h), expr: `sum by (${[...by, 'le'].join(', ')}) (${rates.length === 1 ? rates[0] : `(${rates.join(' or ')})`})` };
  });
}

/** 4 x the configured evaluation interval, in seconds (15s -> 60s). */
function slower(evaluationInterval: string): string {
  const m = /^(\d+)(s|m)$/.exec(evaluationInterval);
  if (!m) throw new Error(`prometheus.evaluationInterval '${evaluationInterval}': expected whole seconds or minutes (15s, 1m)`);
  return `${Number(m[1]) * (m[2] === 'm' ? 60 : 1) * 4}s`;
}

export const servingLatencyDetail: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-serving-latency-detail',
  interval: slower(c.prometheus.evaluationInterval),
  rules: bucketRates(c, SERVING_DETAIL_HISTOGRAMS),
});

const group: RecordingGroupDef = (c) => {
  const rules: RecordingRule[] = bucketRates(c, SERVING_LATENCY_HISTOGRAMS);
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
