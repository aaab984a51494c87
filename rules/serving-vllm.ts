// vLLM per-model traffic and engine state for the LLM serving dashboard: requests by finished
// reason, prompt tokens, preemptions, prefix cache, KV-cache usage. Renamed series (vLLM's
// `replacedBy` in src/catalog/vllm.ts) are joined here once, `new or old`.
// What the serving alerts need per host (alerts/llm-serving.ts: errors, preemptions, KV cache) is
// recorded per model and host first (`model_name_host:`), and the per-model series are summed from
// it in the same group (the rule after it sees this evaluation's result): every engine's raw series
// is read once per cycle, not once for the dashboard and again for each alert.
//
// tokenwatt-serving-vllm-detail: the engine detail of the dashboard's collapsed rows (speculative
// decoding, waiting by reason, prompt tokens by source, engine steps, API server HTTP statuses, sleep
// state, MFU estimates, and the LoRA / cache config / instance tables), evaluated at a quarter of the
// rate like the detail latency histograms. Each rule reads its raw family once. Series without a
// model_name label (http_requests_total, the two info gauges, process_start_time_seconds) get it from
// the server's running-requests gauge, recorded once per server as instance:vllm_model_name:group.
import { anyName, rateOf, sel } from '../src/promql/helpers.ts';
import { modelBy, servingBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { slower } from './serving-latency.ts';

/** The recorded per-server join: cluster, namespace, instance, model_name; value 1. */
export const VLLM_SERVER_MODEL = 'instance:vllm_model_name:group';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c);
  const host = servingBy(c);
  const v = c.selectors.vllm;
  const sumRate = (name: string, labels = by) => `sum by (${labels.join(', ')}) (${rateOf(name, v, '5m')})`;
  return {
    name: 'tokenwatt-serving-vllm',
    rules: [
      { record: 'model_name_host:vllm_request_success:rate5m', expr: sumRate('vllm:request_success_total', [...host, 'finished_reason']) },
      { record: 'model_name:vllm_request_success:rate5m', expr: `sum by (${[...by, 'finished_reason'].join(', ')}) (model_name_host:vllm_request_success:rate5m)` },
      { record: 'model_name:vllm_prompt_tokens:rate5m', expr: sumRate('vllm:prompt_tokens_total') },
      { record: 'model_name_host:vllm_num_preemptions:rate5m', expr: sumRate('vllm:num_preemptions_total', host) },
      { record: 'model_name:vllm_num_preemptions:rate5m', expr: `sum by (${by.join(', ')}) (model_name_host:vllm_num_preemptions:rate5m)` },
      { record: 'model_name:vllm_prefix_cache_hits:rate5m', expr: sumRate('vllm:prefix_cache_hits_total') },
      { record: 'model_name:vllm_prefix_cache_queries:rate5m', expr: sumRate('vllm:prefix_cache_queries_total') },
      { record: 'model_name_host:vllm_kv_cache_usage_perc:max', expr: `max by (${host.join(', ')}) (${anyName('vllm:kv_cache_usage_perc', v)})` },
      { record: 'model_name:vllm_kv_cache_usage_perc:max', expr: `max by (${by.join(', ')}) (model_name_host:vllm_kv_cache_usage_perc:max)` },
      // The queue of every model (the LLM serving dashboard plots it; the autoscaling triggers read it:
      // src/autoscaling/signals.ts records their other signals only for autoscaled models).
      { record: 'model_name:vllm_num_requests_waiting:sum', expr: `sum by (${by.join(', ')}) (${anyName('vllm:num_requests_waiting', v)})` },
    ],
  };
};
export default group;

