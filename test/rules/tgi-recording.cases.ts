// promtool cases for TGI's recording rules (src/kinds/tgi/recording.ts): one sample per minute, so a
// 5m rate is the exact slope. Two TGI replicas of one model (model_name from the target label), their
// series summed per model.
import { bucketRateName } from '../../src/catalog/recording.ts';
import { TGI_HISTOGRAMS, TGI_RECORDED } from '../../src/kinds/tgi/metrics.ts';
import { series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const tgi = (replica: string) => ({ job: 'tgi', instance: `h1:300${replica}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'zephyr' });
const MODEL = '{cluster="c1", model_name="zephyr", namespace="llm"}';
const at10m = (expr: string, labels: string, value: number) => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: [{ labels, value }] });

export const tgiRecordingCases: TestGroup[] = [{
  input_series: [
    // Prompt tokens +6000/min and +1200/min: 100 + 20 = 120 tokens/s for the model.
    { series: series('tgi_request_input_length_sum', tgi('0')), values: '0+6000x20' },
    { series: series('tgi_request_input_length_sum', tgi('1')), values: '0+1200x20' },
    // Generated tokens +3000/min on one replica: 50/s.
    { series: series('tgi_request_generated_tokens_sum', tgi('0')), values: '0+3000x20' },
    { series: series('tgi_request_success', tgi('0')), values: '0+60x20' },
    { series: series('tgi_request_failure', { ...tgi('0'), err: 'overloaded' }), values: '0+6x20' },
    { series: series('tgi_batch_current_size', tgi('0')), values: '3x20' },
    { series: series('tgi_batch_current_size', tgi('1')), values: '2x20' },
    { series: series('tgi_queue_size', tgi('1')), values: '4x20' },
    // Every latency histogram: +120/min in the 0.5 bucket on each replica: 2/s each, 4/s per model.
    ...TGI_HISTOGRAMS.flatMap((h) => ['0', '1'].map((r) => ({ series: series(`${h}_bucket`, { ...tgi(r), le: '0.5' }), values: '0+120x20' }))),
  ],
  promql_expr_test: [
    at10m(TGI_RECORDED.promptTokens, MODEL, 120),
    at10m(TGI_RECORDED.generatedTokens, MODEL, 50),
    at10m(TGI_RECORDED.success, MODEL, 1),
    at10m(TGI_RECORDED.failure, '{cluster="c1", err="overloaded", model_name="zephyr", namespace="llm"}', 0.1),
    at10m(TGI_RECORDED.running, MODEL, 5),
    at10m(TGI_RECORDED.waiting, MODEL, 4),
    ...TGI_HISTOGRAMS.map((h) => at10m(bucketRateName(h), '{cluster="c1", le="0.5", model_name="zephyr", namespace="llm"}', 4)),
  ],
}];
