// NVML-only hosts (the tokenwatt exporter reading NVML, no dcgm-exporter): the GPU rules that feed
// the GPUs dashboard and the GPU health alerts record the dcgm-exporter field when there is one and
// else the exporter's NVML reading of the same thing, per GPU, in the dcgm-exporter field's unit and
// labels (cluster, host, gpu, UUID). One `or` in the recording rule; panels and alerts read the
// recorded series and never know which source it came from.
//
// Not here, because NVML as the exporter reads it has no equivalent: XIDs, ECC and remapped-row
// counters, PCIe/NVLink traffic and replays, memory temperature, slowdown temperature, the
// DCGM_FI_PROF_* activity fields (tensor, DRAM, graphics engine) and MIG instances.
import type { MixinConfig } from '../config/mixin.ts';
import { sel } from '../promql/helpers.ts';
import { boardBy } from './levels.ts';

/** nvmlClocksEventReason* bits, as the exporter's `reason` label names them (src/collectors/nvml/reading.ts). */
const REASON_BITS: readonly [string, number][] = [
  ['gpu_idle', 0x1], ['applications_clocks_setting', 0x2], ['sw_power_cap', 0x4], ['hw_slowdown', 0x8], ['sync_boost', 0x10],
  ['sw_thermal_slowdown', 0x20], ['hw_thermal_slowdown', 0x40], ['hw_power_brake_slowdown', 0x80], ['display_clock_setting', 0x100],
];

/** Clock-event reasons that dcgm-exporter's violation counters count (NVML perf policies POWER and THERMAL). */
export const THROTTLE_REASONS = {
  power: ['sw_power_cap', 'hw_power_brake_slowdown'],
  thermal: ['sw_thermal_slowdown', 'hw_thermal_slowdown'],
} as const;

/** The exporter's per-GPU NVML gauges as a dcgm-exporter field would read, in its unit. */
function gauge(c: MixinConfig, field: string): string | undefined {
  const tw = (name: string, more = '') => sel(name, more ? `${c.selectors.tokenwatt}, ${more}` : c.selectors.tokenwatt);
  switch (field) {
    case 'DCGM_FI_DEV_GPU_TEMP': return tw('tokenwatt_gpu_temperature_celsius');
    case 'DCGM_FI_DEV_GPU_UTIL': return `${tw('tokenwatt_gpu_utilization_ratio')} * 100`; // percent, as dcgm-exporter
    case 'DCGM_FI_DEV_POWER_USAGE': return tw('tokenwatt_gpu_power_watts');
    case 'DCGM_FI_DEV_POWER_MGMT_LIMIT': return tw('tokenwatt_gpu_power_limit_watts');
    case 'DCGM_FI_DEV_SM_CLOCK': return `${tw('tokenwatt_gpu_sm_clock_hertz')} / 1e6`; // MHz
    case 'DCGM_FI_DEV_MEM_CLOCK': return `${tw('tokenwatt_gpu_memory_clock_hertz')} / 1e6`;
    case 'DCGM_FI_DEV_FB_USED': return `${tw('tokenwatt_gpu_memory_used_bytes')} / 1048576`; // MiB
    case 'DCGM_FI_DEV_FB_FREE': return `(${tw('tokenwatt_gpu_memory_total_bytes')} - ${tw('tokenwatt_gpu_memory_used_bytes')}) / 1048576`;
    case 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS':
      // The bit mask back from one 0/1 series per reason: each reason's series times its bit, summed per GPU below.
      return `(${REASON_BITS.map(([r, bit]) => `${tw('tokenwatt_gpu_clock_event_reason', `reason="${r}"`)} * ${bit}`).join(' or ')})`;
    default: return undefined;
  }
}

/** dcgm-exporter's violation counters (ns throttled) as a per-second rate from the 0/1 clock-event reasons. */
function violationRate(c: MixinConfig, field: string, window: string): string | undefined {
  const reasons = field === 'DCGM_FI_DEV_POWER_VIOLATION' ? THROTTLE_REASONS.power : field === 'DCGM_FI_DEV_THERMAL_VIOLATION' ? THROTTLE_REASONS.thermal : undefined;
  if (!reasons) return undefined;
  // Share of the window a reason held, as ns per second (the counters' rate); the max over the two
  // reasons of a policy is a lower bound of the time either held (they are sampled, not counted).
  return `avg_over_time(${sel('tokenwatt_gpu_clock_event_reason', `${c.selectors.tokenwatt}, reason=~"${reasons.join('|')}"`)}[${window}]) * 1e9`;
}

/** Share of `window` (0-1) NVML reported a clock-event reason of the policy, one series per GPU in dcgm-exporter's labels. */
export function nvmlThrottleRatio(c: MixinConfig, policy: keyof typeof THROTTLE_REASONS, window: string): string {
  return asBoard(c, `avg_over_time(${sel('tokenwatt_gpu_clock_event_reason', `${c.selectors.tokenwatt}, reason=~"${THROTTLE_REASONS[policy].join('|')}"`)}[${window}])`);
}

/** The exporter's labels (gpu_uuid) as dcgm-exporter's (UUID), one series per physical GPU. */
export function asBoard(c: MixinConfig, expr: string, op: 'max' | 'sum' = 'max'): string {
  return `${op} by (${boardBy(c).join(', ')}) (label_replace(${expr}, "UUID", "$1", "gpu_uuid", "(.*)"))`;
}

/** `on (cluster, host, gpu)`: the GPU, whichever source's UUID spelling. */
export const gpuKey = (c: MixinConfig) => [c.clusterLabel, 'host', 'gpu'].join(', ');

/** Whether the field has an NVML reading to fall back to. */
export const hasNvmlFallback = (c: MixinConfig, field: string): boolean => gauge(c, field) !== undefined || violationRate(c, field, '5m') !== undefined;

/** `dcgmExpr`, else per GPU the NVML reading of `field` (a gauge), else `dcgmExpr` unchanged. */
export function orNvmlGauge(c: MixinConfig, field: string, dcgmExpr: string): string {
  const g = gauge(c, field);
  if (!g) return dcgmExpr;
  return `${dcgmExpr} or on (${gpuKey(c)}) ${asBoard(c, g, field === 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS' ? 'sum' : 'max')}`;
}

/** `dcgmExpr` (a rate of a violation counter), else per GPU the same rate from NVML's clock-event reasons. */
export function orNvmlViolationRate(c: MixinConfig, field: string, dcgmExpr: string, window: string): string {
  const v = violationRate(c, field, window);
  return v ? `${dcgmExpr} or on (${gpuKey(c)}) ${asBoard(c, v)}` : dcgmExpr;
}
