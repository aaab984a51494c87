// promtool cases for tokenwatt-serving-vllm-detail (rules/serving-vllm.ts): one sample per minute, so
// a 5m rate is the exact slope. One model on two vLLM servers (h1:8000 speculating, h1:8001 with LoRA);
// the API server's series and the info gauges carry no model_name and get it from the running gauge.
import { series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

const server = (i: string) => ({ job: 'vllm', instance: `h1:800${i}`, cluster: 'c1', namespace: 'llm' });
const engine = (i: string, extra: Record<string, string> = {}) => ({ ...server(i), model_name: 'llama-7b', engine: '0', ...extra });
const MODEL = '{cluster="c1", model_name="llama-7b", namespace="llm"}';
const withModel = (extra: string) => `{cluster="c1", model_name="llama-7b", namespace="llm", ${extra}}`;
const at10m = (expr: string, labels: string, value: number): ExprTest => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: [{ labels, value }] });

export const vllmDetailCases: TestGroup[] = [{
  input_series: [
    { series: series('vllm:num_requests_running', engine('0')), values: '5x20' },
    { series: series('vllm:num_requests_running', engine('1')), values: '3x20' },
    // Drafts +600/min (10/s), draft tokens +1800/min (30/s, 3 per draft), accepted +1080/min (18/s):
    // acceptance rate 0.6, mean acceptance length 1 + 18/10 = 2.8.
    { series: series('vllm:spec_decode_num_drafts_total', engine('0')), values: '0+600x20' },
    { series: series('vllm:spec_decode_num_draft_tokens_total', engine('0')), values: '0+1800x20' },
    { series: series('vllm:spec_decode_num_accepted_tokens_total', engine('0')), values: '0+1080x20' },
    { series: series('vllm:spec_decode_num_accepted_tokens_per_pos_total', engine('0', { position: '0' })), values: '0+540x20' },
    { series: series('vllm:spec_decode_num_accepted_tokens_per_pos_total', engine('0', { position: '1' })), values: '0+360x20' },
    // Waiting: 2 + 1 for capacity on the two servers, 4 deferred on the LoRA server.
    { series: series('vllm:num_requests_waiting_by_reason', engine('0', { reason: 'capacity' })), values: '2x20' },
    { series: series('vllm:num_requests_waiting_by_reason', engine('1', { reason: 'capacity' })), values: '1x20' },
    { series: series('vllm:num_requests_waiting_by_reason', engine('1', { reason: 'deferred' })), values: '4x20' },
    // Prompt tokens +6000/min computed and +3000/min from the local cache: 100/s and 50/s.
    { series: series('vllm:prompt_tokens_by_source_total', engine('0', { source: 'local_compute' })), values: '0+6000x20' },
    { series: series('vllm:prompt_tokens_by_source_total', engine('0', { source: 'local_cache_hit' })), values: '0+3000x20' },
    // 120 steps/min of 7200 tokens/min: 2 steps/s, 120 tokens/s (60 tokens per step).
    { series: series('vllm:iteration_tokens_total_sum', engine('0')), values: '0+7200x20' },
    { series: series('vllm:iteration_tokens_total_count', engine('0')), values: '0+120x20' },
    { series: series('vllm:engine_sleep_state', engine('0', { sleep_state: 'awake' })), values: '1x20' },
    { series: series('vllm:engine_sleep_state', engine('1', { sleep_state: 'awake' })), values: '0x20' },
    { series: series('vllm:engine_sleep_state', engine('1', { sleep_state: 'weights_offloaded' })), values: '1x20' },
    // FLOPs per GPU +6e15/min and +3e15/min on the two servers: mean 7.5e13 FLOP/s.
    { series: series('vllm:estimated_flops_per_gpu_total', engine('0')), values: '0+6e15x20' },
    { series: series('vllm:estimated_flops_per_gpu_total', engine('1')), values: '0+3e15x20' },
    // The model's energy over three placements (a tensor-parallel pair and one more GPU).
    ...['0', '1', '2'].map((gpu) => ({ series: series('tokenwatt_model_energy_joules_total', { job: 'tokenwatt', instance: 'tw:9464', cluster: 'c1', namespace: 'llm', model_name: 'llama-7b', gpu }), values: '0+6000x20' })),
    // HTTP: 2xx +600/min and 5xx +60/min on one server, 2xx +300/min on the other: 15/s 2xx, 1/s 5xx.
    { series: series('http_requests_total', { ...server('0'), handler: '/v1/chat/completions', method: 'POST', status: '2xx' }), values: '0+600x20' },
    { series: series('http_requests_total', { ...server('0'), handler: '/v1/chat/completions', method: 'POST', status: '5xx' }), values: '0+60x20' },
    { series: series('http_requests_total', { ...server('1'), handler: '/v1/completions', method: 'POST', status: '2xx' }), values: '0+300x20' },
    // LoRA: the older label set keeps its old timestamp; the newest is the one kept.
    { series: series('vllm:lora_requests_info', { ...server('1'), max_lora: '2', running_lora_adapters: 'sql', waiting_lora_adapters: '' }), values: '1000x20' },
    { series: series('vllm:lora_requests_info', { ...server('1'), max_lora: '2', running_lora_adapters: 'sql,chat', waiting_lora_adapters: 'math' }), values: '2000x20' },
    { series: series('vllm:cache_config_info', { ...server('0'), engine: '0', block_size: '16', cache_dtype: 'auto', enable_prefix_caching: 'True', gpu_memory_utilization: '0.9', num_gpu_blocks: '2939' }), values: '1x20' },
    { series: series('process_start_time_seconds', server('0')), values: '1800000000x20' },
  ],
  promql_expr_test: [
    at10m('instance:vllm_model_name:group{instance="h1:8000"}', '{cluster="c1", instance="h1:8000", model_name="llama-7b", namespace="llm"}', 1),
    at10m('model_name:vllm_spec_decode_num_drafts:rate5m', MODEL, 10),
    at10m('model_name:vllm_spec_decode_num_draft_tokens:rate5m', MODEL, 30),
    at10m('model_name:vllm_spec_decode_num_accepted_tokens:rate5m', MODEL, 18),
    at10m('model_name:vllm_spec_decode_num_accepted_tokens_per_pos:rate5m{position="1"}', withModel('position="1"'), 6),
    at10m('model_name:vllm_num_requests_waiting_by_reason:sum{reason="capacity"}', withModel('reason="capacity"'), 3),
    at10m('model_name:vllm_num_requests_waiting_by_reason:sum{reason="deferred"}', withModel('reason="deferred"'), 4),
    at10m('model_name:vllm_prompt_tokens_by_source:rate5m{source="local_cache_hit"}', withModel('source="local_cache_hit"'), 50),
    at10m('model_name:vllm_iteration_tokens:rate5m', MODEL, 120),
    at10m('model_name:vllm_iteration_steps:rate5m', MODEL, 2),
    at10m('model_name:vllm_engine_sleep_state:sum{sleep_state="awake"}', withModel('sleep_state="awake"'), 1),
    at10m('model_name:vllm_engine_sleep_state:sum{sleep_state="weights_offloaded"}', withModel('sleep_state="weights_offloaded"'), 1),
    at10m('model_name:vllm_estimated_flops_per_gpu:rate5m / 1e12', MODEL, 75),
    at10m('model_name:tokenwatt_gpu_placements:count', MODEL, 3),
    at10m('model_name:vllm_http_requests:rate5m{status="2xx"}', withModel('status="2xx"'), 15),
    at10m('model_name:vllm_http_requests:rate5m{status="5xx"}', withModel('status="5xx"'), 1),
    at10m('instance:vllm_lora_requests_info:latest', '{cluster="c1", instance="h1:8001", max_lora="2", model_name="llama-7b", namespace="llm", running_lora_adapters="sql,chat", waiting_lora_adapters="math"}', 2000),
    at10m('instance:vllm_cache_config_info:max', '{block_size="16", cache_dtype="auto", cluster="c1", enable_prefix_caching="True", gpu_memory_utilization="0.9", instance="h1:8000", model_name="llama-7b", namespace="llm", num_gpu_blocks="2939"}', 1),
    at10m('instance:vllm_process_start_time_seconds:max', '{cluster="c1", instance="h1:8000", model_name="llama-7b", namespace="llm"}', 1800000000),
  ],
}];
