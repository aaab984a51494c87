// promtool cases for llama.cpp's recording rules (src/kinds/llamacpp/recording.ts): one sample per
// minute, so a 5m rate is the exact slope; two servers of one model summed per model.
import { LLAMACPP_RECORDED as R } from '../../src/kinds/llamacpp/metrics.ts';
import { series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const cpp = (n: string) => ({ job: 'llamacpp', instance: `h1:808${n}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: 'qwen-3b' });
const MODEL = '{cluster="c1", model_name="qwen-3b", namespace="llm"}';
const at10m = (expr: string, value: number) => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: [{ labels: MODEL, value }] });

export const llamacppRecordingCases: TestGroup[] = [{
  input_series: [
    // +1200 and +600 prompt tokens a minute: 30/s; +1800 generated on one: 30/s.
    { series: series('llamacpp:prompt_tokens_total', cpp('0')), values: '0+1200x20' },
    { series: series('llamacpp:prompt_tokens_total', cpp('1')), values: '0+600x20' },
    { series: series('llamacpp:tokens_predicted_total', cpp('0')), values: '0+1800x20' },
    // 6 s of prompt time and 30 s of generation a minute: 0.1 and 0.5 s/s.
    { series: series('llamacpp:prompt_seconds_total', cpp('0')), values: '0+6x20' },
    { series: series('llamacpp:tokens_predicted_seconds_total', cpp('0')), values: '0+30x20' },
    { series: series('llamacpp:requests_processing', cpp('0')), values: '2x20' },
    { series: series('llamacpp:requests_processing', cpp('1')), values: '1x20' },
    { series: series('llamacpp:requests_deferred', cpp('1')), values: '3x20' },
  ],
  promql_expr_test: [
    at10m(R.promptTokens, 30), at10m(R.generatedTokens, 30), at10m(R.promptSeconds, 0.1), at10m(R.generatedSeconds, 0.5),
    at10m(R.processing, 3), at10m(R.deferred, 3),
  ],
}];