export const servingVllmDetail: RecordingGroupDef = (c) => {
  const by = modelBy(c);
  const v = c.selectors.vllm;
  const cl = c.clusterLabel;
  const list = (extra: readonly string[] = []) => [...by, ...extra].join(', ');
  const sumRate = (name: string, extra: readonly string[] = []) => `sum by (${list(extra)}) (${rateOf(name, v, '5m')})`;
  const rate = (name: string, suffix: string) => `rate(${sel(name, v, suffix)}[5m])`;
  const server = [cl, 'namespace', 'instance'];
  /** Give a per-server series without model_name the model of its server. */
  const withModel = (expr: string) => `${expr} * on (${cl}, instance) group_left (model_name) ${VLLM_SERVER_MODEL}`;
  return {
    name: 'tokenwatt-serving-vllm-detail',
    interval: slower(c.prometheus.evaluationInterval),
    rules: [
      { record: VLLM_SERVER_MODEL, expr: `group by (${[...server, 'model_name'].join(', ')}) (${sel('vllm:num_requests_running', v)})` },
      // Speculative decoding: acceptance rate = accepted / draft tokens, mean acceptance length = 1 + accepted / drafts.
      { record: 'model_name:vllm_spec_decode_num_drafts:rate5m', expr: sumRate('vllm:spec_decode_num_drafts_total') },
      { record: 'model_name:vllm_spec_decode_num_draft_tokens:rate5m', expr: sumRate('vllm:spec_decode_num_draft_tokens_total') },
      { record: 'model_name:vllm_spec_decode_num_accepted_tokens:rate5m', expr: sumRate('vllm:spec_decode_num_accepted_tokens_total') },
      { record: 'model_name:vllm_spec_decode_num_accepted_tokens_per_pos:rate5m', expr: sumRate('vllm:spec_decode_num_accepted_tokens_per_pos_total', ['position']) },
      // Scheduler and prompt-token detail.
      { record: 'model_name:vllm_num_requests_waiting_by_reason:sum', expr: `sum by (${list(['reason'])}) (${sel('vllm:num_requests_waiting_by_reason', v)})` },
      { record: 'model_name:vllm_prompt_tokens_by_source:rate5m', expr: sumRate('vllm:prompt_tokens_by_source_total', ['source']) },
      // iteration_tokens_total is a histogram: its _sum / _count is the mean tokens per engine step.
      { record: 'model_name:vllm_iteration_tokens:rate5m', expr: `sum by (${list()}) (${rate('vllm:iteration_tokens_total', '_sum')})` },
      { record: 'model_name:vllm_iteration_steps:rate5m', expr: `sum by (${list()}) (${rate('vllm:iteration_tokens_total', '_count')})` },
      { record: 'model_name:vllm_engine_sleep_state:sum', expr: `sum by (${list(['sleep_state'])}) (${sel('vllm:engine_sleep_state', v)})` },
      // MFU estimates: mean FLOP/s per GPU over the model's engines.
      { record: 'model_name:vllm_estimated_flops_per_gpu:rate5m', expr: `avg by (${list()}) (${rate('vllm:estimated_flops_per_gpu_total', '')})` },
      // GPUs (or MIG slices) a model's energy is attributed over: one tokenwatt series per placement, so
      // FLOPs per joule = FLOP/s per GPU / (model watts / placements), exact when the replicas are alike.
      { record: 'model_name:tokenwatt_gpu_placements:count', expr: `count by (${list()}) (${sel('tokenwatt_model_energy_joules_total', c.selectors.tokenwatt)})` },
      // The API server's own view: requests by status group (4xx and 5xx never reach the engine's counters).
      { record: 'model_name:vllm_http_requests:rate5m', expr: `sum by (${list(['status'])}) (${withModel(rate('http_requests_total', ''))})` },
      // Tables: the newest LoRA label set per server (older ones keep their old timestamps), cache config, start time.
      {
        record: 'instance:vllm_lora_requests_info:latest',
        expr: `max by (${[...server, 'model_name', 'max_lora', 'running_lora_adapters', 'waiting_lora_adapters'].join(', ')}) (${withModel(`topk by (${cl}, instance) (1, ${sel('vllm:lora_requests_info', v)})`)})`,
      },
      {
        record: 'instance:vllm_cache_config_info:max',
        expr: `max by (${[...server, 'model_name', 'block_size', 'cache_dtype', 'enable_prefix_caching', 'gpu_memory_utilization', 'num_gpu_blocks'].join(', ')}) (${withModel(sel('vllm:cache_config_info', v))})`,
      },
      { record: 'instance:vllm_process_start_time_seconds:max', expr: `max by (${[...server, 'model_name'].join(', ')}) (${withModel(sel('process_start_time_seconds', v))})` },
    ],
  };
};
