// The panel builders of the vLLM engine detail dashboard (dashboards/vllm-engine.ts), one section
// (row) each, beside what vLLM's own dashboards show: per-request time and length quantiles (TPOT,
// queue, prefill and decode time, prompt and generated tokens), speculative decoding, scheduler and
// prompt-cache detail, the API server's HTTP statuses, instances, LoRA and cache config tables, MFU
// estimates, KV block residency and latency heatmaps. They were collapsed rows and vLLM-only panels
// of LLM serving until that dashboard's total with every row open passed its fleet-scale budget
// (issue 11, docs/scaling.md). Every target reads a per-model or per-server recorded series
// (tokenwatt-serving-vllm-detail in rules/serving-vllm.ts, quantiles and bucket rates in
// rules/serving-latency.ts).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import { bucketRateName } from '../src/catalog/recording.ts';
import { heatmap, table, timeseries } from '../src/build/grafana/panels.ts';
import { matchers } from '../src/build/grafana/variables.ts';
import { recordedQuantile } from './llm-serving.ts';

const LEGEND = '{{model_name}}';

/** A titled section of panels: one row of the dashboard. */
export interface DetailSection { title: string; panels: cog.Builder<dashboard.Panel>[] }

/** `scope`: the dashboard's cluster, namespace and model filters, as matchers. */
export function vllmDetailSections(scope: string): DetailSection[] {
  const rec = (name: string, more = '') => `${name}{${matchers(scope, more)}}`;
  const byModel = (name: string, more = '', labels: readonly string[] = ['model_name']) => `sum by (${labels.join(', ')}) (${rec(name, more)})`;
  const recorded = (h: string, q: number) => recordedQuantile(scope, h, q);
  const drafts = byModel('model_name:vllm_spec_decode_num_drafts:rate5m');
  const draftTokens = byModel('model_name:vllm_spec_decode_num_draft_tokens:rate5m');
  const accepted = byModel('model_name:vllm_spec_decode_num_accepted_tokens:rate5m');
  const http = 'model_name:vllm_http_requests:rate5m';
  const server = ['instance', 'model_name'];
  const start = `max by (${server.join(', ')}) (${rec('instance:vllm_process_start_time_seconds:max')})`;

  return [
    // vLLM's per-request histograms beside the engine-neutral TTFT, inter-token and end-to-end latency
    // on LLM serving (the tokenwatt-serving-latency-detail quantiles).
    { title: 'vLLM request time and length', panels: [
      timeseries({
        title: 'Time per output token (TPOT) p95', unit: metric('vllm:request_time_per_output_token_seconds').grafanaUnit, w: 6,
        description: '95th percentile of each request\'s mean time per output token, per model (vllm:request_time_per_output_token_seconds: one observation per request, unlike inter-token latency\'s one per decode step).',
        targets: [{ expr: recorded('vllm:request_time_per_output_token_seconds', 95), legend: LEGEND }],
      }),
      timeseries({
        title: 'Queue time p90', unit: metric('vllm:request_queue_time_seconds').grafanaUnit, w: 6,
        description: '90th percentile time requests waited before being scheduled, per model.',
        targets: [{ expr: recorded('vllm:request_queue_time_seconds', 90), legend: LEGEND }],
      }),
      timeseries({
        title: 'Prefill and decode time p90', unit: metric('vllm:request_prefill_time_seconds').grafanaUnit, w: 6,
        description: '90th percentile time requests spent in prefill and in decode, per model.',
        targets: [
          { expr: recorded('vllm:request_prefill_time_seconds', 90), legend: `prefill ${LEGEND}` },
          { expr: recorded('vllm:request_decode_time_seconds', 90), legend: `decode ${LEGEND}` },
        ],
      }),
      timeseries({
        title: 'Tokens per request p50', unit: 'short', w: 6,
        description: 'Median prompt and generated length per request, per model.',
        targets: [
          { expr: recorded('vllm:request_prompt_tokens', 50), legend: `prompt ${LEGEND}` },
          { expr: recorded('vllm:request_generation_tokens', 50), legend: `generated ${LEGEND}` },
        ],
      }),
    ] },
    { title: 'vLLM speculative decoding', panels: [
      timeseries({
        title: 'Draft acceptance rate', unit: 'percentunit', w: 6, min: 0, max: 1,
        description: 'Accepted over proposed draft tokens per model (vllm:spec_decode_num_accepted_tokens_total / vllm:spec_decode_num_draft_tokens_total, 5m rates). Only engines started with a speculative config have these series.',
        targets: [{ expr: `${accepted} / ${draftTokens}`, legend: LEGEND }],
      }),
      timeseries({
        title: 'Mean acceptance length', unit: 'short', w: 6, min: 1,
        description: 'Tokens each draft yields, the bonus token included, as vLLM counts it: 1 + accepted tokens / drafts (vllm:spec_decode_num_drafts_total), per model. Above 1 is what speculation buys per verification step.',
        targets: [{ expr: `1 + ${accepted} / ${drafts}`, legend: LEGEND }],
      }),
      timeseries({
        title: 'Drafted and accepted tokens/s', unit: 'short', w: 6,
        description: 'Draft tokens proposed and accepted per second, per model (5m rates).',
        targets: [
          { expr: draftTokens, legend: `drafted ${LEGEND}` },
          { expr: accepted, legend: `accepted ${LEGEND}` },
        ],
      }),
      timeseries({
        title: 'Acceptance rate by draft position', unit: 'percentunit', w: 6, min: 0, max: 1,
        description: 'Share of drafts whose token at each position was accepted (vllm:spec_decode_num_accepted_tokens_per_pos_total / drafts), per model: it falls with the position, since a draft is accepted only up to its first rejected token.',
        targets: [{
          expr: `${byModel('model_name:vllm_spec_decode_num_accepted_tokens_per_pos:rate5m', '', ['model_name', 'position'])} / on (model_name) group_left () ${drafts}`,
          legend: `position {{position}} ${LEGEND}`,
        }],
      }),
    ] },
    { title: 'vLLM scheduler and prompt cache', panels: [
      timeseries({
        title: 'Waiting requests by reason', unit: 'short', w: 6, stack: true,
        description: 'Waiting requests per model by reason (vllm:num_requests_waiting_by_reason, vLLM PR #38435, 2026): capacity = not yet attempted (load), deferred = attempted but held back by a transient constraint (LoRA budget, async KV transfer). No data on vLLM before it.',
        targets: [{ expr: byModel('model_name:vllm_num_requests_waiting_by_reason:sum', '', ['model_name', 'reason']), legend: `{{reason}} ${LEGEND}` }],
      }),
      timeseries({
        title: 'Prompt tokens by source', unit: 'short', w: 6, stack: true,
        description: 'Prompt tokens per second per model by where their KV came from (vllm:prompt_tokens_by_source_total): local_compute = prefilled on the GPU, local_cache_hit = GPU prefix cache, external_kv_transfer = the KV connector\'s tier (CPU or disk offload, LMCache, another instance). The two cache sources are the cached tokens by tier.',
        targets: [{ expr: byModel('model_name:vllm_prompt_tokens_by_source:rate5m', '', ['model_name', 'source']), legend: `{{source}} ${LEGEND}` }],
      }),
      timeseries({
        title: 'Tokens per engine step', unit: 'short', w: 6,
        description: 'Mean tokens (prompt + generated) each engine step processed, per model: the _sum over the _count of vllm:iteration_tokens_total (a histogram despite its name). Low values under load mean small batches.',
        targets: [{ expr: `${byModel('model_name:vllm_iteration_tokens:rate5m')} / ${byModel('model_name:vllm_iteration_steps:rate5m')}`, legend: LEGEND }],
      }),
      timeseries({
        title: 'Engine sleep state', unit: 'short', w: 6, stack: true,
        description: 'Engines per model in each sleep state (vllm:engine_sleep_state): awake, weights_offloaded (sleep level 1: weights in CPU memory) or discard_all (level 2: weights dropped). A sleeping engine holds its GPU but serves nothing.',
        targets: [{ expr: byModel('model_name:vllm_engine_sleep_state:sum', '', ['model_name', 'sleep_state']), legend: `{{sleep_state}} ${LEGEND}` }],
      }),
    ] },
    { title: 'vLLM API server', panels: [
      timeseries({
        title: 'HTTP requests by status', unit: metric('http_requests_total').grafanaUnit, w: 12, stack: true,
        description: 'Requests per second to vLLM\'s OpenAI API server by status group (http_requests_total of prometheus-fastapi-instrumentator), per model: 4xx and 5xx answers that never reach the engine\'s own counters show here.',
        targets: [{ expr: byModel(http, '', ['model_name', 'status']), legend: `{{status}} ${LEGEND}` }],
      }),
      timeseries({
        title: 'HTTP 5xx ratio', unit: 'percentunit', w: 12, min: 0,
        description: 'Share of API server requests answered 5xx, per model (0 while no 5xx has been served: the instrumentator creates a status series on its first request).',
        targets: [{ expr: `(${byModel(http, 'status="5xx"')} or 0 * ${byModel(http)}) / ${byModel(http)}`, legend: LEGEND }],
      }),
    ] },
    { title: 'vLLM instances, LoRA adapters and cache config', panels: [
      table({
        title: 'vLLM instances', unit: 's', w: 12,
        description: 'Each vLLM server, its model, uptime and start time (process_start_time_seconds; absent under --api-server-count > 1, where prometheus_client runs in multiprocess mode).',
        targets: [
          { expr: `time() - ${start}` },
          { expr: `${start} * 1000` },
        ],
        columns: { A: { title: 'Uptime' }, B: { title: 'Started', unit: 'dateTimeAsIso' } },
      }),
      table({
        title: 'LoRA adapters', unit: 'dateTimeAsIso', w: 12,
        description: 'Adapters each LoRA-enabled vLLM server is running and has waiting, with --max-loras, from its newest vllm:lora_requests_info label set (the value, shown as Updated, is when that set was current).',
        targets: [{ expr: `max by (instance, model_name, max_lora, running_lora_adapters, waiting_lora_adapters) (${rec('instance:vllm_lora_requests_info:latest')}) * 1000` }],
        columns: { A: { title: 'Updated' } },
      }),
      table({
        title: 'KV-cache config', unit: 'short', w: 24,
        description: 'KV-cache configuration per model (vllm:cache_config_info labels: block size, cache dtype, prefix caching, GPU memory utilisation, GPU blocks) and how many servers run each.',
        targets: [{ expr: `count by (model_name, block_size, cache_dtype, enable_prefix_caching, gpu_memory_utilization, num_gpu_blocks) (${rec('instance:vllm_cache_config_info:max')})` }],
        columns: { A: { title: 'Servers' } },
      }),
    ] },
    { title: 'vLLM compute efficiency (MFU estimates)', panels: [
      timeseries({
        title: 'Estimated FLOP/s per GPU', unit: 'flops', w: 8,
        description: 'vLLM\'s analytic estimate of floating-point operations per second per GPU, mean over the model\'s engines (vllm:estimated_flops_per_gpu_total, opt-in --enable-mfu-metrics). MFU is this over the GPU\'s peak, which vLLM does not export: see docs/engines.md.',
        targets: [{ expr: `max by (model_name) (${rec('model_name:vllm_estimated_flops_per_gpu:rate5m')})`, legend: LEGEND }],
      }),
      timeseries({
        title: 'FLOPs per joule', unit: 'short', w: 8,
        description: 'Estimated FLOPs per joule of attributed GPU energy, per model: FLOP/s per GPU over the model\'s watts per GPU (tokenwatt_model_energy_joules_total over the GPUs or MIG slices it runs on). Exact when its replicas are alike.',
        targets: [{
          expr: `max by (model_name) (${rec('model_name:vllm_estimated_flops_per_gpu:rate5m')}) * max by (model_name) (${rec('model_name:tokenwatt_gpu_placements:count')}) / (${byModel('model_name:tokenwatt_energy_watts:rate5m')} > 0)`,
          legend: LEGEND,
        }],
      }),
      timeseries({
        title: 'Tokens per joule', unit: metric('model_name:tokenwatt_tokens_per_joule:ratio_rate5m').grafanaUnit, w: 8,
        description: 'Generated tokens per joule of attributed GPU energy per model, beside FLOPs per joule: tokens per joule falling while FLOPs per joule holds means more work per token (longer contexts), not a less efficient GPU.',
        targets: [{ expr: `max by (model_name) (${rec('model_name:tokenwatt_tokens_per_joule:ratio_rate5m')})`, legend: LEGEND }],
      }),
    ] },
    { title: 'vLLM KV-cache block residency', panels: [
      timeseries({
        title: 'KV block lifetime', unit: 's', w: 12,
        description: 'p50/p90 of sampled KV-cache block lifetimes, allocation to eviction, per model (vllm:kv_block_lifetime_seconds, opt-in --kv-cache-metrics).',
        targets: [50, 90].map((q) => ({ expr: recorded('vllm:kv_block_lifetime_seconds', q), legend: `p${q} ${LEGEND}` })),
      }),
      timeseries({
        title: 'KV block idle before eviction', unit: 's', w: 12,
        description: 'p50/p90 time a sampled KV-cache block sat unused before it was evicted, per model (vllm:kv_block_idle_before_evict_seconds): long idle tails mean cache held for prompts that do not come back.',
        targets: [50, 90].map((q) => ({ expr: recorded('vllm:kv_block_idle_before_evict_seconds', q), legend: `p${q} ${LEGEND}` })),
      }),
    ] },
    { title: 'vLLM latency heatmaps', panels: [
      ['Time to first token heatmap', 'vllm:time_to_first_token_seconds', 'time to first token'],
      ['Inter-token latency heatmap', 'vllm:inter_token_latency_seconds', 'inter-token latency (vllm:time_per_output_token_seconds joined before 0.11)'],
      ['End-to-end latency heatmap', 'vllm:e2e_request_latency_seconds', 'end-to-end request latency'],
    ].map(([title, h, what]) => heatmap({
      title: title!, unit: 'short', yUnit: metric(h!).grafanaUnit, w: 8,
      description: `Observations per second in each bucket of ${what} over the selected models (the recorded per-model bucket rates): the whole distribution over time, where the quantile panels show three lines.`,
      targets: [{ expr: `sum by (le) (${rec(bucketRateName(h!))})`, legend: '{{le}}' }],
    })) },
  ];
}
