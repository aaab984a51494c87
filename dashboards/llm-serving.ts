// LLM serving: latency (TTFT, inter-token, end-to-end), traffic, errors and engine state of
// every vLLM (and SGLang) server, per model and engine. Renamed vLLM series are read through
// anyName/rateOf/histogramQuantile, so the same panel works on vLLM 0.9 to current.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { anyName, histogramQuantile, rateOf } from '../src/promql/helpers.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, timeseries } from '../src/build/grafana/panels.ts';
import type { Target } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';
import { SERVING_KIND_IDS, servingOf } from '../src/kinds/index.ts';
import type { ServingKindId } from '../src/kinds/index.ts';

/** Every serving kind's running-requests gauge by name (src/kinds/): what the server and model pickers list. */
const RUNNING_EITHER = `__name__=~"${SERVING_KIND_IDS.map((id) => metric(servingOf(id).running).name).join('|')}"`;

export default function llmServing(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const scope = matchers(cluster, 'namespace=~"$namespace"', 'instance=~"$instance"', 'model_name=~"$model"');
  const v = matchers(config.selectors.vllm, scope);
  const sg = matchers(config.selectors.sglang, scope);
  const by = ['model_name', 'engine'] as const;
  const sgBy = ['model_name', 'engine_type'] as const;
  const legend = '{{model_name}} engine {{engine}}{{engine_type}}';
  const anchor = `vllm:num_requests_running{${matchers(config.selectors.vllm, cluster)}}`;

  /** p50/p95/p99 of a vLLM histogram and its SGLang twin, one target per quantile. */
  const quantiles = (vllm: string, sglang: string): Target[] => [0.5, 0.95, 0.99].map((q) => ({
    expr: `${histogramQuantile(q, vllm, by, v)} or ${histogramQuantile(q, sglang, sgBy, sg)}`,
    legend: `p${Math.round(q * 100)} ${legend}`,
  }));
  /** A fleet may run only vLLM or only SGLang: a missing side counts as 0, not as no data. */
  const orZero = (expr: string) => `(${expr} or vector(0))`;
  const sumBy = (expr: string, labels: readonly string[] = by) => `sum by (${labels.join(', ')}) (${expr})`;

  const board = tokenwattDashboard(config, {
    slug: 'llm-serving',
    title: 'tokenwatt / LLM serving',
    description: 'Latency, traffic, errors and engine state of vLLM and SGLang servers, per model and engine.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, `vllm:num_requests_running{${config.selectors.vllm}}`))
    .withVariable(labelVariable('namespace', 'Namespace', 'namespace', anchor))
    // Servers and models of both engines: the two running-requests gauges by name (their vllm:/sglang:
    // prefixes are specific enough that no job matcher is needed), so SGLang panels stay visible when
    // one server or model is picked.
    .withVariable(labelVariable('instance', 'Server', 'instance', `{${matchers(RUNNING_EITHER, cluster, 'namespace=~"$namespace"')}}`))
    .withVariable(labelVariable('model', 'Model', 'model_name', `{${matchers(RUNNING_EITHER, cluster, 'namespace=~"$namespace"', 'instance=~"$instance"')}}`))
    .withRow(row('Overview'))
    .withPanel(stat({
      title: 'Requests/s', unit: 'reqps',
      description: 'Finished requests per second, all reasons, across the selected servers.',
      targets: [{ expr: `sum(${rateOf('vllm:request_success_total', v)})`, legend: 'requests/s' }],
    }))
    .withPanel(stat({
      title: 'Generated tokens/s', unit: 'short',
      description: 'Output tokens per second across the selected vLLM and SGLang servers.',
      targets: [{ expr: `${orZero(`sum(${rateOf('vllm:generation_tokens_total', v)})`)} + ${orZero(`sum(${rateOf('sglang:generation_tokens_total', sg)})`)}`, legend: 'tokens/s' }],
    }))
    .withPanel(stat({
      title: 'TTFT p95', unit: 's',
      description: '95th percentile time to first token over all selected vLLM servers.',
      targets: [{ expr: histogramQuantile(0.95, 'vllm:time_to_first_token_seconds', [], v), legend: 'p95' }],
    }))
    .withPanel(stat({
      title: 'Error ratio', unit: 'percentunit',
      description: 'Share of finished requests that ended in error or abort (finished_reason).',
      targets: [{ expr: `sum(${rateOf('vllm:request_success_total', matchers(v, 'finished_reason=~"error|abort"'))}) / sum(${rateOf('vllm:request_success_total', v)})`, legend: 'errors' }],
    }))
    .withPanel(stat({
      title: 'Requests running', unit: metric('vllm:num_requests_running').grafanaUnit,
      description: 'Requests in model execution batches right now (vLLM running + SGLang running).',
      targets: [{ expr: `${orZero(`sum(${anyName('vllm:num_requests_running', v)})`)} + ${orZero(`sum(${anyName('sglang:num_running_reqs', sg)})`)}`, legend: 'running' }],
    }))
    .withPanel(stat({
      title: 'Requests waiting', unit: metric('vllm:num_requests_waiting').grafanaUnit,
      description: 'Requests waiting to be scheduled (includes deferred requests on recent vLLM).',
      targets: [{ expr: `${orZero(`sum(${anyName('vllm:num_requests_waiting', v)})`)} + ${orZero(`sum(${anyName('sglang:num_queue_reqs', sg)})`)}`, legend: 'waiting' }],
    }))
    .withRow(row('Latency'))
    .withPanel(timeseries({
      title: 'Time to first token', unit: metric('vllm:time_to_first_token_seconds').grafanaUnit, w: 8,
      description: 'p50/p95/p99 time from request arrival to the first output token, per model and engine (vllm:time_to_first_token_seconds, sglang:time_to_first_token_seconds).',
      targets: quantiles('vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds'),
    }))
    .withPanel(timeseries({
      title: 'Inter-token latency', unit: metric('vllm:inter_token_latency_seconds').grafanaUnit, w: 8,
      description: 'p50/p95/p99 time between output tokens, one observation per decode step (falls back to vllm:time_per_output_token_seconds on vLLM < 0.11).',
      targets: quantiles('vllm:inter_token_latency_seconds', 'sglang:inter_token_latency_seconds'),
    }))
    .withPanel(timeseries({
      title: 'End-to-end request latency', unit: metric('vllm:e2e_request_latency_seconds').grafanaUnit, w: 8,
      description: 'p50/p95/p99 time from request arrival to its last token, per model and engine.',
      targets: quantiles('vllm:e2e_request_latency_seconds', 'sglang:e2e_request_latency_seconds'),
    }))
    .withPanel(timeseries({
      title: 'Queue time p95', unit: metric('vllm:request_queue_time_seconds').grafanaUnit,
      description: '95th percentile time requests waited before being scheduled, per model and engine.',
      targets: [{ expr: histogramQuantile(0.95, 'vllm:request_queue_time_seconds', by, v), legend }],
    }))
    .withPanel(timeseries({
      title: 'Prefill and decode time p95', unit: metric('vllm:request_prefill_time_seconds').grafanaUnit,
      description: '95th percentile time requests spent in prefill and in decode, per model.',
      targets: [
        { expr: histogramQuantile(0.95, 'vllm:request_prefill_time_seconds', ['model_name'], v), legend: 'prefill {{model_name}}' },
        { expr: histogramQuantile(0.95, 'vllm:request_decode_time_seconds', ['model_name'], v), legend: 'decode {{model_name}}' },
      ],
    }))
    .withRow(row('Traffic and errors'))
    .withPanel(timeseries({
      title: 'Requests by finished reason', unit: metric('vllm:request_success_total').grafanaUnit, stack: true,
      description: 'Finished requests per second by finished_reason (stop, length, abort, error, repetition) and model.',
      targets: [{ expr: sumBy(rateOf('vllm:request_success_total', v), ['model_name', 'finished_reason']), legend: '{{finished_reason}} {{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'Error ratio by model', unit: 'percentunit', min: 0,
      description: 'Share of finished requests with finished_reason error or abort, per model.',
      targets: [{
        expr: `${sumBy(rateOf('vllm:request_success_total', matchers(v, 'finished_reason=~"error|abort"')), ['model_name'])} / ${sumBy(rateOf('vllm:request_success_total', v), ['model_name'])}`,
        legend: '{{model_name}}',
      }],
    }))
    .withPanel(timeseries({
      title: 'Prompt tokens/s', unit: 'short',
      description: 'Prefill (prompt) tokens processed per second, per model and engine.',
      targets: [
        { expr: sumBy(rateOf('vllm:prompt_tokens_total', v)), legend },
        { expr: sumBy(rateOf('sglang:prompt_tokens_total', sg), sgBy), legend },
      ],
    }))
    .withPanel(timeseries({
      title: 'Generation tokens/s', unit: 'short',
      description: 'Output tokens generated per second, per model and engine.',
      targets: [
        { expr: sumBy(rateOf('vllm:generation_tokens_total', v)), legend },
        { expr: sumBy(rateOf('sglang:generation_tokens_total', sg), sgBy), legend },
      ],
    }))
    .withRow(row('Engine state'))
    .withPanel(timeseries({
      title: 'Running and waiting requests', unit: 'short', w: 8,
      description: 'Requests in execution batches and waiting in the scheduler queue, per model and engine.',
      targets: [
        { expr: sumBy(anyName('vllm:num_requests_running', v)), legend: `running ${legend}` },
        { expr: sumBy(anyName('vllm:num_requests_waiting', v)), legend: `waiting ${legend}` },
        { expr: sumBy(anyName('sglang:num_running_reqs', sg), sgBy), legend: `running ${legend}` },
        { expr: sumBy(anyName('sglang:num_queue_reqs', sg), sgBy), legend: `waiting ${legend}` },
      ],
    }))
    .withPanel(timeseries({
      title: 'KV-cache usage', unit: 'percentunit', w: 8, min: 0, max: 1,
      description: 'Fraction of KV-cache blocks in use, per model and engine (vllm:kv_cache_usage_perc, or vllm:gpu_cache_usage_perc before 0.9.2; sglang:token_usage).',
      targets: [
        { expr: `max by (model_name, engine) (${anyName('vllm:kv_cache_usage_perc', v)})`, legend },
        { expr: `max by (model_name, engine_type) (${anyName('sglang:token_usage', sg)})`, legend },
      ],
    }))
    .withPanel(timeseries({
      title: 'Preemptions/s', unit: 'short', w: 8,
      description: 'Requests preempted per second because the KV cache ran out, per model and engine.',
      targets: [{ expr: sumBy(rateOf('vllm:num_preemptions_total', v)), legend }],
    }))
    .withPanel(timeseries({
      title: 'Prefix-cache hit ratio', unit: 'percentunit', min: 0, max: 1,
      description: 'Prompt tokens served from the prefix cache over tokens looked up, per model (vllm:prefix_cache_*, or vllm:gpu_prefix_cache_* before 0.9.2; SGLang cache_hit_rate).',
      targets: [
        { expr: `${sumBy(rateOf('vllm:prefix_cache_hits_total', v), ['model_name'])} / ${sumBy(rateOf('vllm:prefix_cache_queries_total', v), ['model_name'])}`, legend: '{{model_name}}' },
        { expr: `max by (model_name) (${anyName('sglang:cache_hit_rate', sg)})`, legend: '{{model_name}} (SGLang)' },
      ],
    }))
    .withPanel(timeseries({
      title: 'Tokens per request p50', unit: 'short',
      description: 'Median prompt and generated length per request, per model.',
      targets: [
        { expr: histogramQuantile(0.5, 'vllm:request_prompt_tokens', ['model_name'], v), legend: 'prompt {{model_name}}' },
        { expr: histogramQuantile(0.5, 'vllm:request_generation_tokens', ['model_name'], v), legend: 'generated {{model_name}}' },
      ],
    }));
  // Every other serving kind brings its own row, filtered by the same pickers (src/kinds/<kind>/).
  for (const id of SERVING_KIND_IDS) {
    const kind = servingOf(id);
    if (!kind.panels) continue;
    board.withRow(row(kind.title));
    for (const panel of kind.panels({ config, matchers: matchers(config.selectors[id as ServingKindId], scope) })) board.withPanel(panel);
  }
  return board.build();
}
