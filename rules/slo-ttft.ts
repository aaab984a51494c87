// TTFT SLI for burn-rate alerts (vLLM and SGLang models): the fraction of requests slower than the SLO threshold, over
// every window the page and ticket conditions use (alerts/llm-serving.ts). A cascade: the 5m
// ratio from the recorded per-model bucket rates (rules/serving-latency.ts), every longer
// window from the sum of those 5m rates over it, so evaluation cost does not grow with the window.
import { bucketRateName, SLO_TTFT_HISTOGRAMS, sloRatioName } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { and, leMatcher, modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { sloSum, sloWindows, sloWindowSource } from '../src/rules/slo.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const le = leMatcher(c.alerting.slo.ttft.thresholdSeconds);
  /** One term per TTFT histogram (vLLM, SGLang), joined per model with `or`: a model is served by one kind. */
  const each = (term: (name: string, selector: string) => string) => {
    const terms = SLO_TTFT_HISTOGRAMS.map((h) => term(h, c.selectors[h.startsWith('sglang:') ? 'sglang' : 'vllm']));
    return terms.length === 1 ? terms[0]! : `(${terms.join(' or ')})`;
  };
  return {
    name: 'tokenwatt-slo-ttft',
    rules: sloWindows(c).map((w) => {
      if (sloWindowSource(w) === 'raw') {
        const all = each((h, s) => `sum by (${by}) (rate(${sel(h, s, '_count')}[${w}]))`);
        const fast = each((h, s) => `sum by (${by}) (rate(${sel(h, and(s, le), '_bucket')}[${w}]))`);
        return { record: sloRatioName('ttft', w), expr: `(${all} - ${fast}) / ${all}` };
      }
      // The +Inf bucket counts every request (= _count).
      const all = each((h) => sloSum(by, `${bucketRateName(h)}{le="+Inf"}`, w));
      const fast = each((h) => sloSum(by, `${bucketRateName(h)}{${le}}`, w));
      return { record: sloRatioName('ttft', w), expr: `(${all} - ${fast}) / ${all}` };
    }),
  };
};
export default group;
