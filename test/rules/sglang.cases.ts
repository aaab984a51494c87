// promtool cases for SGLang's parity series (rules/serving-sglang.ts, its queue-time buckets in
// rules/serving-latency.ts) and for SGLang models in the TTFT and error SLOs and the error-ratio
// alert (rules/slo-*.ts, alerts/llm-serving.ts). One sample per minute; rates over evenly spaced
// samples are the exact per-second slope.
import { bucketRateName, quantileName } from '../../src/catalog/recording.ts';
import { expectAlert, series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

/** One SGLang scheduler/tokenizer rank serving `model`. */
const sg = (model: string, rank = '0') => ({ job: 'sglang', instance: `h1:3000${rank}`, cluster: 'c1', namespace: 'llm', host: 'h1', model_name: model, engine_type: 'unified', tp_rank: rank, pp_rank: '0' });
const MODEL = (m: string) => `{cluster="c1", model_name="${m}", namespace="llm"}`;
const at10m = (expr: string, samples: [string, number][]): ExprTest => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: samples.map(([labels, value]) => ({ labels, value })) });
const slo = (model: string) => ({ cluster: 'c1', namespace: 'llm', model_name: model });

/** SGLang's TTFT histogram (le printed as floats, as prometheus_client does): per minute `total` requests, `fast` within 1 s. */
function ttft(model: string, total: number, fast: number) {
  return [
    { series: series('sglang:time_to_first_token_seconds_bucket', { ...sg(model), le: '0.6' }), values: `0+${fast / 2}x200` },
    { series: series('sglang:time_to_first_token_seconds_bucket', { ...sg(model), le: '1.0' }), values: `0+${fast}x200` },
    { series: series('sglang:time_to_first_token_seconds_bucket', { ...sg(model), le: '+Inf' }), values: `0+${total}x200` },
    { series: series('sglang:time_to_first_token_seconds_count', sg(model)), values: `0+${total}x200` },
  ];
}
/** Finished and aborted requests per minute. */
function requests(model: string, finished: number, aborted: number) {
  return [
    { series: series('sglang:num_requests_total', sg(model)), values: `0+${finished}x200` },
    { series: series('sglang:num_aborted_requests_total', sg(model)), values: `0+${aborted}x200` },
  ];
}

