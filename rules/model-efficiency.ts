// Per-model throughput, energy, tokens per joule and cost per million tokens, from tokenwatt's
// counters (energy attributed from the GPU/slice energy counter, never power x time).
import { sel } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const tw = c.selectors.tokenwatt;
  const rate = (name: string, extra = '') => `sum by (${by}${extra}) (rate(${sel(name, tw)}[5m]))`;
  // Each raw counter is read once, by the first four rules; the ratios divide those recorded
  // series (rules of a group run in order, each seeing the ones before it at the same timestamp),
  // instead of reading every engine's counters again for each ratio.
  const tokens = 'model_name:tokenwatt_generation_tokens:rate5m';
  const watts = 'model_name:tokenwatt_energy_watts:rate5m';
  const prompt = 'model_name:tokenwatt_prompt_tokens:rate5m';
  const costPerHour = 'model_name:tokenwatt_cost_per_hour:rate5m';
  return {
    name: 'tokenwatt-model-efficiency',
    rules: [
      { record: tokens, expr: rate('tokenwatt_model_generation_tokens_total') },
      { record: watts, expr: rate('tokenwatt_model_energy_joules_total') },
      { record: prompt, expr: rate('tokenwatt_model_prompt_tokens_total') },
      { record: costPerHour, expr: `${rate('tokenwatt_model_cost_total', ', currency')} * 3600` },
      // tokens/s over J/s: the same 5m window on both sides, so it is tokens per joule. Every ratio
      // divides only by a rate above 0: a window whose energy counter has not moved yet (a model's
      // first scrapes, while the board's counter steps at DCGM's collect interval) has no ratio,
      // not +Inf, which would hold a baseline average (TokensPerJouleDropped) at +Inf for its window.
      { record: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m', expr: `${tokens} / (${watts} > 0)` },
      // Cost per hour / 3600 is the cost per second, over tokens per second, per million tokens.
      { record: 'model_name:tokenwatt_cost_per_million_tokens:ratio_rate5m', expr: `${costPerHour} / on (${by}) group_left () (${tokens} > 0) * (1e6 / 3600)` },
      // Energy per input and per output token: each divides the model's whole energy by one kind of
      // token (not a split: docs/methodology.md, "Energy per input token").
      { record: 'model_name:tokenwatt_joules_per_prompt_token:ratio_rate5m', expr: `${watts} / (${prompt} > 0)` },
      { record: 'model_name:tokenwatt_joules_per_generated_token:ratio_rate5m', expr: `${watts} / (${tokens} > 0)` },
    ],
  };
};
export default group;
