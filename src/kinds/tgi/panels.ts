// TGI's row on the Other engines dashboard, filtered by the same cluster/namespace/model pickers and
// reading only TGI's recorded per-model series (recording.ts). TGI has no time-to-first-token
// histogram and no KV-cache usage gauge: no panel pretends otherwise (the prefill batch time is not TTFT).
import { bucketRateName } from '../../catalog/recording.ts';
import { timeseries } from '../../build/grafana/panels.ts';
import type { KindPanel, KindPanelContext } from '../types.ts';
import { TGI_RECORDED } from './metrics.ts';

export function tgiPanels({ scope }: KindPanelContext): KindPanel[] {
  const legend = '{{model_name}}';
  const rec = (name: string) => `${name}{${scope}}`;
  const q = (h: string) => [0.5, 0.95, 0.99].map((x) => ({
    expr: `histogram_quantile(${x}, sum by (le, model_name) (${rec(bucketRateName(h))}))`,
    legend: `p${Math.round(x * 100)} ${legend}`,
  }));
  return [
    timeseries({
      title: 'TGI tokens/s', unit: 'short', w: 8,
      description: 'Prompt and generated tokens per second per model (5m rates of the _sum of tgi_request_input_length, counted at validation, and of tgi_request_generated_tokens, counted when a request succeeds: TGI has no token counters).',
      targets: [
        { expr: `sum by (model_name) (${rec(TGI_RECORDED.promptTokens)})`, legend: `prompt ${legend}` },
        { expr: `sum by (model_name) (${rec(TGI_RECORDED.generatedTokens)})`, legend: `generated ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI requests/s by outcome', unit: 'reqps', w: 8, stack: true,
      description: 'Successful requests and failures by err (overloaded, validation, incomplete, generation...) per second per model (tgi_request_success, tgi_request_failure; 5m rates).',
      targets: [
        { expr: `sum by (model_name) (${rec(TGI_RECORDED.success)})`, legend: `success ${legend}` },
        { expr: `sum by (model_name, err) (${rec(TGI_RECORDED.failure)})`, legend: `{{err}} ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI batch and queue', unit: 'short', w: 8,
      description: 'Requests in running batches (tgi_batch_current_size) and waiting in router queues (tgi_queue_size), per model over its replicas.',
      targets: [
        { expr: `sum by (model_name) (${rec(TGI_RECORDED.running)})`, legend: `running ${legend}` },
        { expr: `sum by (model_name) (${rec(TGI_RECORDED.waiting)})`, legend: `waiting ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI end-to-end latency', unit: 's', w: 8,
      description: 'p50/p95/p99 end-to-end latency of successful requests per model (tgi_request_duration, recorded bucket rates).',
      targets: q('tgi_request_duration'),
    }),
    timeseries({
      title: 'TGI queue time', unit: 's', w: 8,
      description: 'p50/p95/p99 time requests waited in the router queue per model (tgi_request_queue_duration).',
      targets: q('tgi_request_queue_duration'),
    }),
    timeseries({
      title: 'TGI time per output token', unit: 's', w: 8,
      description: 'p50/p95/p99 of each request\'s mean time per output token per model (tgi_request_mean_time_per_token_duration: TPOT, not a per-step inter-token latency).',
      targets: q('tgi_request_mean_time_per_token_duration'),
    }),
  ];
}
