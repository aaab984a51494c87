// tokenwatt's per-GPU, per-slice and per-model counters as 5m rates at the level each dashboard
// panel plots (energy, cost and carbon): a panel sums a few recorded series instead of rating
// every engine's and slice's counter over the whole dashboard range.
import { sel } from '../src/promql/helpers.ts';
import { modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const tw = c.selectors.tokenwatt;
  const gpu = [c.clusterLabel, 'host', 'gpu', 'gpu_uuid', 'gpu_model'];
  const slice = [c.clusterLabel, 'host', 'gpu', 'gpu_instance_id', 'gpu_profile'];
  const gpuKey = [c.clusterLabel, 'host', 'gpu'].join(', ');
  const rate = (name: string, by: string[]) => `sum by (${by.join(', ')}) (rate(${sel(name, tw)}[5m]))`;
  return {
    name: 'tokenwatt-fleet',
    rules: [
      { record: 'gpu:tokenwatt_gpu_cost:rate5m', expr: rate('tokenwatt_gpu_cost_total', [...gpu, 'component', 'currency']) },
      { record: 'gpu:tokenwatt_gpu_co2e_grams:rate5m', expr: rate('tokenwatt_gpu_co2e_grams_total', gpu) },
      { record: 'gpu:tokenwatt_unallocated_energy_watts:rate5m', expr: rate('tokenwatt_unallocated_energy_joules_total', gpu) },
      { record: 'gpu:tokenwatt_unallocated_cost:rate5m', expr: rate('tokenwatt_unallocated_cost_total', [...gpu, 'currency']) },
      { record: 'slice:tokenwatt_slice_energy_watts:rate5m', expr: rate('tokenwatt_slice_energy_joules_total', [...slice, 'state']) },
      { record: 'slice:tokenwatt_slice_cost:rate5m', expr: rate('tokenwatt_slice_cost_total', [...slice, 'currency']) },
      { record: 'slice:tokenwatt_idle_cost:rate5m', expr: rate('tokenwatt_idle_cost_total', [...slice, 'currency']) },
      { record: 'slice:tokenwatt_generation_tokens:rate5m', expr: rate('tokenwatt_model_generation_tokens_total', slice) },
      { record: 'model_name:tokenwatt_co2e_grams:rate5m', expr: rate('tokenwatt_model_co2e_grams_total', modelBy(c)) },
      // Tokens per joule per slice and per GPU from the rates recorded above in this group (a ratio of
      // two sums over every slice at every step was the costliest energy panel at 32 hosts). Per
      // slice: over its attributed energy (idle and active); per GPU: over the board's whole energy.
      // Only over energy above 0, as in rules/model-efficiency.ts: never +Inf.
      {
        record: 'slice:tokenwatt_tokens_per_joule:ratio_rate5m',
        expr: `sum by (${slice.join(', ')}) (slice:tokenwatt_generation_tokens:rate5m) / (sum by (${slice.join(', ')}) (slice:tokenwatt_slice_energy_watts:rate5m) > 0)`,
      },
      {
        record: 'gpu:tokenwatt_tokens_per_joule:ratio_rate5m',
        expr: `sum by (${gpuKey}) (slice:tokenwatt_generation_tokens:rate5m) / (sum by (${gpuKey}) (gpu:tokenwatt_gpu_power_watts:rate5m) > 0)`,
      },
    ],
  };
};
export default group;
