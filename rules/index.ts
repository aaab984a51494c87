// Every recording rule group, one file each; the build writes prometheus/rules/<group>.yaml per entry.
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { autoscalingGroups } from './autoscaling.ts';
import gpuInventory from './gpu-inventory.ts';
import gpuPower from './gpu-power.ts';
import modelEfficiency from './model-efficiency.ts';
import servingLatency from './serving-latency.ts';
import sloErrors from './slo-errors.ts';
import sloTtft from './slo-ttft.ts';

export const recordingGroups: RecordingGroupDef[] = [gpuInventory, gpuPower, modelEfficiency, servingLatency, sloTtft, sloErrors, ...autoscalingGroups];
