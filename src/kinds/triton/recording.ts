// Triton's per-model recorded series (the dashboard's Triton row reads only these): request outcome,
// inference and accrued-time rates, pending requests.
import { sel } from '../../promql/helpers.ts';
import { modelBy } from '../../rules/levels.ts';
import type { RecordingGroupDef } from '../../rules/types.ts';
import { TRITON_RECORDED as R } from './metrics.ts';

export const tritonRecording: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const s = c.selectors.triton;
  const rate = (name: string, extra = '') => `sum by (${by}${extra}) (rate(${sel(name, s)}[5m]))`;
  return {
    name: 'tokenwatt-serving-triton',
    rules: [
      { record: R.success, expr: rate('nv_inference_request_success') },
      { record: R.failure, expr: rate('nv_inference_request_failure', ', reason') },
      { record: R.inferences, expr: rate('nv_inference_count') },
      { record: R.requestUs, expr: rate('nv_inference_request_duration_us') },
      { record: R.queueUs, expr: rate('nv_inference_queue_duration_us') },
      { record: R.inferUs, expr: rate('nv_inference_compute_infer_duration_us') },
      { record: R.pending, expr: `sum by (${by}) (${sel('nv_inference_pending_request_count', s)})` },
    ],
  };
};
