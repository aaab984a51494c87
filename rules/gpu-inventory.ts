// GPUs per host as dcgm-exporter sees them (each physical GPU once, even under MIG). Recorded so
// that GPUMissing compares with max_over_time of a plain series instead of a 6h subquery.
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-gpu-inventory',
  rules: [
    {
      record: 'host:dcgm_gpus:count',
      expr: `count by (${c.clusterLabel}, host) (max by (${boardBy(c).join(', ')}) (${sel('DCGM_FI_DEV_GPU_TEMP', c.selectors.dcgm)}))`,
    },
  ],
});
export default group;
