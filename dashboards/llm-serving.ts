// LLM serving: the fleet-wide, engine-neutral view of every model: latency (TTFT, inter-token,
// end-to-end), traffic, errors and engine state of vLLM and SGLang models. Every panel reads
// per-model recorded series (rules/serving-*.ts): quantiles are recorded per model (p50/p90/p99 from
// the recorded bucket rates), and renamed vLLM series are joined once in those rules, so the same
// panel works on vLLM 0.9 to current and a 32-host fleet costs a few series per model, not every
// engine's buckets. Each engine's own detail is a dashboard of its own, linked both ways with time
// range and variables kept (servingDashboard below): vLLM's in dashboards/vllm-engine.ts, SGLang's,
// TGI's, llama.cpp's and Triton's in dashboards/other-engines.ts. Together they were one dashboard of
// 109 queries, over issue 11's 1.5 s at 32 hosts with every row open (docs/scaling.md).
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardLinkBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import { bucketRateName, quantileName } from '../src/catalog/recording.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { TAG, tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import type { DashboardFrame } from '../src/build/grafana/dashboard.ts';
import { row, stat, timeseries } from '../src/build/grafana/panels.ts';
import type { Target } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';
import { SERVING_KIND_IDS, servingOf } from '../src/kinds/index.ts';
import type { ServingKindId } from '../src/kinds/index.ts';

/** The tag the serving dashboards share (LLM serving and each engine's detail): their links list each other. */
export const SERVING_TAG = `${TAG}-serving`;

/**
 * These serving kinds' running-requests gauges (src/kinds/), with more matchers: what the pickers list.
 * Several by name (their vllm:/sglang:/tgi_/llamacpp:/nv_ names are specific enough that no job
 * matcher is needed: Triton's vLLM backend counts as vLLM).
 */
function running(kinds: readonly ServingKindId[], ...more: string[]): string {
  const names = kinds.map((id) => metric(servingOf(id).running).name);
  if (names.length === 1) return more.length === 0 ? names[0]! : `${names[0]}{${matchers(...more)}}`;
  return `{${matchers(`__name__=~"${names.join('|')}"`, ...more)}}`;
}

/**
 * The frame of every serving dashboard: tokenwatt's, plus the serving tag and a link to the other
 * serving dashboards (Grafana lists those with the tag, this one left out), keeping the time range
 * and the variables, which all of them share: datasource, cluster, namespace and model, each
 * listed from the running-requests gauges of `kinds`, so a model picked on one dashboard opens the next on it.
 */
export function servingDashboard(config: MixinConfig, frame: DashboardFrame, kinds: readonly ServingKindId[]): DashboardBuilder {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  return tokenwattDashboard(config, frame)
    .tags([TAG, SERVING_TAG])
    .link(new DashboardLinkBuilder('LLM serving and engine detail').type(dashboard.DashboardLinkType.Dashboards)
      .tags([SERVING_TAG]).asDropdown(false).includeVars(true).keepTime(true).targetBlank(false).icon('dashboard').tooltip(''))
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, running(kinds)))
    .withVariable(labelVariable('namespace', 'Namespace', 'namespace', running(kinds, cluster)))
    .withVariable(labelVariable('model', 'Model', 'model_name', running(kinds, cluster, 'namespace=~"$namespace"')));
}

/** The cluster, namespace and model filters every serving dashboard's recorded series take. */
export function servingScope(config: MixinConfig): string {
  return matchers(`${config.clusterLabel}=~"$cluster"`, 'namespace=~"$namespace"', 'model_name=~"$model"');
}

/**
 * A recorded per-model quantile (rules/serving-latency.ts), selected as recorded: one line per model
 * (per cluster and namespace too where several are picked: quantiles do not combine, so no `max by`
 * pretends they do). A plain selector over a range is Prometheus's cheap path: at 32 hosts and a 1 s
 * step, `max by (model_name)` over the same 12 series took 4x as long (25 ms against 6 ms a query).
 */
export function recordedQuantile(scope: string, histogram: string, q: number): string {
  return `${quantileName(histogram, q)}{${scope}}`;
}

