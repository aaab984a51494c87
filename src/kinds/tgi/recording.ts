// TGI's per-model recorded series (the Other engines dashboard's TGI row reads only these): 5m rates of
// its token histograms' _sum and of its request outcomes, its batch and queue per model, and the
// per-model bucket rates of its three latency histograms (any quantile is histogram_quantile over them).
import { bucketRateName } from '../../catalog/recording.ts';
import { sel } from '../../promql/helpers.ts';
import { modelBy } from '../../rules/levels.ts';
import type { RecordingGroupDef } from '../../rules/types.ts';
import { TGI_HISTOGRAMS, TGI_RECORDED } from './metrics.ts';

export const tgiRecording: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const s = c.selectors.tgi;
  const rate = (name: string, suffix = '', extra = '') => `sum by (${by}${extra}) (rate(${sel(name, s, suffix)}[5m]))`;
  return {
    name: 'tokenwatt-serving-tgi',
    rules: [
      { record: TGI_RECORDED.promptTokens, expr: rate('tgi_request_input_length', '_sum') },
      { record: TGI_RECORDED.generatedTokens, expr: rate('tgi_request_generated_tokens', '_sum') },
      { record: TGI_RECORDED.success, expr: rate('tgi_request_success') },
      { record: TGI_RECORDED.failure, expr: rate('tgi_request_failure', '', ', err') },
      { record: TGI_RECORDED.running, expr: `sum by (${by}) (${sel('tgi_batch_current_size', s)})` },
      { record: TGI_RECORDED.waiting, expr: `sum by (${by}) (${sel('tgi_queue_size', s)})` },
      ...TGI_HISTOGRAMS.map((h) => ({ record: bucketRateName(h), expr: rate(h, '_bucket', ', le') })),
    ],
  };
};
