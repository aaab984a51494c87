// Per-model throughput, energy, tokens per joule and cost per million tokens, from tokenwatt's
// counters (energy attributed from the GPU/slice energy counter, never power x time).
import { sel } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const tw = c.selectors.tokenwatt;
  const tokens = `sum by (${by}) (rate(${sel('tokenwatt_model_generation_tokens_total', tw)}[5m]))`;
  const watts = `sum by (${by}) (rate(${sel('tokenwatt_model_energy_joules_total', tw)}[5m]))`;
  const cost = `sum by (${by}, currency) (rate(${sel('tokenwatt_model_cost_total', tw)}[5m]))`;
  const prompt = `sum by (${by}) (rate(${sel('tokenwatt_model_prompt_tokens_total', tw)}[5m]))`;
  return {
    name: 'tokenwatt-model-efficiency',
    rules: [
      { record: 'model_name:tokenwatt_generation_tokens:rate5m', expr: tokens },
      { record: 'model_name:tokenwatt_energy_watts:rate5m', expr: watts },
      // tokens/s over J/s: the same 5m window on both sides, so it is tokens per joule.
      { record: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m', expr: `${tokens} / ${watts}` },
      { record: 'model_name:tokenwatt_cost_per_million_tokens:ratio_rate5m', expr: `${cost} / on (${by}) group_left () ${tokens} * 1e6` },
      { record: 'model_name:tokenwatt_cost_per_hour:rate5m', expr: `${cost} * 3600` },
      // Energy per input and per output token: each divides the model's whole energy by one kind of
      // token (not a split: docs/methodology.md, "Energy per input token").
      { record: 'model_name:tokenwatt_prompt_tokens:rate5m', expr: prompt },
      { record: 'model_name:tokenwatt_joules_per_prompt_token:ratio_rate5m', expr: `${watts} / ${prompt}` },
      { record: 'model_name:tokenwatt_joules_per_generated_token:ratio_rate5m', expr: `${watts} / ${tokens}` },
    ],
  };
};
export default group;
