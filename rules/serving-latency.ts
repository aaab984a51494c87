// Per-model bucket rates of every serving histogram a panel or SLO reads (renamed vLLM series
// joined once, `new or old`), and the per-model quantiles the LLM serving panels plot, from them.
// Each bucket-rate rule reads every engine's raw buckets: the histograms of secondary panels
// (queue, prefill, decode, request lengths) are in tokenwatt-serving-latency-detail, evaluated at a
// quarter of the rate (4 x the evaluation interval), so a cycle pays for them a quarter of the time.
import { bucketRateName, quantileName, RECORDED_QUANTILES, SERVING_DETAIL_HISTOGRAMS, SERVING_LATENCY_HISTOGRAMS } from '../src/catalog/recording.ts';
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
export function slower(evaluationInterval: string): string {
  const m = /^(\d+)(s|m)$/.exec(evaluationInterval);
  if (!m) throw new Error(`prometheus.evaluationInterval '${evaluationInterval}': expected whole seconds or minutes (15s, 1m)`);
  return `${Number(m[1]) * (m[2] === 'm' ? 60 : 1) * 4}s`;
}

/** Per-model quantiles from the recorded bucket rates (same group, evaluated after them). */
function quantiles(histograms: readonly string[]): RecordingRule[] {
  return histograms.flatMap((h) => (RECORDED_QUANTILES[h] ?? []).map((q) => ({ record: quantileName(h, q), expr: `histogram_quantile(${q / 100}, ${bucketRateName(h)})` })));
}

export const servingLatencyDetail: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-serving-latency-detail',
  interval: slower(c.prometheus.evaluationInterval),
  rules: [...bucketRates(c, SERVING_DETAIL_HISTOGRAMS), ...quantiles(SERVING_DETAIL_HISTOGRAMS)],
});

/**
 * p50/p90/p99 of TTFT, inter-token and end-to-end latency per model: a latency panel plots a
 * recorded quantile (one series per model) instead of a histogram_quantile over every bucket at
 * every step of the dashboard range.
 */
export const servingQuantiles: RecordingGroupDef = () => ({
  name: 'tokenwatt-serving-quantiles',
  rules: quantiles(SERVING_LATENCY_HISTOGRAMS),
});

const group: RecordingGroupDef = (c) => ({ name: 'tokenwatt-serving-latency', rules: bucketRates(c, SERVING_LATENCY_HISTOGRAMS) });
export default group;
