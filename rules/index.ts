// Every recording rule group, one file each; the build writes prometheus/rules/<group>.yaml per entry.
// Order matters where one group reads another's output (promtool evaluates them in this order;
// Prometheus reads the previous evaluation across groups): per-series rates and maxima first, then
// what is derived from them (quantiles, SLO windows).
import { kindRecordingGroups } from '../src/kinds/index.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';
import { autoscalingGroups } from './autoscaling.ts';
import gpuBoard from './gpu-board.ts';
import gpuHealth from './gpu-health.ts';
import gpuInstance from './gpu-instance.ts';
import gpuInventory from './gpu-inventory.ts';
import gpuPower from './gpu-power.ts';
import gpuRates from './gpu-rates.ts';
import modelEfficiency from './model-efficiency.ts';
import nodePools from './node-pools.ts';
import { reportCounters, reportServing } from './report.ts';
import servingLatency, { servingLatencyDetail, servingLatencyPanels, servingQuantiles } from './serving-latency.ts';
import servingSglang from './serving-sglang.ts';
import servingVllm, { servingVllmDetail } from './serving-vllm.ts';
import sloErrors from './slo-errors.ts';
import sloTtft from './slo-ttft.ts';
import tokenwattFleet from './tokenwatt-fleet.ts';

export const recordingGroups: RecordingGroupDef[] = [
  gpuInventory, gpuPower, gpuBoard, gpuRates, gpuInstance, gpuHealth, modelEfficiency, tokenwattFleet,
  servingVllm, servingVllmDetail, servingSglang, servingLatency, servingQuantiles, servingLatencyPanels, servingLatencyDetail, sloTtft, sloErrors, ...autoscalingGroups, nodePools,
  // Long windows for `tokenwatt report`: reads only raw counters, so its place in the order does not matter.
  reportCounters, reportServing,
  // Serving kinds beyond vLLM and SGLang bring their own (src/kinds/<kind>/).
  ...kindRecordingGroups(),
];
