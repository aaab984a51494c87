// TGI's row on the LLM serving dashboard, filtered by the same cluster/namespace/server/model pickers.
// TGI has no time-to-first-token histogram and no KV-cache usage gauge: those panels are not drawn for
// it (the prefill batch time is shown as what it is, not as TTFT).
import { histogramQuantile, sel } from '../../promql/helpers.ts';
import { timeseries } from '../../build/grafana/panels.ts';
import type { KindPanel, KindPanelContext } from '../types.ts';

export function tgiPanels({ matchers: m }: KindPanelContext): KindPanel[] {
  const legend = '{{model_name}} {{instance}}';
  const by = ['model_name', 'instance'] as const;
  const q = (name: string) => [0.5, 0.95, 0.99].map((x) => ({ expr: histogramQuantile(x, name, by, m), legend: `p${Math.round(x * 100)} ${legend}` }));
  const rate = (name: string, suffix = '') => `sum by (model_name, instance) (rate(${sel(name, m, suffix)}[$__rate_interval]))`;
  return [
    timeseries({
      title: 'TGI tokens/s', unit: 'short', w: 8,
      description: 'Prompt and generated tokens per second per TGI server: rates of the _sum of tgi_request_input_length (counted at validation) and tgi_request_generated_tokens (counted when a request succeeds), TGI having no token counters.',
      targets: [
        { expr: rate('tgi_request_input_length', '_sum'), legend: `prompt ${legend}` },
        { expr: rate('tgi_request_generated_tokens', '_sum'), legend: `generated ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI requests/s by outcome', unit: 'reqps', w: 8, stack: true,
      description: 'Successful requests and failures by err (overloaded, validation, incomplete, generation...) per second (tgi_request_success, tgi_request_failure).',
      targets: [
        { expr: rate('tgi_request_success'), legend: `success ${legend}` },
        { expr: `sum by (model_name, instance, err) (rate(${sel('tgi_request_failure', m)}[$__rate_interval]))`, legend: `{{err}} ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI batch and queue', unit: 'short', w: 8,
      description: 'Requests in the running batch (tgi_batch_current_size) and waiting in the router queue (tgi_queue_size).',
      targets: [
        { expr: `sum by (model_name, instance) (${sel('tgi_batch_current_size', m)})`, legend: `running ${legend}` },
        { expr: `sum by (model_name, instance) (${sel('tgi_queue_size', m)})`, legend: `waiting ${legend}` },
      ],
    }),
    timeseries({
      title: 'TGI end-to-end latency', unit: 's', w: 8,
      description: 'p50/p95/p99 end-to-end latency of successful requests (tgi_request_duration).',
      targets: q('tgi_request_duration'),
    }),
    timeseries({
      title: 'TGI queue time', unit: 's', w: 8,
      description: 'p50/p95/p99 time requests waited in the router queue (tgi_request_queue_duration).',
      targets: q('tgi_request_queue_duration'),
    }),
    timeseries({
      title: 'TGI time per output token', unit: 's', w: 8,
      description: 'p50/p95/p99 of each request\'s mean time per output token (tgi_request_mean_time_per_token_duration; TPOT, not a per-step inter-token latency).',
      targets: q('tgi_request_mean_time_per_token_duration'),
    }),
  ];
}
