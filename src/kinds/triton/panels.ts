// Triton's row on the Other engines dashboard (same pickers, recorded per-model series). Triton core
// counts inferences, not tokens: these panels show requests and time per request, and say that tokens
// per joule for a Triton model exists only where its backend counts tokens (the vLLM backend).
import { timeseries } from '../../build/grafana/panels.ts';
import type { KindPanel, KindPanelContext } from '../types.ts';
import { TRITON_RECORDED as R } from './metrics.ts';

export function tritonPanels({ scope }: KindPanelContext): KindPanel[] {
  const legend = '{{model_name}}';
  const rec = (name: string, by = 'model_name') => `sum by (${by}) (${name}{${scope}})`;
  return [
    timeseries({
      title: 'Triton requests/s by outcome', unit: 'reqps', w: 8, stack: true,
      description: 'Successful inference requests and failures by reason per model (nv_inference_request_success, nv_inference_request_failure). Triton core counts inferences, not tokens: tokens per joule appears for a Triton model only where its backend counts tokens (vLLM backend with REPORT_CUSTOM_METRICS); TensorRT-LLM and other backends get none rather than a wrong number.',
      targets: [
        { expr: rec(R.success), legend: `success ${legend}` },
        { expr: rec(R.failure, 'model_name, reason'), legend: `{{reason}} ${legend}` },
      ],
    }),
    timeseries({
      title: 'Triton time per request', unit: 's', w: 8,
      description: 'Mean seconds per successful request end to end, waiting in the queue and executing the model, per model (cumulative µs counters over request counts; Triton core has no latency histogram by default).',
      targets: [
        { expr: `${rec(R.requestUs)} / ${rec(R.success)} / 1e6`, legend: `request ${legend}` },
        { expr: `${rec(R.queueUs)} / ${rec(R.success)} / 1e6`, legend: `queue ${legend}` },
        { expr: `${rec(R.inferUs)} / ${rec(R.success)} / 1e6`, legend: `compute ${legend}` },
      ],
    }),
    timeseries({
      title: 'Triton inferences/s and pending', unit: 'short', w: 8,
      description: 'Inferences per second (a batch of n counts n) and requests pending, per model (nv_inference_count, nv_inference_pending_request_count).',
      targets: [
        { expr: rec(R.inferences), legend: `inferences/s ${legend}` },
        { expr: rec(R.pending), legend: `pending ${legend}` },
      ],
    }),
  ];
}
