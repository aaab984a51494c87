// What every NVML backend (koffi binding, nvidia-smi fallback, replay) reads per GPU, and the one
// mapping from those readings to the collector's result: catalog series for /metrics and, only where
// an energy counter was read, a BoardReading for the ledger (energy never comes from power × time).
import type { CollectResult } from '../collector.ts';
import type { BoardReading, LedgerSample } from '../../energy/tick.ts';

export type Backend = 'nvml' | 'nvidia-smi' | 'replay';

/** One MIG GPU instance (several MIG devices, i.e. compute instances, may share one). */
export interface MigInstance {
  gpuInstanceId: string;
  /** Profile as dcgm-exporter spells GPU_I_PROFILE, e.g. "3g.40gb", "1g.10gb+me". */
  profile: string;
  computeSlices: number;
  memorySlices: number;
  /** GR-engine activity 0–1 over the last collection interval (NVML GPM, Hopper+); absent when unknown. */
  activity?: number;
}

/** One GPU as a backend read it. Absent fields: not supported by the GPU or the backend. */
export interface GpuReading {
  /** NVML index as a string ("0"). */
  gpu: string;
  uuid: string;
  name: string;
  /** Cumulative total-energy counter in mJ (NVML); absent on nvidia-smi and pre-Volta GPUs, or when the read failed. */
  energyMj?: number;
  /** The GPU or backend has no energy counter at all (nvidia-smi, NOT_SUPPORTED), not just a failed read. */
  energyUnsupported?: boolean;
  powerMw?: number;
  powerLimitMw?: number;
  /** Percent 0–100 as NVML reports them. */
  gpuUtilPct?: number;
  memUtilPct?: number;
  memUsedBytes?: number;
  memTotalBytes?: number;
  tempC?: number;
  smClockMhz?: number;
  memClockMhz?: number;
  /** nvmlClocksEventReason* bit mask. */
  clockEventReasons?: bigint;
  migEnabled?: boolean;
  /** MIG GPU instances present (empty: whole GPU, or MIG enabled with none created). */
  migInstances: MigInstance[];
}

/** nvmlClocksEventReason* bits (nvml.h) → the `reason` label of tokenwatt_gpu_clock_event_reason. */
export const CLOCK_EVENT_REASONS: readonly [bigint, string][] = [
  [0x1n, 'gpu_idle'],
  [0x2n, 'applications_clocks_setting'],
  [0x4n, 'sw_power_cap'],
  [0x8n, 'hw_slowdown'],
  [0x10n, 'sync_boost'],
  [0x20n, 'sw_thermal_slowdown'],
  [0x40n, 'hw_thermal_slowdown'],
  [0x80n, 'hw_power_brake_slowdown'],
  [0x100n, 'display_clock_setting'],
];

/** The collector result for one successful read by `backend` on `host`. */
export function toCollectResult(backend: Backend, host: string, gpus: GpuReading[]): CollectResult {
  const samples: LedgerSample[] = [{ name: 'tokenwatt_nvml_up', labels: { backend }, value: 1 }];
  const boards: BoardReading[] = [];
  for (const r of gpus) {
    const gpu = { host, gpu: r.gpu, gpu_uuid: r.uuid, gpu_model: r.name };
    const add = (name: string, value: number | undefined, extra: Record<string, string> = {}) => {
      if (value !== undefined && Number.isFinite(value)) samples.push({ name, labels: { ...gpu, ...extra }, value });
    };
    const hasEnergy = r.energyMj !== undefined;
    // A read that failed this time is neither: no board this tick, and no flapping of the labels or the 0/1.
    add('tokenwatt_gpu_info', 1, { mig_mode: r.migEnabled ? 'enabled' : 'disabled', energy_source: r.energyUnsupported ? 'none' : 'nvml' });
    add('tokenwatt_nvml_energy_counter_supported', hasEnergy ? 1 : r.energyUnsupported ? 0 : undefined);
    add('tokenwatt_gpu_power_watts', div(r.powerMw, 1000));
    add('tokenwatt_gpu_power_limit_watts', div(r.powerLimitMw, 1000));
    add('tokenwatt_gpu_utilization_ratio', div(r.gpuUtilPct, 100));
    add('tokenwatt_gpu_memory_utilization_ratio', div(r.memUtilPct, 100));
    add('tokenwatt_gpu_memory_used_bytes', r.memUsedBytes);
    add('tokenwatt_gpu_memory_total_bytes', r.memTotalBytes);
    add('tokenwatt_gpu_temperature_celsius', r.tempC);
    add('tokenwatt_gpu_sm_clock_hertz', mul(r.smClockMhz, 1e6));
    add('tokenwatt_gpu_memory_clock_hertz', mul(r.memClockMhz, 1e6));
    if (r.clockEventReasons !== undefined) {
      for (const [bit, reason] of CLOCK_EVENT_REASONS) add('tokenwatt_gpu_clock_event_reason', (r.clockEventReasons & bit) !== 0n ? 1 : 0, { reason });
    }
    if (!hasEnergy) continue;
    boards.push({
      host,
      gpu: r.gpu,
      uuid: r.uuid,
      model: r.name,
      energyJoules: r.energyMj! / 1000,
      ...(r.powerMw !== undefined ? { powerWatts: r.powerMw / 1000 } : {}),
      // Bounds a plausible energy increase (the ledger drops a counter jump above limit × margin × Δt).
      ...(r.powerLimitMw !== undefined && r.powerLimitMw > 0 ? { powerLimitWatts: r.powerLimitMw / 1000 } : {}),
      // NVML has no whole-GPU utilisation under MIG (NOT_SUPPORTED). Per-instance activity comes from GPM
      // (Hopper+) from the second collection on; without it slices report 0 and the ledger shares active
      // energy by slice size (attribution.ts).
      ...(r.gpuUtilPct !== undefined && !r.migEnabled ? { activity: r.gpuUtilPct / 100 } : {}),
      slices: r.migInstances.map((m) => ({ gpuInstanceId: m.gpuInstanceId, profile: m.profile, computeSlices: m.computeSlices, memorySlices: m.memorySlices, activity: m.activity ?? 0, ...(m.activity === undefined ? { activityUnknown: true as const } : {}) })),
    });
  }
  return { samples, boards };
}

function div(x: number | undefined, by: number): number | undefined {
  return x === undefined ? undefined : x / by;
}
function mul(x: number | undefined, by: number): number | undefined {
  return x === undefined ? undefined : x * by;
}
