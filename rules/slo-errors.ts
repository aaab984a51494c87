// Error SLI for burn-rate alerts: failed / finished requests, over every burn-rate window. A
// cascade: the 5m ratio from the recorded per-model request rates by finished_reason
// (rules/serving-vllm.ts), every longer window from the sum of those 5m rates over it, so
// evaluation cost does not grow with the window.
import { sloRatioName } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { and, modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { sloSum, sloWindows, sloWindowSource } from '../src/rules/slo.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const failed = `finished_reason=~"${c.alerting.serving.errorReasons.join('|')}"`;
  const requests = 'model_name:vllm_request_success:rate5m';
  return {
    name: 'tokenwatt-slo-errors',
    rules: sloWindows(c).map((w) => ({
      record: sloRatioName('errors', w),
      expr: sloWindowSource(w) === 'raw'
        ? `sum by (${by}) (rate(${sel('vllm:request_success_total', and(c.selectors.vllm, failed))}[${w}])) / sum by (${by}) (rate(${sel('vllm:request_success_total', c.selectors.vllm)}[${w}]))`
        : `${sloSum(by, `${requests}{${failed}}`, w)} / ${sloSum(by, requests, w)}`,
    })),
  };
};
export default group;
