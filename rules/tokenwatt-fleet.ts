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
    ],
  };
};
export default group;