export default function llmServing(config: MixinConfig): Dashboard {
  const scope = servingScope(config);
  /** A recorded per-model series, filtered by the dashboard's variables. */
  const rec = (name: string, more = '') => `${name}{${matchers(scope, more)}}`;
  const legend = '{{model_name}}';

  /** histogram_quantile over a histogram's recorded per-model bucket rates. */
  const quantile = (q: number, histogram: string, by: readonly string[] = ['model_name']) =>
    `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (${rec(bucketRateName(histogram))}))`;
  const recorded = (histogram: string, q: number) => recordedQuantile(scope, histogram, q);
  /** p50/p90/p99 of a vLLM histogram and its SGLang twin, one target per quantile and engine. */
  const quantiles = (vllm: string, sglang: string): Target[] => [50, 90, 99].flatMap((q) => [
    { expr: recorded(vllm, q), legend: `p${q} ${legend}` },
    { expr: recorded(sglang, q), legend: `p${q} ${legend} (SGLang)` },
  ]);
  /** A fleet may run only vLLM or only SGLang: a missing side counts as 0, not as no data. */
  const orZero = (expr: string) => `(${expr} or vector(0))`;
  const byModel = (expr: string, labels: readonly string[] = ['model_name']) => `sum by (${labels.join(', ')}) (${expr})`;
  const requests = 'model_name:vllm_request_success:rate5m';
  const failed = 'finished_reason=~"error|abort"';

  return servingDashboard(config, {
    slug: 'llm-serving',
    title: 'tokenwatt / LLM serving',
    description: 'Latency, traffic, errors and engine state of every model, fleet-wide (vLLM and SGLang; recorded 5-minute rates). Each engine\'s own detail is on the linked engine dashboards.',
  }, SERVING_KIND_IDS)
    .withRow(row('Overview'))
    .withPanel(stat({
      title: 'Requests/s', unit: 'reqps',
      description: 'Finished vLLM requests per second, all reasons, across the selected models (5m rate).',
      targets: [{ expr: `sum(${rec(requests)})`, legend: 'requests/s' }],
    }))
    .withPanel(stat({
      title: 'Generated tokens/s', unit: 'short',
      description: 'Output tokens per second across the selected vLLM and SGLang models (5m rate).',
      targets: [{ expr: `${orZero(`sum(${rec('model_name:vllm_generation_tokens:rate5m')})`)} + ${orZero(`sum(${rec('model_name:sglang_generation_tokens:rate5m')})`)}`, legend: 'tokens/s' }],
    }))
    .withPanel(stat({
      title: 'TTFT p95', unit: metric('vllm:time_to_first_token_seconds').grafanaUnit,
      description: '95th percentile time to first token over all selected vLLM models.',
      targets: [{ expr: quantile(0.95, 'vllm:time_to_first_token_seconds', []), legend: 'p95' }],
    }))
    .withPanel(stat({
      title: 'Error ratio', unit: 'percentunit',
      description: 'Share of finished requests that ended in error or abort (finished_reason).',
      targets: [{ expr: `sum(${rec(requests, failed)}) / sum(${rec(requests)})`, legend: 'errors' }],
    }))
    .withPanel(stat({
      title: 'Requests running', unit: metric('vllm:num_requests_running').grafanaUnit,
      description: 'Requests in model execution batches right now (vLLM running + SGLang running).',
      targets: [{ expr: `${orZero(`sum(${rec('model_name:vllm_num_requests_running:sum')})`)} + ${orZero(`sum(${rec('model_name:sglang_num_running_reqs:sum')})`)}`, legend: 'running' }],
    }))
    .withPanel(stat({
      title: 'Requests waiting', unit: metric('vllm:num_requests_waiting').grafanaUnit,
      description: 'Requests waiting to be scheduled (includes deferred requests on recent vLLM).',
      targets: [{ expr: `${orZero(`sum(${rec('model_name:vllm_num_requests_waiting:sum')})`)} + ${orZero(`sum(${rec('model_name:sglang_num_queue_reqs:sum')})`)}`, legend: 'waiting' }],
    }))
    .withRow(row('Latency'))
    .withPanel(timeseries({
      title: 'Time to first token', unit: metric('vllm:time_to_first_token_seconds').grafanaUnit, w: 8,
      description: 'p50/p90/p99 time from request arrival to the first output token, per model (vllm:time_to_first_token_seconds, sglang:time_to_first_token_seconds; recorded over 5 minutes).',
      targets: quantiles('vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds'),
    }))
    .withPanel(timeseries({
      title: 'Inter-token latency', unit: metric('vllm:inter_token_latency_seconds').grafanaUnit, w: 8,
      description: 'p50/p90/p99 time between output tokens, one observation per decode step, per model (joined with vllm:time_per_output_token_seconds of vLLM < 0.11 in the recording rule).',
      targets: quantiles('vllm:inter_token_latency_seconds', 'sglang:inter_token_latency_seconds'),
    }))
    .withPanel(timeseries({
      title: 'End-to-end request latency', unit: metric('vllm:e2e_request_latency_seconds').grafanaUnit, w: 8,
      description: 'p50/p90/p99 time from request arrival to its last token, per model.',
      targets: quantiles('vllm:e2e_request_latency_seconds', 'sglang:e2e_request_latency_seconds'),
    }))
    .withRow(row('Traffic and errors'))
    .withPanel(timeseries({
      title: 'Requests by finished reason', unit: metric('vllm:request_success_total').grafanaUnit, stack: true,
      description: 'Finished requests per second over the selected models by finished_reason (stop, length, abort, error, repetition); the top of the stack is all of them. Per model: Error ratio by model, Generation tokens/s, or pick a model.',
      targets: [{ expr: `sum by (finished_reason) (${rec(requests)})`, legend: '{{finished_reason}}' }],
    }))
    .withPanel(timeseries({
      title: 'Error ratio by model', unit: 'percentunit', min: 0,
      description: 'Share of finished requests with finished_reason error or abort, per model.',
      targets: [{ expr: `${byModel(rec(requests, failed))} / ${byModel(rec(requests))}`, legend }],
    }))
    .withPanel(timeseries({
      title: 'Prompt tokens/s', unit: 'short',
      description: 'Prefill (prompt) tokens processed per second, per model.',
      targets: [
        { expr: byModel(rec('model_name:vllm_prompt_tokens:rate5m')), legend },
        { expr: byModel(rec('model_name:sglang_prompt_tokens:rate5m')), legend: `${legend} (SGLang)` },
      ],
    }))
    .withPanel(timeseries({
      title: 'Generation tokens/s', unit: 'short',
      description: 'Output tokens generated per second, per model.',
      targets: [
        { expr: byModel(rec('model_name:vllm_generation_tokens:rate5m')), legend },
        { expr: byModel(rec('model_name:sglang_generation_tokens:rate5m')), legend: `${legend} (SGLang)` },
      ],
    }))
    .withRow(row('Engine state'))
    .withPanel(timeseries({
      title: 'Running and waiting requests', unit: 'short', w: 8,
      description: 'Requests in execution batches and waiting in the scheduler queue, per model.',
      targets: [
        { expr: byModel(rec('model_name:vllm_num_requests_running:sum')), legend: `running ${legend}` },
        { expr: byModel(rec('model_name:vllm_num_requests_waiting:sum')), legend: `waiting ${legend}` },
        { expr: byModel(rec('model_name:sglang_num_running_reqs:sum')), legend: `running ${legend} (SGLang)` },
        { expr: byModel(rec('model_name:sglang_num_queue_reqs:sum')), legend: `waiting ${legend} (SGLang)` },
      ],
    }))
    .withPanel(timeseries({
      title: 'KV-cache usage', unit: 'percentunit', w: 8, min: 0, max: 1,
      description: 'Fraction of KV-cache blocks in use on the fullest replica of each model (vllm:kv_cache_usage_perc, or vllm:gpu_cache_usage_perc before 0.9.2; sglang:token_usage).',
      targets: [
        { expr: `max by (model_name) (${rec('model_name:vllm_kv_cache_usage_perc:max')})`, legend },
        { expr: `max by (model_name) (${rec('model_name:sglang_token_usage:max')})`, legend: `${legend} (SGLang)` },
      ],
    }))
    .withPanel(timeseries({
      title: 'Preemptions/s', unit: 'short', w: 8,
      description: 'Requests preempted per second because the KV cache ran out, per model.',
      targets: [{ expr: byModel(rec('model_name:vllm_num_preemptions:rate5m')), legend }],
    }))
    .withPanel(timeseries({
      title: 'Prefix-cache hit ratio', unit: 'percentunit', min: 0, max: 1,
      description: 'Prompt tokens served from the prefix cache over tokens looked up, per model (vllm:prefix_cache_*, or vllm:gpu_prefix_cache_* before 0.9.2; SGLang cache_hit_rate).',
      targets: [
        { expr: `${byModel(rec('model_name:vllm_prefix_cache_hits:rate5m'))} / ${byModel(rec('model_name:vllm_prefix_cache_queries:rate5m'))}`, legend },
        { expr: `max by (model_name) (${rec('model_name:sglang_cache_hit_rate:max')})`, legend: `${legend} (SGLang)` },
      ],
    }))
    .build();
}
