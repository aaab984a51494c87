// GPU board power in watts, from energy counters only (rate of a reset-corrected counter), one
// series per physical GPU even under MIG (dcgm-exporter repeats board energy on every instance).
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-gpu-power',
  rules: [
    {
      record: 'gpu:dcgm_board_power_watts:rate5m',
      // mJ/s -> W; max by board collapses the MIG copies of one GPU's counter.
      expr: `max by (${boardBy(c).join(', ')}) (rate(${sel('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', c.selectors.dcgm)}[5m])) / 1000`,
    },
    {
      record: 'gpu:tokenwatt_gpu_power_watts:rate5m',
      expr: `sum by (${[c.clusterLabel, 'host', 'gpu', 'gpu_uuid', 'gpu_model'].join(', ')}) (rate(${sel('tokenwatt_gpu_energy_joules_total', c.selectors.tokenwatt)}[5m]))`,
    },
    {
      record: 'cluster:dcgm_board_power_watts:sum',
      expr: `sum by (${c.clusterLabel}) (gpu:dcgm_board_power_watts:rate5m)`,
    },
  ],
});
export default group;
