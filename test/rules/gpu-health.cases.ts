// promtool cases for alerts/gpu-health.ts (default config: xidWindow 10m, throttle 0.1 for 15m,
// slowdown margin 5 °C / fallback 85 °C for 5m, memory window 1h, GPU count window 6h for 5m,
// exporter down 5m, host down 3m, stuck util 90 % for 15m). Series are one sample per minute.
import { expectAlert, series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const dcgm = (gpu: string, extra: Record<string, string> = {}) => ({
  job: 'dcgm-exporter', cluster: 'c1', Hostname: 'h1', host: 'h1', gpu, UUID: `GPU-${gpu}`, modelName: 'NVIDIA A100-SXM4-40GB', ...extra,
});
/** Two MIG instances of one GPU repeat its board values: the alert must still fire once. */
const mig = (gpu: string) => [dcgm(gpu, { GPU_I_ID: '1', GPU_I_PROFILE: '3g.20gb' }), dcgm(gpu, { GPU_I_ID: '2', GPU_I_PROFILE: '2g.10gb' })];
const board = (gpu: string) => ({ cluster: 'c1', host: 'h1', gpu, UUID: `GPU-${gpu}` });

export const gpuHealthCases: TestGroup[] = [
  {
    // XID gauge holds the last XID: GPU 0 goes 0 -> 13 at 11m (on two MIG instances), GPU 1 0 -> 79.
    input_series: [
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_XID_ERRORS', l), values: '0x10 13x30' })),
      { series: series('DCGM_FI_DEV_XID_ERRORS', dcgm('1')), values: '0x10 79x30' },
      // A GPU whose last XID is old (43 since t0): '> 0' would fire forever; a change-detector must not.
      { series: series('DCGM_FI_DEV_XID_ERRORS', dcgm('2')), values: '43x40' },
    ],
    alert_rule_test: [
      // 15m: the [10m:1m] subquery spans 6m..15m and sees the 0 -> x change at 11m.
      { eval_time: '15m', alertname: 'GPUXidError', exp_alerts: [
        expectAlert('GPUXidError', 'warning', board('0'), 'GPU 0 (GPU-0) on h1 reported XID 13.'),
        expectAlert('GPUXidError', 'warning', board('1'), 'GPU 1 (GPU-1) on h1 reported XID 79.'),
        expectAlert('GPUXidError', 'critical', board('1'), 'GPU 1 (GPU-1) on h1 reported fatal XID 79.'),
      ] },
      // 30m: 20m..30m holds no change: resolved, although the gauge is still 13 and 79.
      { eval_time: '30m', alertname: 'GPUXidError', exp_alerts: [] },
    ],
  },
  {
    // Violation counters in ns. GPU 0: +30e9 ns per minute = 0.5 s throttled per second (0.5 > 0.1);
    // GPU 1: +3e9 ns per minute = 0.05 (below). rate over evenly spaced samples is the exact slope.
    input_series: [
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_THERMAL_VIOLATION', l), values: '0+30000000000x40' })),
      { series: series('DCGM_FI_DEV_THERMAL_VIOLATION', dcgm('1')), values: '0+3000000000x40' },
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_POWER_VIOLATION', l), values: '0+30000000000x40' })),
      { series: series('DCGM_FI_DEV_POWER_VIOLATION', dcgm('1')), values: '0+3000000000x40' },
    ],
    alert_rule_test: [
      { eval_time: '10m', alertname: 'GPUThermalThrottling', exp_alerts: [] }, // pending, for 15m
      { eval_time: '20m', alertname: 'GPUThermalThrottling', exp_alerts: [
        expectAlert('GPUThermalThrottling', 'warning', board('0'), 'GPU 0 on h1 has been thermally throttled 50% of the time.'),
      ] },
      { eval_time: '10m', alertname: 'GPUPowerThrottling', exp_alerts: [] },
      { eval_time: '20m', alertname: 'GPUPowerThrottling', exp_alerts: [
        expectAlert('GPUPowerThrottling', 'warning', board('0'), 'GPU 0 on h1 has been power throttled 50% of the time.'),
      ] },
    ],
  },
  {
    // GPU 0: 86 °C vs slowdown 90 (>= 85, fires). GPU 1: 84 °C, no slowdown field (< fallback 85).
    // GPU 2: 87 °C, no slowdown field (>= fallback 85, fires). GPU 3: 87 °C vs slowdown 95 (< 90).
    input_series: [
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_GPU_TEMP', l), values: '86x20' })),
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_SLOWDOWN_TEMP', l), values: '90x20' })),
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('1')), values: '84x20' },
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('2')), values: '87x20' },
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('3')), values: '87x20' },
      { series: series('DCGM_FI_DEV_SLOWDOWN_TEMP', dcgm('3')), values: '95x20' },
    ],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'GPUTemperatureNearSlowdown', exp_alerts: [] },
      { eval_time: '10m', alertname: 'GPUTemperatureNearSlowdown', exp_alerts: [
        expectAlert('GPUTemperatureNearSlowdown', 'warning', board('0'), 'GPU 0 on h1 is at 86 °C, within 5 °C of its slowdown temperature.'),
        expectAlert('GPUTemperatureNearSlowdown', 'warning', board('2'), 'GPU 2 on h1 is at 87 °C, within 5 °C of its slowdown temperature.'),
      ] },
    ],
  },
  {
    // Row-remap failure flag from 6m on GPU 0; uncorrectable remaps 0 -> 2 and DBE 0 -> 3 at 11m.
    // increase over 1h from a counter starting at 0 is not extrapolated below zero, and the last
    // sample is at the eval time, so it is exactly the step: 2 and 3.
    input_series: [
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_ROW_REMAP_FAILURE', l), values: '0x5 1x20' })),
      { series: series('DCGM_FI_DEV_ROW_REMAP_FAILURE', dcgm('1')), values: '0x25' },
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', l), values: '0x10 2x20' })),
      { series: series('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', dcgm('1')), values: '0x30' },
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', l), values: '0x10 3x20' })),
      { series: series('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', dcgm('1')), values: '0x30' },
    ],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'GPURowRemapFailure', exp_alerts: [] },
      { eval_time: '8m', alertname: 'GPURowRemapFailure', exp_alerts: [
        expectAlert('GPURowRemapFailure', 'critical', board('0'), 'GPU 0 (GPU-0) on h1 reports a row-remapping failure.'),
      ] },
      { eval_time: '5m', alertname: 'GPUUncorrectableRemappedRows', exp_alerts: [] },
      { eval_time: '20m', alertname: 'GPUUncorrectableRemappedRows', exp_alerts: [
        expectAlert('GPUUncorrectableRemappedRows', 'warning', board('0'), 'GPU 0 (GPU-0) on h1 remapped 2 rows for uncorrectable errors in the last 1h.'),
      ] },
      { eval_time: '5m', alertname: 'GPUDoubleBitECCErrors', exp_alerts: [] },
      { eval_time: '20m', alertname: 'GPUDoubleBitECCErrors', exp_alerts: [
        expectAlert('GPUDoubleBitECCErrors', 'critical', board('0'), 'GPU 0 (GPU-0) on h1 had 3 double-bit ECC errors in the last 1h.'),
      ] },
    ],
  },
  {
    // h1 has GPUs 0 (as two MIG instances) and 1; GPU 1 vanishes after 10m (stale at 11m). The count
    // (1) falls below its 6h maximum (2) from 11m; for 2m -> firing by 13m. h2 keeps its one GPU.
    input_series: [
      ...mig('0').map((l) => ({ series: series('DCGM_FI_DEV_GPU_TEMP', l), values: '60x40' })),
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('1')), values: '60x10 stale' },
      { series: series('DCGM_FI_DEV_GPU_TEMP', { ...dcgm('0'), Hostname: 'h2', host: 'h2', UUID: 'GPU-h2-0' }), values: '55x40' },
    ],
    alert_rule_test: [
      { eval_time: '8m', alertname: 'GPUMissing', exp_alerts: [] },
      { eval_time: '30m', alertname: 'GPUMissing', exp_alerts: [
        expectAlert('GPUMissing', 'critical', { cluster: 'c1', host: 'h1' }, 'Host h1 reports 1 GPUs, fewer than in the last 6h.'),
      ] },
    ],
  },
  {
    // dcgm-exporter down on h1 (node_exporter up) from 6m, and on h2 with node_exporter down too
    // from 6m. DCGMExporterDown (for 5m) fires for both; HostDown (for 2m) only for h2.
    input_series: [
      { series: series('up', { job: 'dcgm-exporter', instance: 'h1:9400', cluster: 'c1', host: 'h1' }), values: '1x5 0x20' },
      { series: series('up', { job: 'node', instance: 'h1:9100', cluster: 'c1', host: 'h1' }), values: '1x25' },
      { series: series('up', { job: 'dcgm-exporter', instance: 'h2:9400', cluster: 'c1', host: 'h2' }), values: '1x5 0x20' },
      { series: series('up', { job: 'node', instance: 'h2:9100', cluster: 'c1', host: 'h2' }), values: '1x5 0x20' },
      { series: series('up', { job: 'dcgm-exporter', instance: 'h3:9400', cluster: 'c1', host: 'h3' }), values: '1x25' },
    ],
    alert_rule_test: [
      { eval_time: '8m', alertname: 'DCGMExporterDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'DCGMExporterDown', exp_alerts: [
        expectAlert('DCGMExporterDown', 'warning', { job: 'dcgm-exporter', instance: 'h1:9400', cluster: 'c1', host: 'h1' }, 'dcgm-exporter h1:9400 on h1 has been down for 5m.'),
        expectAlert('DCGMExporterDown', 'warning', { job: 'dcgm-exporter', instance: 'h2:9400', cluster: 'c1', host: 'h2' }, 'dcgm-exporter h2:9400 on h2 has been down for 5m.'),
      ] },
      { eval_time: '7m', alertname: 'HostDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'HostDown', exp_alerts: [
        expectAlert('HostDown', 'critical', { job: 'node', instance: 'h2:9100', cluster: 'c1', host: 'h2' }, 'Neither node_exporter nor dcgm-exporter on h2 has answered for 2m.'),
      ] },
    ],
  },
  {
    // GPU 0: 95 % utilisation with GR_ENGINE_ACTIVE 0 (stuck); GPU 1: 95 % with 0.8 active (real).
    input_series: [
      { series: series('DCGM_FI_DEV_GPU_UTIL', dcgm('0')), values: '95x30' },
      { series: series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', dcgm('0')), values: '0x30' },
      { series: series('DCGM_FI_DEV_GPU_UTIL', dcgm('1')), values: '95x30' },
      { series: series('DCGM_FI_PROF_GR_ENGINE_ACTIVE', dcgm('1')), values: '0.8x30' },
    ],
    alert_rule_test: [
      { eval_time: '10m', alertname: 'GPUTelemetryStuck', exp_alerts: [] },
      { eval_time: '20m', alertname: 'GPUTelemetryStuck', exp_alerts: [
        expectAlert('GPUTelemetryStuck', 'warning', board('0'), 'GPU 0 on h1 reports 95% utilisation while its graphics engine is idle.'),
      ] },
    ],
  },
];
