// Error SLI for burn-rate alerts (vLLM and SGLang models): failed / finished requests, over every burn-rate window. A
// cascade: the 5m ratio from the recorded per-model request rates by finished_reason
// (rules/serving-vllm.ts), every longer window from the sum of those 5m rates over it, so
// evaluation cost does not grow with the window.
import { sloRatioName } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { and, modelBy, sglangAbortsAreErrors } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { sloSum, sloWindows, sloWindowSource } from '../src/rules/slo.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const failed = `finished_reason=~"${c.alerting.serving.errorReasons.join('|')}"`;
  const requests = 'model_name:vllm_request_success:rate5m';
  const sg = c.selectors.sglang;
  const rawRate = (name: string, s: string, w: string) => `sum by (${by}) (rate(${sel(name, s)}[${w}]))`;
  // SGLang counts errors and client aborts in one counter (num_aborted_requests_total): its models
  // join the SLI only when aborts count as failures (errorReasons has 'abort', as for vLLM's reason).
  const sglangToo = sglangAbortsAreErrors(c);
  return {
    name: 'tokenwatt-slo-errors',
    rules: sloWindows(c).map((w) => ({
      record: sloRatioName('errors', w),
      // vLLM models by finished_reason, else (aborts counting) SGLang models' aborted over finished requests.
      expr: sloWindowSource(w) === 'raw'
        ? `${rawRate('vllm:request_success_total', and(c.selectors.vllm, failed), w)} / ${rawRate('vllm:request_success_total', c.selectors.vllm, w)}`
          + (sglangToo ? ` or ${rawRate('sglang:num_aborted_requests_total', sg, w)} / ${rawRate('sglang:num_requests_total', sg, w)}` : '')
        : `${sloSum(by, `${requests}{${failed}}`, w)} / ${sloSum(by, requests, w)}`
          + (sglangToo ? ` or ${sloSum(by, 'model_name:sglang_num_aborted_requests:rate5m', w)} / ${sloSum(by, 'model_name:sglang_num_requests:rate5m', w)}` : ''),
    })),
  };
};
export default group;
