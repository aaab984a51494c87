// TTFT SLI for burn-rate alerts: the fraction of requests slower than the SLO threshold, over
// every window the page and ticket conditions use (alerts/llm-serving.ts). A cascade: the 5m
// ratio from the recorded per-model bucket rates (rules/serving-latency.ts), every longer
// window from the sum of those 5m rates over it, so evaluation cost does not grow with the window.
import { bucketRateName, sloRatioName } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { and, leMatcher, modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { sloSum, sloWindows, sloWindowSource } from '../src/rules/slo.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const name = 'vllm:time_to_first_token_seconds';
  const le = leMatcher(c.alerting.slo.ttft.thresholdSeconds);
  const buckets = bucketRateName(name);
  return {
    name: 'tokenwatt-slo-ttft',
    rules: sloWindows(c).map((w) => {
      if (sloWindowSource(w) === 'raw') {
        const all = `sum by (${by}) (rate(${sel(name, c.selectors.vllm, '_count')}[${w}]))`;
        const fast = `sum by (${by}) (rate(${sel(name, and(c.selectors.vllm, le), '_bucket')}[${w}]))`;
        return { record: sloRatioName('ttft', w), expr: `(${all} - ${fast}) / ${all}` };
      }
      // The +Inf bucket counts every request (= _count).
      const all = sloSum(by, `${buckets}{le="+Inf"}`, w);
      const fast = sloSum(by, `${buckets}{${le}}`, w);
      return { record: sloRatioName('ttft', w), expr: `(${all} - ${fast}) / ${all}` };
    }),
  };
};
export default group;
