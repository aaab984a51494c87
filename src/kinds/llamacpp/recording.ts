// llama.cpp's per-model recorded series: 5m rates of its token and time counters, and its requests
// processing and deferred per model (the dashboard's llama.cpp row reads only these).
import { sel } from '../../promql/helpers.ts';
import { modelBy } from '../../rules/levels.ts';
import type { RecordingGroupDef } from '../../rules/types.ts';
import { LLAMACPP_RECORDED as R } from './metrics.ts';

export const llamacppRecording: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const s = c.selectors.llamacpp;
  const rate = (name: string) => `sum by (${by}) (rate(${sel(name, s)}[5m]))`;
  return {
    name: 'tokenwatt-serving-llamacpp',
    rules: [
      { record: R.promptTokens, expr: rate('llamacpp:prompt_tokens_total') },
      { record: R.generatedTokens, expr: rate('llamacpp:tokens_predicted_total') },
      { record: R.promptSeconds, expr: rate('llamacpp:prompt_seconds_total') },
      { record: R.generatedSeconds, expr: rate('llamacpp:tokens_predicted_seconds_total') },
      { record: R.processing, expr: `sum by (${by}) (${sel('llamacpp:requests_processing', s)})` },
      { record: R.deferred, expr: `sum by (${by}) (${sel('llamacpp:requests_deferred', s)})` },
    ],
  };
};
