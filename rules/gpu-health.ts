// What the GPU health alerts and the GPUs dashboard read that has a dcgm-exporter and an NVML
// source: dcgm-exporter first, per GPU the tokenwatt exporter's NVML reading where a host has no
// dcgm-exporter (src/rules/nvml-fallback.ts). Reads only recorded series and the throttle signals
// the alerts read raw before.
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import { asBoard, gpuKey, nvmlThrottleRatio } from '../src/rules/nvml-fallback.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = boardBy(c).join(', ');
  const g = c.alerting.gpu;
  // Violation counters count time throttled (violationUnitsPerSecond per second throttled): rate / units is the share of wall time.
  const violation = (field: string) => `max by (${by}) (rate(${sel(field, c.selectors.dcgm)}[${g.throttleWindow}])) / ${g.violationUnitsPerSecond}`;
  // At the default 5m window and ns counters, tokenwatt-gpu-rates' recorded rate (dcgm-exporter,
  // else NVML's reasons in ns/s) is the same ratio: the raw counters are read there, once per cycle.
  const recorded = g.throttleWindow === '5m' && g.violationUnitsPerSecond === 1e9;
  const ratio = (field: string, policy: 'power' | 'thermal') => recorded
    ? `gpu:${field}:rate5m / 1e9`
    : `${violation(field)} or on (${gpuKey(c)}) ${nvmlThrottleRatio(c, policy, g.throttleWindow)}`;
  return {
    name: 'tokenwatt-gpu-health',
    rules: [
      {
        record: 'gpu:board_power_watts:rate5m',
        expr: `gpu:dcgm_board_power_watts:rate5m or on (${gpuKey(c)}) ${asBoard(c, 'gpu:tokenwatt_gpu_power_watts:rate5m')}`,
      },
      { record: 'gpu:clock_throttled_power:ratio', expr: ratio('DCGM_FI_DEV_POWER_VIOLATION', 'power') },
      { record: 'gpu:clock_throttled_thermal:ratio', expr: ratio('DCGM_FI_DEV_THERMAL_VIOLATION', 'thermal') },
    ],
  };
};
export default group;
