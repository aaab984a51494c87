// Per-model bucket rates of every serving histogram a panel or SLO reads (renamed vLLM series
// joined once, `new or old`), and the per-model quantiles the LLM serving panels plot, from them.
// Each bucket-rate rule reads every engine's raw buckets, the costliest rules there are, so each
// histogram is evaluated only as often as what reads it needs:
// - TTFT (vLLM, SGLang) feeds the TTFT SLO and its burn-rate alerts: every evaluation interval
//   (tokenwatt-serving-latency, its quantiles in tokenwatt-serving-quantiles);
// - inter-token and end-to-end latency feed panels only: at twice the interval, with their
//   quantiles (tokenwatt-serving-latency-panels), so a cycle pays for them half the time;
// - the histograms of secondary panels (queue, prefill, decode, request lengths) at 4 x the interval
//   (tokenwatt-serving-latency-detail): a quarter of the time.
import { bucketRateName, quantileName, RECORDED_QUANTILES, SERVING_DETAIL_HISTOGRAMS, SERVING_LATENCY_HISTOGRAMS, SLO_TTFT_HISTOGRAMS } from '../src/catalog/recording.ts';
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

/** `factor` x the configured evaluation interval, in seconds (4 x 15s -> 60s). */
export function slower(evaluationInterval: string, factor = 4): string {
  const m = /^(\d+)(s|m)$/.exec(evaluationInterval);
  if (!m) throw new Error(`prometheus.evaluationInterval '${evaluationInterval}': expected whole seconds or minutes (15s, 1m)`);
  return `${Number(m[1]) * (m[2] === 'm' ? 60 : 1) * factor}s`;
}

/** The latency histograms an alert reads (the TTFT SLO): recorded at the full evaluation rate. */
const ALERTED: readonly string[] = SLO_TTFT_HISTOGRAMS;
/** The latency histograms only panels read (inter-token, end-to-end). */
const PANEL_ONLY = SERVING_LATENCY_HISTOGRAMS.filter((h) => !ALERTED.includes(h));

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
 * Inter-token and end-to-end latency per model, bucket rates and p50/p90/p99, at twice the
 * evaluation interval: no alert reads them, and a 5m rate moves little in one interval.
 */
export const servingLatencyPanels: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-serving-latency-panels',
  interval: slower(c.prometheus.evaluationInterval, 2),
  rules: [...bucketRates(c, PANEL_ONLY), ...quantiles(PANEL_ONLY)],
});

/**
 * p50/p90/p99 of TTFT per model: a latency panel plots a recorded quantile (one series per model)
 * instead of a histogram_quantile over every bucket at every step of the dashboard range.
 */
export const servingQuantiles: RecordingGroupDef = () => ({
  name: 'tokenwatt-serving-quantiles',
  rules: quantiles(ALERTED),
});

/** TTFT bucket rates per model (vLLM, SGLang): the TTFT SLO's input, every evaluation interval. */
const group: RecordingGroupDef = (c) => ({ name: 'tokenwatt-serving-latency', rules: bucketRates(c, ALERTED) });
export default group;
