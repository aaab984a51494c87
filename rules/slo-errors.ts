// Error SLI for burn-rate alerts: failed / finished requests, over every burn-rate window.
import { sloRatioName } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { and, modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { sloWindows } from '../src/rules/slo.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const failed = `finished_reason=~"${c.alerting.serving.errorReasons.join('|')}"`;
  return {
    name: 'tokenwatt-slo-errors',
    rules: sloWindows(c).map((w) => ({
      record: sloRatioName('errors', w),
      expr: `sum by (${by}) (rate(${sel('vllm:request_success_total', and(c.selectors.vllm, failed))}[${w}])) / sum by (${by}) (rate(${sel('vllm:request_success_total', c.selectors.vllm)}[${w}]))`,
    })),
  };
};
export default group;
