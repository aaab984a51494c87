// promtool cases for alerts/llm-serving.ts (default config: down 3m, absent 10m, rates over 5m,
// error ratio 0.05 for 10m, queue 20 for 15m, KV cache 0.95 for 15m, preemptions 0.1/s for 15m;
// SLOs: TTFT 99 % within 1 s, errors 99.9 %; page 14.4x 1h+5m / 6x 6h+30m for 2m, ticket
// 3x 1d+2h / 1x 3d+6h for 15m). One sample per minute.
import { expectAlert, series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const vllm = (model: string, extra: Record<string, string> = {}) => ({
  job: 'vllm', instance: 'h1:8000', cluster: 'c1', namespace: 'llm', host: 'h1', model_name: model, engine: '0', ...extra,
});
const at = (model: string) => ({ cluster: 'c1', namespace: 'llm', model_name: model, host: 'h1' });
const slo = (model: string) => ({ cluster: 'c1', namespace: 'llm', model_name: model });

/** A TTFT histogram: per minute `total` requests, `fast` of them within 1 s; `le` as the server prints it. */
function ttft(model: string, total: number, fast: number, le = '1.0') {
  return [
    { series: series('vllm:time_to_first_token_seconds_bucket', { ...vllm(model), le: '0.5' }), values: `0+${fast / 2}x200` },
    { series: series('vllm:time_to_first_token_seconds_bucket', { ...vllm(model), le }), values: `0+${fast}x200` },
    { series: series('vllm:time_to_first_token_seconds_bucket', { ...vllm(model), le: '+Inf' }), values: `0+${total}x200` },
    { series: series('vllm:time_to_first_token_seconds_count', vllm(model)), values: `0+${total}x200` },
  ];
}
/** Finished requests per minute: `failed` with finished_reason error, `ok` with stop. */
function finished(model: string, failed: number, ok: number) {
  return [
    { series: series('vllm:request_success_total', { ...vllm(model), finished_reason: 'error' }), values: `0+${failed}x200` },
    { series: series('vllm:request_success_total', { ...vllm(model), finished_reason: 'stop' }), values: `0+${ok}x200` },
    { series: series('vllm:request_success_total', { ...vllm(model), finished_reason: 'abort' }), values: '0x200' },
  ];
}

export const llmServingCases: TestGroup[] = [
  {
    // vLLM down from 3m (for 3m: firing from 6m); the SGLang target stays up.
    input_series: [
      { series: series('up', { job: 'vllm', instance: 'h1:8000', cluster: 'c1', host: 'h1' }), values: '1x2 0x20' },
      { series: series('up', { job: 'sglang', instance: 'h1:30000', cluster: 'c1', host: 'h1' }), values: '1x22' },
    ],
    alert_rule_test: [
      { eval_time: '4m', alertname: 'LLMServerDown', exp_alerts: [] },
      { eval_time: '10m', alertname: 'LLMServerDown', exp_alerts: [
        expectAlert('LLMServerDown', 'critical', { job: 'vllm', instance: 'h1:8000', cluster: 'c1', host: 'h1' }, 'vllm target h1:8000 on h1 has been down for 3m.'),
      ] },
      // An SGLang target exists: not absent.
      { eval_time: '15m', alertname: 'LLMServerAbsent', exp_alerts: [] },
    ],
  },
  {
    // No serving target at all (only node_exporter): absent for 10m -> fires; absent() keeps job="vllm".
    input_series: [{ series: series('up', { job: 'node', instance: 'h1:9100' }), values: '1x20' }],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'LLMServerAbsent', exp_alerts: [] },
      { eval_time: '15m', alertname: 'LLMServerAbsent', exp_alerts: [
        expectAlert('LLMServerAbsent', 'warning', { job: 'vllm' }, 'No target matches up{job="vllm"}, up{job="sglang"}, up{job="tgi"}, up{job="llamacpp"} or up{job="triton"} (absent: vllm): check service discovery.'),
      ] },
    ],
  },
  {
    // llama-7b: 6 errors + 54 stops per minute = 10 % errors (> 5 %); llama-13b: 1 + 99 = 1 %.
    input_series: [...finished('llama-7b', 6, 54), ...finished('llama-13b', 1, 99)],
    alert_rule_test: [
      { eval_time: '8m', alertname: 'VLLMHighErrorRatio', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMHighErrorRatio', exp_alerts: [
        expectAlert('VLLMHighErrorRatio', 'warning', at('llama-7b'), '10% of requests to llama-7b on h1 ended in an error.'),
      ] },
    ],
  },
  {
    // Queue: llama-7b 25 waiting over two engines (15 + 10 > 20), llama-13b 5. KV cache: llama-7b
    // reports only the old name gpu_cache_usage_perc (0.97 > 0.95), llama-13b the new name at 0.5.
    // Preemptions: llama-7b +12/min = 0.2/s (> 0.1), llama-13b +3/min = 0.05/s.
    input_series: [
      { series: series('vllm:num_requests_waiting', vllm('llama-7b')), values: '15x30' },
      { series: series('vllm:num_requests_waiting', vllm('llama-7b', { engine: '1' })), values: '10x30' },
      { series: series('vllm:num_requests_waiting', vllm('llama-13b')), values: '5x30' },
      { series: series('vllm:gpu_cache_usage_perc', vllm('llama-7b')), values: '0.97x30' },
      { series: series('vllm:kv_cache_usage_perc', vllm('llama-13b')), values: '0.5x30' },
      { series: series('vllm:num_preemptions_total', vllm('llama-7b')), values: '0+12x30' },
      { series: series('vllm:num_preemptions_total', vllm('llama-13b')), values: '0+3x30' },
    ],
    alert_rule_test: [
      { eval_time: '10m', alertname: 'VLLMQueueBacklog', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMQueueBacklog', exp_alerts: [
        expectAlert('VLLMQueueBacklog', 'warning', at('llama-7b'), '25 requests are waiting for llama-7b on h1.'),
      ] },
      { eval_time: '10m', alertname: 'VLLMKVCacheSaturated', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMKVCacheSaturated', exp_alerts: [
        expectAlert('VLLMKVCacheSaturated', 'warning', at('llama-7b'), 'The KV cache of llama-7b on h1 is 97% full.'),
      ] },
      { eval_time: '10m', alertname: 'VLLMPreemptionsRising', exp_alerts: [] },
      { eval_time: '20m', alertname: 'VLLMPreemptionsRising', exp_alerts: [
        expectAlert('VLLMPreemptionsRising', 'warning', at('llama-7b'), 'llama-7b on h1 preempts 0.20 requests per second.'),
      ] },
    ],
  },
  {
    // TTFT SLO (budget 1 %): llama-7b 20 of 100 requests slower than 1 s (ratio 0.2 > 14.4 x 0.01
    // and > 3 x 0.01: page and ticket); llama-13b 5 of 100 with le="1" as SGLang prints it (0.05:
    // above 3 x and 1 x the budget, below 6 x and 14.4 x: ticket only); llama-70b 1 of 200 (0.005:
    // below every factor); mistral 10 of 100 (0.1: under 14.4 x but over 6 x the budget, so it pages
    // through the second condition, 6h and 30m, alone). Counters start at 0, so every window's
    // ratio is the same fraction.
    input_series: [...ttft('llama-7b', 100, 80), ...ttft('llama-13b', 100, 95, '1'), ...ttft('llama-70b', 200, 199), ...ttft('mistral', 100, 90)],
    alert_rule_test: [
      { eval_time: '1m', alertname: 'VLLMTTFTBudgetBurn', exp_alerts: [] }, // pending: for 2m / 15m
      { eval_time: '30m', alertname: 'VLLMTTFTBudgetBurn', exp_alerts: [
        expectAlert('VLLMTTFTBudgetBurn', 'critical', slo('llama-7b'), '20% of requests to llama-7b waited more than 1000 ms for their first token (objective 0.99).'),
        expectAlert('VLLMTTFTBudgetBurn', 'warning', slo('llama-7b'), '20% of requests to llama-7b waited more than 1000 ms for their first token (objective 0.99).'),
        expectAlert('VLLMTTFTBudgetBurn', 'warning', slo('llama-13b'), '5% of requests to llama-13b waited more than 1000 ms for their first token (objective 0.99).'),
        expectAlert('VLLMTTFTBudgetBurn', 'critical', slo('mistral'), '10% of requests to mistral waited more than 1000 ms for their first token (objective 0.99).'),
        expectAlert('VLLMTTFTBudgetBurn', 'warning', slo('mistral'), '10% of requests to mistral waited more than 1000 ms for their first token (objective 0.99).'),
      ] },
    ],
  },
  {
    // Error SLO (budget 0.1 %): llama-7b 10 % errors (page and ticket); llama-13b 1 of 200 = 0.5 %
    // (> 3 x 0.001, < 6 x 0.001: ticket only); llama-70b 1 of 2000 = 0.05 % (below 1 x: none).
    input_series: [...finished('llama-7b', 6, 54), ...finished('llama-13b', 1, 199), ...finished('llama-70b', 1, 1999)],
    alert_rule_test: [
      { eval_time: '1m', alertname: 'VLLMErrorBudgetBurn', exp_alerts: [] },
      { eval_time: '30m', alertname: 'VLLMErrorBudgetBurn', exp_alerts: [
        expectAlert('VLLMErrorBudgetBurn', 'critical', slo('llama-7b'), '10% of requests to llama-7b failed (objective 0.999).'),
        expectAlert('VLLMErrorBudgetBurn', 'warning', slo('llama-7b'), '10% of requests to llama-7b failed (objective 0.999).'),
        expectAlert('VLLMErrorBudgetBurn', 'warning', slo('llama-13b'), '0.5% of requests to llama-13b failed (objective 0.999).'),
      ] },
    ],
  },
];
