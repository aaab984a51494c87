// promtool cases for hosts without dcgm-exporter (issue 14 §3 "NVML-only hosts"): the tokenwatt
// exporter's NVML series feed the GPU recording rules through one `or` each (dcgm-exporter first,
// per GPU), so the GPUs dashboard has data and GPU health alerts fire from NVML alone. Host h2 has
// only the exporter; on h1 GPU 0 both sources report and dcgm-exporter's value wins.
import { builtDashboards } from '../../src/build/grafana/index.ts';
import { defaultConfig } from '../../src/config/mixin.ts';
import gpus from '../../dashboards/gpus.ts';
import { expectAlert, series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

const tw = (host: string, gpu: string, extra: Record<string, string> = {}) => ({
  job: 'tokenwatt', instance: 'tw:9464', cluster: 'c1', host, gpu, gpu_uuid: `GPU-${host}-${gpu}`, gpu_model: 'NVIDIA H100 80GB HBM3', ...extra,
});
const dcgm = (gpu: string) => ({ job: 'dcgm-exporter', cluster: 'c1', Hostname: 'h1', host: 'h1', gpu, UUID: `GPU-h1-${gpu}`, modelName: 'NVIDIA H100 80GB HBM3' });
const board = (host: string, gpu: string) => ({ cluster: 'c1', host, gpu, UUID: `GPU-${host}-${gpu}` });
const labels = (host: string, gpu: string) => `{UUID="GPU-${host}-${gpu}", cluster="c1", gpu="${gpu}", host="${host}"}`;
const REASONS = ['gpu_idle', 'applications_clocks_setting', 'sw_power_cap', 'hw_slowdown', 'sync_boost', 'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown', 'display_clock_setting'];

/** One NVML GPU as the exporter serves it; `on` lists the clock-event reasons holding the whole time. */
function nvmlGpu(host: string, gpu: string, o: { tempC: number; on: string[] }) {
  const l = tw(host, gpu);
  return [
    { series: series('tokenwatt_gpu_temperature_celsius', l), values: `${o.tempC}x40` },
    { series: series('tokenwatt_gpu_utilization_ratio', l), values: '0.5x40' },
    { series: series('tokenwatt_gpu_power_watts', l), values: '350x40' },
    { series: series('tokenwatt_gpu_power_limit_watts', l), values: '700x40' },
    { series: series('tokenwatt_gpu_sm_clock_hertz', l), values: '1980000000x40' },
    { series: series('tokenwatt_gpu_memory_clock_hertz', l), values: '2619000000x40' },
    { series: series('tokenwatt_gpu_memory_used_bytes', l), values: '10485760000x40' }, // 10,000 MiB
    { series: series('tokenwatt_gpu_memory_total_bytes', l), values: '85521858560x40' }, // 81,560 MiB
    // +21,000 J a minute: 350 W.
    { series: series('tokenwatt_gpu_energy_joules_total', l), values: '0+21000x40' },
    ...REASONS.map((reason) => ({ series: series('tokenwatt_gpu_clock_event_reason', { ...l, reason }), values: `${o.on.includes(reason) ? 1 : 0}x40` })),
  ];
}

const at10m = (expr: string, samples: [string, number][]): ExprTest => ({ expr: `round(${expr}, 0.001)`, eval_time: '10m', exp_samples: samples.map(([l, value]) => ({ labels: l, value })) });

/**
 * Every target of the GPUs dashboard, evaluated as Grafana first loads it (variables on All), as
 * 1 when it returns data and 0 when not: NVML-only GPUs fill every panel NVML has a reading for.
 */
function gpuPanelsCase(): ExprTest[] {
  const [d] = builtDashboards(defaultConfig, [gpus]);
  const json = d!.json as unknown as { panels: { title: string; targets?: { expr: string }[] }[] };
  return json.panels.flatMap((p) => (p.targets ?? []).map((t, i) => {
    const expr = t.expr.replace(/\$__range/g, '10m').replace(/\$(\w+)/g, '.*');
    const data = NVML_PANELS.has(p.title) && !DCGM_ONLY_TARGETS.has(`${p.title}#${i}`);
    return { expr: `clamp_max(count(${expr}), 1) or vector(0)`, eval_time: '10m', exp_samples: [{ labels: '{}', value: data ? 1 : 0 }] };
  }));
}
/** The GPUs dashboard's panels NVML feeds (the others need dcgm-exporter fields NVML does not read: src/rules/nvml-fallback.ts). */
export const NVML_PANELS = new Set(['GPUs', 'Board power', 'Hottest GPU', 'GPUs with a new XID', 'GPU utilisation', 'Framebuffer used', 'Framebuffer used ratio',
  'Power against limit', 'Temperature', 'Clocks', 'Time throttled', 'Throttle reasons']);
/** Targets of those panels that stay dcgm-exporter only: the memory (HBM) temperature. */
const DCGM_ONLY_TARGETS = new Set(['Temperature#1']);

export const nvmlOnlyCases: TestGroup[] = [
  {
    // h3 (NVML only) loses GPU 1 at 10m: its series stop (stale 5m later), so the host counts 1 GPU
    // where it counted 2; GPUMissing (for 2m) fires from NVML data alone.
    input_series: [
      { series: series('tokenwatt_gpu_temperature_celsius', tw('h3', '0')), values: '50x40' },
      { series: series('tokenwatt_gpu_temperature_celsius', tw('h3', '1')), values: '50x10' },
    ],
    alert_rule_test: [
      { eval_time: '9m', alertname: 'GPUMissing', exp_alerts: [] },
      { eval_time: '25m', alertname: 'GPUMissing', exp_alerts: [
        expectAlert('GPUMissing', 'critical', { cluster: 'c1', host: 'h3' }, 'Host h3 reports 1 GPUs, fewer than in the last 6h.'),
      ] },
    ],
  },
  {
    // h2: GPU 0 at 87 °C (no slowdown field: fallback 85) and thermally throttled the whole time;
    // GPU 1 at 60 °C, power capped (and idle) the whole time. h1 GPU 0: dcgm-exporter says 60 °C,
    // the exporter's NVML 99 °C: the recorded temperature is dcgm-exporter's.
    input_series: [
      ...nvmlGpu('h2', '0', { tempC: 87, on: ['sw_thermal_slowdown'] }),
      ...nvmlGpu('h2', '1', { tempC: 60, on: ['sw_power_cap', 'gpu_idle'] }),
      ...nvmlGpu('h1', '0', { tempC: 99, on: ['hw_thermal_slowdown'] }),
      { series: series('DCGM_FI_DEV_GPU_TEMP', dcgm('0')), values: '60x40' },
    ],
    promql_expr_test: [
      at10m('gpu:DCGM_FI_DEV_GPU_TEMP:max', [[labels('h1', '0'), 60], [labels('h2', '0'), 87], [labels('h2', '1'), 60]]),
      at10m('gpu:DCGM_FI_DEV_GPU_UTIL:max{host="h2"}', [[labels('h2', '0'), 50], [labels('h2', '1'), 50]]),
      at10m('gpu:DCGM_FI_DEV_POWER_USAGE:max{host="h2", gpu="0"}', [[labels('h2', '0'), 350]]),
      at10m('gpu:DCGM_FI_DEV_POWER_MGMT_LIMIT:max{host="h2", gpu="0"}', [[labels('h2', '0'), 700]]),
      at10m('gpu:DCGM_FI_DEV_SM_CLOCK:max{host="h2", gpu="0"}', [[labels('h2', '0'), 1980]]),
      at10m('gpu:DCGM_FI_DEV_MEM_CLOCK:max{host="h2", gpu="0"}', [[labels('h2', '0'), 2619]]),
      // gpu_idle 0x1 + sw_power_cap 0x4.
      at10m('gpu:DCGM_FI_DEV_CLOCK_THROTTLE_REASONS:max{host="h2"}', [[labels('h2', '0'), 0x20], [labels('h2', '1'), 0x5]]),
      at10m('gpu_instance:DCGM_FI_DEV_FB_USED:max{host="h2", gpu="0"}', [[labels('h2', '0'), 10000]]),
      at10m('gpu_instance:DCGM_FI_DEV_FB_FREE:max{host="h2", gpu="0"}', [[labels('h2', '0'), 71560]]),
      // Held the whole window: 1e9 ns per second, as dcgm-exporter's violation counters would count.
      at10m('gpu:DCGM_FI_DEV_THERMAL_VIOLATION:rate5m', [[labels('h1', '0'), 1e9], [labels('h2', '0'), 1e9], [labels('h2', '1'), 0]]),
      at10m('gpu:DCGM_FI_DEV_POWER_VIOLATION:rate5m{host="h2"}', [[labels('h2', '0'), 0], [labels('h2', '1'), 1e9]]),
      at10m('gpu:clock_throttled_thermal:ratio{host="h2"}', [[labels('h2', '0'), 1], [labels('h2', '1'), 0]]),
      at10m('gpu:clock_throttled_power:ratio{host="h2"}', [[labels('h2', '0'), 0], [labels('h2', '1'), 1]]),
      // No dcgm-exporter energy counter anywhere: the exporter's (NVML) energy counter, 350 W.
      at10m('gpu:board_power_watts:rate5m{host="h2"}', [[labels('h2', '0'), 350], [labels('h2', '1'), 350]]),
      at10m('host:dcgm_gpus:count', [['{cluster="c1", host="h1"}', 1], ['{cluster="c1", host="h2"}', 2]]),
      ...gpuPanelsCase(),
    ],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'GPUTemperatureNearSlowdown', exp_alerts: [] },
      { eval_time: '10m', alertname: 'GPUTemperatureNearSlowdown', exp_alerts: [
        expectAlert('GPUTemperatureNearSlowdown', 'warning', board('h2', '0'), 'GPU 0 on h2 is at 87 °C, within 5 °C of its slowdown temperature.'),
      ] },
      { eval_time: '10m', alertname: 'GPUThermalThrottling', exp_alerts: [] }, // pending, for 15m
      // h1 has dcgm-exporter but not its violation fields (off by default): NVML fills that field in.
      { eval_time: '25m', alertname: 'GPUThermalThrottling', exp_alerts: [
        expectAlert('GPUThermalThrottling', 'warning', board('h1', '0'), 'GPU 0 on h1 has been thermally throttled 100% of the time.'),
        expectAlert('GPUThermalThrottling', 'warning', board('h2', '0'), 'GPU 0 on h2 has been thermally throttled 100% of the time.'),
      ] },
      { eval_time: '25m', alertname: 'GPUPowerThrottling', exp_alerts: [
        expectAlert('GPUPowerThrottling', 'warning', board('h2', '1'), 'GPU 1 on h2 has been power throttled 100% of the time.'),
      ] },
    ],
  },
];
