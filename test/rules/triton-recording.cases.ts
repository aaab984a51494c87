// promtool cases for Triton's recording rules (src/kinds/triton/recording.ts): one sample per minute,
// so a 5m rate is the exact slope. model_name is set at ingest from Triton's `model`.
import { TRITON_RECORDED as R } from '../../src/kinds/triton/metrics.ts';
import { series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const t = { job: 'triton', instance: 'h1:8002', cluster: 'c1', namespace: 'llm', host: 'h1', model: 'mistral', version: '1', model_name: 'mistral' };
const MODEL = '{cluster="c1", model_name="mistral", namespace="llm"}';
const at10m = (expr: string, value: number, labels = MODEL) => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: [{ labels, value }] });

export const tritonRecordingCases: TestGroup[] = [{
  input_series: [
    { series: series('nv_inference_request_success', t), values: '0+120x20' }, // 2/s
    { series: series('nv_inference_request_failure', { ...t, reason: 'BACKEND' }), values: '0+6x20' }, // 0.1/s
    { series: series('nv_inference_count', t), values: '0+480x20' }, // 8/s
    { series: series('nv_inference_request_duration_us', t), values: '0+60000000x20' }, // 1e6 µs/s
    { series: series('nv_inference_queue_duration_us', t), values: '0+6000000x20' },
    { series: series('nv_inference_compute_infer_duration_us', t), values: '0+48000000x20' },
    { series: series('nv_inference_pending_request_count', t), values: '5x20' },
  ],
  promql_expr_test: [
    at10m(R.success, 2), at10m(R.failure, 0.1, '{cluster="c1", model_name="mistral", namespace="llm", reason="BACKEND"}'), at10m(R.inferences, 8),
    at10m(R.requestUs, 1_000_000), at10m(R.queueUs, 100_000), at10m(R.inferUs, 800_000), at10m(R.pending, 5),
  ],
}];
