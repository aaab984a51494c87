// GPUs per host (each physical GPU once, even under MIG), from the recorded per-GPU temperature:
// dcgm-exporter's, else the exporter's NVML reading (rules/gpu-board.ts), so GPUMissing also works on
// NVML-only hosts. Recorded so that GPUMissing compares with max_over_time of a plain series instead
// of a 6h subquery. It reads the previous evaluation of tokenwatt-gpu-board (one interval old).
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => ({
  name: 'tokenwatt-gpu-inventory',
  rules: [
    {
      record: 'host:dcgm_gpus:count',
      expr: `count by (${c.clusterLabel}, host) (gpu:DCGM_FI_DEV_GPU_TEMP:max)`,
    },
  ],
});
export default group;
