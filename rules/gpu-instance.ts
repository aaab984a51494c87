// Per GPU or MIG instance fields (engine, tensor and DRAM activity, framebuffer): one series per
// instance, relative to that instance (a whole GPU has GPU_I_PROFILE=""), and the framebuffer's
// used share from the two recorded fields (a per-step join of 512 series at 32 hosts, done once here
// instead of in the panel).
import { DCGM_INSTANCE_GAUGES } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import { orNvmlGauge } from '../src/rules/nvml-fallback.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = [...boardBy(c), 'GPU_I_ID', 'GPU_I_PROFILE'].join(', ');
  return {
    name: 'tokenwatt-gpu-instance',
    rules: [
      ...DCGM_INSTANCE_GAUGES.map((f) => ({ record: `gpu_instance:${f}:max`, expr: orNvmlGauge(c, f, `max by (${by}) (${sel(f, c.selectors.dcgm)})`) })),
      // Reads the two series recorded just above in this group (rules of a group run in order), so
      // it covers NVML-only GPUs too wherever both fields have a fallback.
      { record: 'gpu_instance:framebuffer_used:ratio', expr: 'gpu_instance:DCGM_FI_DEV_FB_USED:max / (gpu_instance:DCGM_FI_DEV_FB_USED:max + gpu_instance:DCGM_FI_DEV_FB_FREE:max)' },
    ],
  };
};
export default group;
