// SGLang's row on the Other engines dashboard: what SGLang's own metrics show beside the latency,
// traffic and KV-cache panels it shares with vLLM on LLM serving (requests and aborts, queue time,
// cached prompt tokens, retractions, speculative decoding, tokens by mode, GPU execution time,
// utilization). Every panel reads SGLang's recorded per-model series (rules/serving-sglang.ts,
// rules/serving-latency.ts), filtered by the dashboard's cluster/namespace/model pickers. Names
// checked against sgl-project/sglang python/sglang/srt/metrics/collector.py @ 00ae9c1590d2
// (src/catalog/sglang.ts).
import { metric } from '../catalog/index.ts';
import { quantileName } from '../catalog/recording.ts';
import { timeseries } from '../build/grafana/panels.ts';
import type { KindPanel, KindPanelContext } from './types.ts';

export function sglangPanels({ scope }: KindPanelContext): KindPanel[] {
  const legend = '{{model_name}}';
  const rec = (name: string) => `${name}{${scope}}`;
  const byModel = (name: string, more: readonly string[] = []) => `sum by (${['model_name', ...more].join(', ')}) (${rec(name)})`;
  const requests = 'model_name:sglang_num_requests:rate5m';
  const aborted = 'model_name:sglang_num_aborted_requests:rate5m';
  return [
    timeseries({
      title: 'SGLang requests and aborts', unit: 'reqps', w: 8,
      description: 'Finished requests (sglang:num_requests_total) and aborted requests (sglang:num_aborted_requests_total: errors and client aborts alike) per second per model, 5m rates.',
      targets: [
        { expr: byModel(requests), legend: `finished ${legend}` },
        { expr: byModel(aborted), legend: `aborted ${legend}` },
      ],
    }),
    timeseries({
      title: 'SGLang abort ratio', unit: 'percentunit', w: 8, min: 0,
      description: 'Aborted over finished requests per model (5m rates). SGLang does not tell errors from client aborts, so this is the error SLI of SGLang models (VLLMErrorBudgetBurn, VLLMHighErrorRatio) only when alerting.serving.errorReasons includes abort.',
      targets: [{ expr: `${byModel(aborted)} / ${byModel(requests)}`, legend }],
    }),
    timeseries({
      title: 'SGLang queue time p90', unit: metric('sglang:queue_time_seconds').grafanaUnit, w: 8,
      description: '90th percentile time requests waited in the scheduler queue before their first forward pass, per model (sglang:queue_time_seconds, recorded over 5 minutes).',
      targets: [{ expr: `max by (model_name) (${rec(quantileName('sglang:queue_time_seconds', 90))})`, legend }],
    }),
    timeseries({
      title: 'SGLang tokens/s by mode', unit: 'short', w: 8, stack: true,
      description: 'Tokens processed per second per model by mode, counted as scheduled (sglang:realtime_tokens_total): prefill_compute (prompt tokens computed), prefill_cache (prompt tokens found in the radix cache), decode.',
      targets: [{ expr: byModel('model_name:sglang_realtime_tokens:rate5m', ['mode']), legend: `{{mode}} ${legend}` }],
    }),
    timeseries({
      title: 'SGLang cached prompt tokens', unit: 'percentunit', w: 8, min: 0, max: 1,
      description: 'Share of prompt tokens served from the prefix cache per model: sglang:cached_tokens_total over sglang:prompt_tokens_total (5m rates, both counted when a request finishes).',
      targets: [{ expr: `${byModel('model_name:sglang_cached_tokens:rate5m')} / ${byModel('model_name:sglang_prompt_tokens:rate5m')}`, legend }],
    }),
    timeseries({
      title: 'SGLang retractions/s', unit: 'short', w: 8,
      description: 'Requests retracted per second per model (sglang:num_retracted_requests_total): the KV cache ran out, the request was evicted and requeued (vLLM calls it preemption).',
      targets: [{ expr: byModel('model_name:sglang_num_retracted_requests:rate5m'), legend }],
    }),
    timeseries({
      title: 'SGLang speculative accept length', unit: metric('sglang:spec_accept_length').grafanaUnit, w: 8, min: 0,
      description: 'Average tokens accepted per speculative verify step (sglang:spec_accept_length, averaged over a model\'s ranks); 0 when speculative decoding is off.',
      targets: [{ expr: `max by (model_name) (${rec('model_name:sglang_spec_accept_length:avg')})`, legend }],
    }),
    timeseries({
      title: 'SGLang speculative accept rate', unit: 'percentunit', w: 8, min: 0, max: 1,
      description: 'Accepted over drafted tokens of speculative decoding (sglang:spec_accept_rate, averaged over a model\'s ranks); 0 when off.',
      targets: [{ expr: `max by (model_name) (${rec('model_name:sglang_spec_accept_rate:avg')})`, legend }],
    }),
    timeseries({
      title: 'SGLang utilization', unit: 'percentunit', w: 8, min: 0,
      description: 'Scheduler utilization as SGLang reports it (sglang:utilization), averaged over a model\'s ranks.',
      targets: [{ expr: `max by (model_name) (${rec('model_name:sglang_utilization:avg')})`, legend }],
    }),
    timeseries({
      title: 'SGLang GPU execution time by category', unit: 'percentunit', min: 0,
      description: 'GPU-busy seconds per second per model and forward-mode category, summed over its ranks (sglang:gpu_execution_seconds_total; only with SGLANG_ENABLE_METRICS_DEVICE_TIMER). Energy is not split by phase from it: categories are forward modes (mixed batches hold prefill and decode), and idle and overlap time belong to no phase (docs/engines.md).',
      targets: [{ expr: byModel('model_name:sglang_gpu_execution_seconds:rate5m', ['category']), legend: `{{category}} ${legend}` }],
    }),
  ];
}
