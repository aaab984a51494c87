// llama.cpp's row on the Other engines dashboard, under the same pickers, reading its recorded per-model
// series (recording.ts). llama-server has no latency histograms (no TTFT or inter-token quantiles): its
// time counters give the mean time per generated and per prompt token instead. Its throughput gauges
// are reset by every scrape, so counter rates are drawn, not the gauges.
import { timeseries } from '../../build/grafana/panels.ts';
import type { KindPanel, KindPanelContext } from '../types.ts';
import { LLAMACPP_RECORDED as R } from './metrics.ts';

export function llamacppPanels({ scope }: KindPanelContext): KindPanel[] {
  const legend = '{{model_name}}';
  const rec = (name: string) => `sum by (model_name) (${name}{${scope}})`;
  return [
    timeseries({
      title: 'llama.cpp tokens/s', unit: 'short', w: 8,
      description: 'Prompt tokens (prompt-cache hits excluded) and generated tokens per second per model (llamacpp:prompt_tokens_total, llamacpp:tokens_predicted_total; 5m rates).',
      targets: [
        { expr: rec(R.promptTokens), legend: `prompt ${legend}` },
        { expr: rec(R.generatedTokens), legend: `generated ${legend}` },
      ],
    }),
    timeseries({
      title: 'llama.cpp time per token', unit: 's', w: 8,
      description: 'Mean seconds per generated token and per prompt token per model: the rate of the time counters over the rate of the token counters (llama-server has no latency histograms).',
      targets: [
        { expr: `${rec(R.generatedSeconds)} / ${rec(R.generatedTokens)}`, legend: `generated ${legend}` },
        { expr: `${rec(R.promptSeconds)} / ${rec(R.promptTokens)}`, legend: `prompt ${legend}` },
      ],
    }),
    timeseries({
      title: 'llama.cpp requests processing and deferred', unit: 'short', w: 8,
      description: 'Requests in a slot (llamacpp:requests_processing) and deferred for want of a free slot (llamacpp:requests_deferred), per model over its servers.',
      targets: [
        { expr: rec(R.processing), legend: `processing ${legend}` },
        { expr: rec(R.deferred), legend: `deferred ${legend}` },
      ],
    }),
  ];
}