export const sglangCases: TestGroup[] = [
  {
    // qwen on two ranks. Per minute on rank 0: 60 finished, 3 aborted, 1200 prompt tokens of which
    // 300 cached, 6 retracted; realtime tokens 900 computed / 300 cached / 600 decode; GPU busy
    // 30 s extend + 24 s decode. Gauges: accept length 3 and 2, rate 0.8 and 0.6, utilization 0.5
    // and 0.7 on the two ranks (averaged per model). Queue time: 40 a minute, 36 within 0.5 s.
    input_series: [
      ...requests('qwen', 60, 3),
      { series: series('sglang:prompt_tokens_total', sg('qwen')), values: '0+1200x20' },
      { series: series('sglang:cached_tokens_total', sg('qwen')), values: '0+300x20' },
      { series: series('sglang:num_retracted_requests_total', sg('qwen')), values: '0+6x20' },
      ...[['prefill_compute', 900], ['prefill_cache', 300], ['decode', 600]].map(([mode, n]) => (
        { series: series('sglang:realtime_tokens_total', { ...sg('qwen'), mode: String(mode) }), values: `0+${n}x20` })),
      ...[['extend', 30], ['decode', 24]].map(([category, s]) => (
        { series: series('sglang:gpu_execution_seconds_total', { ...sg('qwen'), category: String(category) }), values: `0+${s}x20` })),
      ...[['0', 3, 0.8, 0.5], ['1', 2, 0.6, 0.7]].flatMap(([rank, len, rate, util]) => [
        { series: series('sglang:spec_accept_length', sg('qwen', String(rank))), values: `${len}x20` },
        { series: series('sglang:spec_accept_rate', sg('qwen', String(rank))), values: `${rate}x20` },
        { series: series('sglang:utilization', sg('qwen', String(rank))), values: `${util}x20` },
      ]),
      ...[['0.5', 36], ['1.0', 40], ['+Inf', 40]].map(([le, n]) => (
        { series: series('sglang:queue_time_seconds_bucket', { ...sg('qwen'), le: String(le) }), values: `0+${n}x20` })),
    ],
    promql_expr_test: [
      at10m('model_name:sglang_num_requests:rate5m', [[MODEL('qwen'), 1]]),
      at10m('model_name:sglang_num_aborted_requests:rate5m', [[MODEL('qwen'), 0.05]]),
      at10m('model_name:sglang_cached_tokens:rate5m', [[MODEL('qwen'), 5]]),
      at10m('model_name:sglang_num_retracted_requests:rate5m', [[MODEL('qwen'), 0.1]]),
      at10m('model_name:sglang_realtime_tokens:rate5m', [
        ['{cluster="c1", mode="decode", model_name="qwen", namespace="llm"}', 10],
        ['{cluster="c1", mode="prefill_cache", model_name="qwen", namespace="llm"}', 5],
        ['{cluster="c1", mode="prefill_compute", model_name="qwen", namespace="llm"}', 15],
      ]),
      // Seconds busy per second: 30 s and 24 s a minute = 0.5 and 0.4.
      at10m('model_name:sglang_gpu_execution_seconds:rate5m', [
        ['{category="decode", cluster="c1", model_name="qwen", namespace="llm"}', 0.4],
        ['{category="extend", cluster="c1", model_name="qwen", namespace="llm"}', 0.5],
      ]),
      at10m('model_name:sglang_spec_accept_length:avg', [[MODEL('qwen'), 2.5]]),
      at10m('model_name:sglang_spec_accept_rate:avg', [[MODEL('qwen'), 0.7]]),
      at10m('model_name:sglang_utilization:avg', [[MODEL('qwen'), 0.6]]),
      at10m(`${bucketRateName('sglang:queue_time_seconds')}{le="+Inf"}`, [['{cluster="c1", le="+Inf", model_name="qwen", namespace="llm"}', 0.667]]),
      // 36 of 40 within 0.5 s, all within 1 s: p90 interpolates inside (0.5, 1]: 0.5 + 0.5 x (36 - 36) / 4 = 0.5.
      at10m(quantileName('sglang:queue_time_seconds', 90), [[MODEL('qwen'), 0.5]]),
    ],
  },
  {
    // TTFT SLO over SGLang models (budget 1 %): qwen 20 of 100 slower than 1 s (page and ticket);
    // gemma 1 of 200 (below every factor). Errors: qwen aborts 6 of 60 (10 %), but with the default
    // errorReasons (error only) SGLang's aborts, client hang-ups among them, spend no error budget.
    input_series: [...ttft('qwen', 100, 80), ...ttft('gemma', 200, 199), ...requests('qwen', 60, 6), ...requests('gemma', 2000, 1)],
    alert_rule_test: [
      { eval_time: '30m', alertname: 'VLLMTTFTBudgetBurn', exp_alerts: [
        expectAlert('VLLMTTFTBudgetBurn', 'critical', slo('qwen'), '20% of requests to qwen waited more than 1000 ms for their first token (objective 0.99).'),
        expectAlert('VLLMTTFTBudgetBurn', 'warning', slo('qwen'), '20% of requests to qwen waited more than 1000 ms for their first token (objective 0.99).'),
      ] },
      { eval_time: '30m', alertname: 'VLLMErrorBudgetBurn', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMHighErrorRatio', exp_alerts: [] },
    ],
  },
];

/** With errorReasons [error, abort] (test/sglang-slo.test.ts): SGLang's aborts are its errors. */
export const sglangAbortCases: TestGroup[] = [
  {
    // qwen 6 aborted of 60 finished = 10 % (page and ticket; over the 5 % error-ratio alert); gemma 1 of 2000 (none).
    input_series: [...requests('qwen', 60, 6), ...requests('gemma', 2000, 1)],
    alert_rule_test: [
      { eval_time: '30m', alertname: 'VLLMErrorBudgetBurn', exp_alerts: [
        expectAlert('VLLMErrorBudgetBurn', 'critical', slo('qwen'), '10% of requests to qwen failed (objective 0.999).'),
        expectAlert('VLLMErrorBudgetBurn', 'warning', slo('qwen'), '10% of requests to qwen failed (objective 0.999).'),
      ] },
      { eval_time: '8m', alertname: 'VLLMHighErrorRatio', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMHighErrorRatio', exp_alerts: [
        expectAlert('VLLMHighErrorRatio', 'warning', { ...slo('qwen'), host: 'h1' }, '10% of requests to qwen on h1 ended in an error.'),
      ] },
    ],
  },
];
