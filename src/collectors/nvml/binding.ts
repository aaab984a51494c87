// NVML through koffi on libnvidia-ml.so.1, behind a small function table (NvmlFunctions) so that the
// mapping from return codes and values to readings is tested without a GPU (tests inject a fake
// table). Calls and structs follow nvml.h (NVIDIA/go-nvml pkg/nvml/nvml.h); costs measured on an
// H100 (domain notes §5): every read is µs except the total-energy counter, ~3 ms per call, so that
// one goes through koffi's async call on its worker thread and all GPUs are read concurrently.
import { CollectError } from '../collector.ts';
import { parseProfile } from '../../energy/mig.ts';
import type { GpuReading, MigInstance } from './reading.ts';

/** Opaque device handle (a pointer in the koffi binding, anything in a fake). */
export type Handle = unknown;

/** One NVML call's return code and, when it is 0 (NVML_SUCCESS), its output. */
export interface Out<T> {
  rc: number;
  value?: T;
}

/** The NVML calls tokenwatt makes, one entry per C function (composite only where noted). */
export interface NvmlFunctions {
  init(): number;
  shutdown(): number;
  errorString(rc: number): string;
  deviceCount(): Out<number>;
  handleByIndex(index: number): Out<Handle>;
  name(h: Handle): Out<string>;
  uuid(h: Handle): Out<string>;
  migMode(h: Handle): Out<{ current: number; pending: number }>;
  maxMigDeviceCount(h: Handle): Out<number>;
  migDeviceHandleByIndex(h: Handle, index: number): Out<Handle>;
  gpuInstanceId(mig: Handle): Out<number>;
  /**
   * Composite: nvmlDeviceGetGpuInstanceById → nvmlGpuInstanceGetInfo (profile id, placement) →
   * nvmlDeviceGetGpuInstanceProfileInfoByIdV (name "MIG 3g.40gb", slice count).
   */
  gpuInstanceProfile(parent: Handle, gpuInstanceId: number): Out<{ name: string; computeSlices: number; memorySlices: number }>;
  /** mW. */
  powerUsage(h: Handle): Out<number>;
  /** mW. */
  enforcedPowerLimit(h: Handle): Out<number>;
  /** mJ since the driver loaded (Volta+); asynchronous, it takes ~3 ms. */
  totalEnergyConsumption(h: Handle): Promise<Out<number>>;
  /** Percent of the last sample period. */
  utilizationRates(h: Handle): Out<{ gpu: number; memory: number }>;
  /** Bytes. */
  memoryInfo(h: Handle): Out<{ total: number; free: number; used: number }>;
  /** °C of the GPU core sensor. */
  temperature(h: Handle): Out<number>;
  /** MHz. */
  clock(h: Handle, which: 'sm' | 'mem'): Out<number>;
  /** nvmlClocksEventReason* bit mask. */
  clockEventReasons(h: Handle): Out<bigint>;
  /**
   * Composite (GPM, Hopper+): GR-engine activity 0–100 % of one GPU instance since the previous call for
   * it (nvmlGpmMigSampleGet, then nvmlGpmMetricsGet NVML_GPM_METRIC_GRAPHICS_UTIL over the two samples).
   * NO_DATA on the first call; NOT_SUPPORTED where the GPU has no GPM.
   */
  migActivity(parent: Handle, gpuInstanceId: number): Out<number>;
}

// nvml.h return codes.
export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_NOT_FOUND = 6;
export const NVML_ERROR_GPU_IS_LOST = 15;
export const NVML_ERROR_NO_DATA = 21;
const ERROR_NAMES: Record<number, string> = {
  1: 'uninitialized', 2: 'invalid_argument', 3: 'not_supported', 4: 'no_permission', 5: 'already_initialized', 6: 'not_found',
  7: 'insufficient_size', 8: 'insufficient_power', 9: 'driver_not_loaded', 10: 'timeout', 11: 'irq_issue', 12: 'library_not_found',
  13: 'function_not_found', 14: 'corrupted_inforom', 15: 'gpu_is_lost', 16: 'reset_required', 17: 'operating_system',
  18: 'lib_rm_version_mismatch', 19: 'in_use', 20: 'memory', 21: 'no_data', 22: 'vgpu_ecc_not_supported',
  23: 'insufficient_resources', 24: 'freq_not_supported', 25: 'argument_version_mismatch', 26: 'deprecated', 27: 'not_ready',
  28: 'gpu_not_found', 29: 'invalid_state', 30: 'reset_type_not_supported', 999: 'unknown',
};

/** The CollectError reason for an NVML return code: `nvml_gpu_is_lost`, `nvml_no_permission`… */
export function nvmlReason(rc: number): string {
  return `nvml_${ERROR_NAMES[rc] ?? 'unknown'}`;
}

/** Something worth a log line: `key` lets the collector say each thing once. */
export interface Note {
  key: string;
  level: 'info' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

export interface ReadResult {
  gpus: GpuReading[];
  notes: Note[];
}

/**
 * Read every GPU. A GPU whose identity cannot be read (or that fell off the bus) is left out with a
 * note, so one broken GPU does not hide the others; if no GPU can be read, throws CollectError.
 * NOT_SUPPORTED leaves that field absent (noted once per GPU and field).
 */
export async function readAllGpus(nvml: NvmlFunctions, signal?: AbortSignal): Promise<ReadResult> {
  const notes: Note[] = [];
  const fail = (rc: number, what: string): never => {
    throw new CollectError(nvmlReason(rc), `NVML ${what}: ${nvml.errorString(rc)} (${rc})`);
  };
  const count = nvml.deviceCount();
  if (count.rc !== NVML_SUCCESS) fail(count.rc, 'nvmlDeviceGetCount_v2');
  if (count.value === 0) throw new CollectError('nvml_gpu_not_found', 'NVML reports no GPUs');

  const devices: { index: number; h: Handle; uuid: string; name: string }[] = [];
  let firstError: { rc: number; what: string } | undefined;
  for (let index = 0; index < count.value!; index++) {
    const h = nvml.handleByIndex(index);
    const uuid: Out<string> = h.rc === NVML_SUCCESS ? nvml.uuid(h.value) : { rc: h.rc };
    const name: Out<string> = uuid.rc === NVML_SUCCESS ? nvml.name(h.value) : { rc: uuid.rc };
    const rc = name.rc;
    if (rc !== NVML_SUCCESS) {
      const what = h.rc !== NVML_SUCCESS ? 'nvmlDeviceGetHandleByIndex_v2' : uuid.rc !== NVML_SUCCESS ? 'nvmlDeviceGetUUID' : 'nvmlDeviceGetName';
      firstError ??= { rc, what: `${what} (GPU ${index})` };
      notes.push({ key: `gpu${index}:identity:${rc}`, level: 'warn', msg: 'NVML cannot identify a GPU; it is left out', fields: { gpu: String(index), call: what, error: nvml.errorString(rc), reason: nvmlReason(rc) } });
      continue;
    }
    devices.push({ index, h: h.value, uuid: uuid.value!, name: name.value! });
  }
  if (devices.length === 0) fail(firstError!.rc, firstError!.what);
  if (signal?.aborted) throw new CollectError('timeout', 'NVML read aborted');

  // The slow read first and concurrently, on koffi's worker threads; the µs reads run meanwhile.
  const energies = Promise.all(devices.map((d) => nvml.totalEnergyConsumption(d.h)));
  const gpus: GpuReading[] = [];
  const lost = new Set<number>();
  for (const d of devices) {
    const gpu = String(d.index);
    const opt = <T>(field: string, out: Out<T>): T | undefined => {
      if (out.rc === NVML_SUCCESS) return out.value;
      if (out.rc === NVML_ERROR_GPU_IS_LOST) lost.add(d.index);
      notes.push({
        key: `gpu${gpu}:${field}:${out.rc}`,
        level: out.rc === NVML_ERROR_NOT_SUPPORTED ? 'info' : 'warn',
        msg: out.rc === NVML_ERROR_NOT_SUPPORTED ? `GPU does not support ${field}; the series is left out` : `NVML could not read ${field}`,
        fields: { gpu, uuid: d.uuid, error: nvml.errorString(out.rc), reason: nvmlReason(out.rc) },
      });
      return undefined;
    };
    const util = opt('utilization', nvml.utilizationRates(d.h));
    const mem = opt('memory', nvml.memoryInfo(d.h));
    const mig = opt('mig_mode', nvml.migMode(d.h));
    const migEnabled = mig?.current === 1;
    gpus.push({
      gpu,
      uuid: d.uuid,
      name: d.name,
      powerMw: opt('power', nvml.powerUsage(d.h)),
      powerLimitMw: opt('power_limit', nvml.enforcedPowerLimit(d.h)),
      gpuUtilPct: util?.gpu,
      memUtilPct: util?.memory,
      memUsedBytes: mem?.used,
      memTotalBytes: mem?.total,
      tempC: opt('temperature', nvml.temperature(d.h)),
      smClockMhz: opt('sm_clock', nvml.clock(d.h, 'sm')),
      memClockMhz: opt('mem_clock', nvml.clock(d.h, 'mem')),
      clockEventReasons: opt('clock_event_reasons', nvml.clockEventReasons(d.h)),
      migEnabled: mig === undefined ? undefined : migEnabled,
      migInstances: migEnabled ? migInstances(nvml, d.h, d.name, gpu, notes) : [],
    });
  }
  const energy = await untilAborted(energies, signal);
  devices.forEach((d, i) => {
    const e = energy[i]!;
    if (e.rc === NVML_SUCCESS) gpus[i]!.energyMj = e.value;
    else {
      if (e.rc === NVML_ERROR_GPU_IS_LOST) lost.add(d.index);
      if (e.rc === NVML_ERROR_NOT_SUPPORTED) gpus[i]!.energyUnsupported = true;
      notes.push({
        key: `gpu${d.index}:energy:${e.rc}`,
        level: 'warn',
        msg: e.rc === NVML_ERROR_NOT_SUPPORTED
          ? 'GPU has no total-energy counter (pre-Volta?): no joule figures for it, power only'
          : 'NVML could not read the energy counter; no joule figures for this GPU this time',
        fields: { gpu: String(d.index), uuid: d.uuid, error: nvml.errorString(e.rc), reason: nvmlReason(e.rc) },
      });
    }
  });
  for (const i of lost) notes.push({ key: `gpu${i}:lost`, level: 'warn', msg: 'GPU has fallen off the bus; it is left out', fields: { gpu: String(i), reason: nvmlReason(NVML_ERROR_GPU_IS_LOST) } });
  const kept = gpus.filter((g) => !lost.has(Number(g.gpu)));
  if (kept.length === 0) fail(NVML_ERROR_GPU_IS_LOST, 'every GPU');
  return { gpus: kept, notes };
}

/** A hung energy read must not hold the collection past the exporter's deadline. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new CollectError('timeout', 'NVML energy counter read did not finish before the deadline'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** MIG GPU instances of one GPU. A MIG device is a compute instance; several may share a GPU instance. */
function migInstances(nvml: NvmlFunctions, parent: Handle, model: string, gpu: string, notes: Note[]): MigInstance[] {
  const max = nvml.maxMigDeviceCount(parent);
  if (max.rc !== NVML_SUCCESS) {
    notes.push({ key: `gpu${gpu}:mig_count:${max.rc}`, level: 'warn', msg: 'NVML could not count MIG devices', fields: { gpu, error: nvml.errorString(max.rc), reason: nvmlReason(max.rc) } });
    return [];
  }
  const byId = new Map<string, MigInstance>();
  for (let i = 0; i < max.value!; i++) {
    const dev = nvml.migDeviceHandleByIndex(parent, i);
    if (dev.rc === NVML_ERROR_NOT_FOUND) continue; // an empty index
    const id: Out<number> = dev.rc === NVML_SUCCESS ? nvml.gpuInstanceId(dev.value) : { rc: dev.rc };
    if (id.rc !== NVML_SUCCESS) {
      notes.push({ key: `gpu${gpu}:mig${i}:${id.rc}`, level: 'warn', msg: 'NVML could not read a MIG device; it is left out', fields: { gpu, migIndex: i, error: nvml.errorString(id.rc), reason: nvmlReason(id.rc) } });
      continue;
    }
    const gpuInstanceId = String(id.value);
    if (byId.has(gpuInstanceId)) continue;
    const info = nvml.gpuInstanceProfile(parent, id.value!);
    const profile = info.rc === NVML_SUCCESS ? profileName(info.value!.name) : undefined;
    if (info.rc === NVML_SUCCESS && profile !== undefined) {
      byId.set(gpuInstanceId, { gpuInstanceId, profile, computeSlices: info.value!.computeSlices, memorySlices: info.value!.memorySlices });
    } else {
      // Older drivers lack the by-id profile call: the MIG device's name carries the profile
      // ("NVIDIA A100-SXM4-40GB MIG 3g.20gb"), and mig.ts knows its slices on known GPU models.
      const name: Out<string> = nvml.name(dev.value);
      const fromName = name.rc === NVML_SUCCESS ? profileName(name.value!) : undefined;
      try {
        if (fromName === undefined) throw new Error(`no profile in MIG device name '${name.value ?? ''}'`);
        const size = parseProfile(fromName, model);
        byId.set(gpuInstanceId, { gpuInstanceId, profile: fromName, computeSlices: size.computeSlices, memorySlices: size.memorySlices });
      } catch (err) {
        notes.push({ key: `gpu${gpu}:gi${gpuInstanceId}:profile`, level: 'warn', msg: 'MIG instance profile unknown; the instance is left out', fields: { gpu, gpuInstanceId, error: (err as Error).message } });
        continue;
      }
    }
    const act = nvml.migActivity(parent, id.value!);
    if (act.rc === NVML_SUCCESS) byId.get(gpuInstanceId)!.activity = Math.min(1, Math.max(0, act.value! / 100));
    else if (act.rc !== NVML_ERROR_NO_DATA) {
      notes.push({ key: `gpu${gpu}:gpm:${act.rc}`, level: 'info', msg: 'no per-MIG-instance activity from NVML GPM on this GPU: its slices report 0 and the ledger shares active energy by slice size (dcgm-exporter\'s DCGM_FI_PROF_GR_ENGINE_ACTIVE gives an activity split)', fields: { gpu, error: nvml.errorString(act.rc), reason: nvmlReason(act.rc) } });
    }
  }
  return [...byId.values()].sort((a, b) => Number(a.gpuInstanceId) - Number(b.gpuInstanceId));
}

/** "MIG 3g.40gb" or "NVIDIA H100 80GB HBM3 MIG 1g.10gb+me" → "3g.40gb" / "1g.10gb+me". */
export function profileName(name: string): string | undefined {
  return /(?:^|\s)(\d+g\.\d+gb(?:\+[a-z]+)?)\b/i.exec(name)?.[1];
}

/** koffi or libnvidia-ml.so.1 cannot be loaded: the collector falls back to nvidia-smi. */
export class NvmlUnavailable extends Error {}

/** The real function table: koffi on libnvidia-ml.so.1 (koffi is an optional dependency). */
export async function loadKoffiNvml(library = 'libnvidia-ml.so.1'): Promise<NvmlFunctions> {
  let koffi: typeof import('koffi');
  try {
    const mod = await import('koffi');
    koffi = ((mod as unknown as { default?: typeof import('koffi') }).default ?? mod) as typeof import('koffi');
  } catch (err) {
    throw new NvmlUnavailable(`the koffi package is not installed (${(err as Error).message})`);
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(library);
  } catch (err) {
    throw new NvmlUnavailable(`cannot load ${library}: ${(err as Error).message}`);
  }
  // Anonymous types: koffi registers named types process-wide, and this may load more than once.
  const handle = koffi.pointer(koffi.opaque());
  const utilT = koffi.struct({ gpu: 'uint32', memory: 'uint32' });
  const memT = koffi.struct({ total: 'uint64', free: 'uint64', used: 'uint64' });
  // nvmlGpuInstanceInfo_t with its placement {start, size} flattened (same layout).
  const giInfoT = koffi.struct({ device: 'void *', id: 'uint32', profileId: 'uint32', placementStart: 'uint32', placementSize: 'uint32' });
  const profileT = koffi.struct({
    version: 'uint32', id: 'uint32', isP2pSupported: 'uint32', sliceCount: 'uint32', instanceCount: 'uint32', multiprocessorCount: 'uint32',
    copyEngineCount: 'uint32', decoderCount: 'uint32', encoderCount: 'uint32', jpegCount: 'uint32', ofaCount: 'uint32',
    memorySizeMB: 'uint64', name: koffi.array('char', 96, 'String'),
  });
  // NVML_STRUCT_VERSION(GpuInstanceProfileInfo, 2) = sizeof(struct) | 2 << 24.
  const profileVersion = (koffi.sizeof(profileT) | (2 << 24)) >>> 0;

  // Identity and the energy counter are required; any other symbol a driver lacks (nvmlDeviceGetTemperature
  // is deprecated in 13.0) reads as NVML_ERROR_FUNCTION_NOT_FOUND, which leaves that series out.
  type Fn = ((...args: unknown[]) => number) & { async?: (...args: unknown[]) => void };
  const fn = (name: string, args: unknown[], optional = false): Fn => {
    try {
      return lib.func(name, 'int', args as never) as unknown as Fn;
    } catch (err) {
      if (!optional) throw new NvmlUnavailable(`${library} lacks ${name}: ${(err as Error).message}`);
      return (() => 13) as Fn; // NVML_ERROR_FUNCTION_NOT_FOUND
    }
  };
  const outU32 = koffi.out(koffi.pointer('uint32'));
  const outU64 = koffi.out(koffi.pointer('uint64'));
  const outHandle = koffi.out(koffi.pointer(handle));
  const init = fn('nvmlInit_v2', []);
  const shutdown = fn('nvmlShutdown', []);
  const errorString = lib.func('nvmlErrorString', 'str', ['int']) as unknown as (rc: number) => string;
  const getCount = fn('nvmlDeviceGetCount_v2', [outU32]);
  const getHandle = fn('nvmlDeviceGetHandleByIndex_v2', ['uint32', outHandle]);
  const getName = fn('nvmlDeviceGetName', [handle, koffi.out(koffi.pointer('char')), 'uint32']);
  const getUuid = fn('nvmlDeviceGetUUID', [handle, koffi.out(koffi.pointer('char')), 'uint32']);
  const getMigMode = fn('nvmlDeviceGetMigMode', [handle, outU32, outU32], true);
  const getMaxMig = fn('nvmlDeviceGetMaxMigDeviceCount', [handle, outU32], true);
  const getMigHandle = fn('nvmlDeviceGetMigDeviceHandleByIndex', [handle, 'uint32', outHandle], true);
  const getGiId = fn('nvmlDeviceGetGpuInstanceId', [handle, outU32], true);
  const getGiById = fn('nvmlDeviceGetGpuInstanceById', [handle, 'uint32', koffi.out(koffi.pointer('void *'))], true);
  const getGiInfo = fn('nvmlGpuInstanceGetInfo', ['void *', koffi.out(koffi.pointer(giInfoT))], true);
  const getProfileById = fn('nvmlDeviceGetGpuInstanceProfileInfoByIdV', [handle, 'uint32', koffi.inout(koffi.pointer(profileT))], true);
  const getPower = fn('nvmlDeviceGetPowerUsage', [handle, outU32], true);
  const getLimit = fn('nvmlDeviceGetEnforcedPowerLimit', [handle, outU32], true);
  const getEnergy = fn('nvmlDeviceGetTotalEnergyConsumption', [handle, outU64]);
  const getUtil = fn('nvmlDeviceGetUtilizationRates', [handle, koffi.out(koffi.pointer(utilT))], true);
  const getMem = fn('nvmlDeviceGetMemoryInfo', [handle, koffi.out(koffi.pointer(memT))], true);
  const getTemp = fn('nvmlDeviceGetTemperature', [handle, 'int', outU32], true);
  const getClock = fn('nvmlDeviceGetClockInfo', [handle, 'int', outU32], true);
  // Renamed in driver 535 (ThrottleReasons → EventReasons); the old name is deprecated in 13.0.
  const eventReasons = fn('nvmlDeviceGetCurrentClocksEventReasons', [handle, outU64], true);
  const throttleReasons = fn('nvmlDeviceGetCurrentClocksThrottleReasons', [handle, outU64], true);

  // GPM (Hopper+): per-GPU-instance activity from two samples. nvmlGpmSample_t is a struct holding one
  // pointer, passed by value: the same as a pointer in the x86-64 and AArch64 C ABIs.
  const gpmSupportT = koffi.struct({ version: 'uint32', isSupportedDevice: 'uint32' });
  const gpmMetricT = koffi.struct({ metricId: 'uint32', nvmlReturn: 'int', value: 'double', shortName: 'void *', longName: 'void *', unit: 'void *' });
  const GPM_METRIC_MAX = 333; // nvml.h NVML_GPM_METRIC_MAX (driver 580); NVML reads and writes numMetrics entries only
  const gpmGetT = koffi.struct({ version: 'uint32', numMetrics: 'uint32', sample1: 'void *', sample2: 'void *', metrics: koffi.array(gpmMetricT, GPM_METRIC_MAX) });
  const gpmSupport = fn('nvmlGpmQueryDeviceSupport', [handle, koffi.inout(koffi.pointer(gpmSupportT))], true);
  const gpmAlloc = fn('nvmlGpmSampleAlloc', [koffi.out(koffi.pointer('void *'))], true);
  const gpmMigSample = fn('nvmlGpmMigSampleGet', [handle, 'uint32', 'void *'], true);
  const gpmMetrics = fn('nvmlGpmMetricsGet', [koffi.inout(koffi.pointer(gpmGetT))], true);
  const NVML_GPM_METRIC_GRAPHICS_UTIL = 1;
  const emptyMetrics = Array.from({ length: GPM_METRIC_MAX }, () => ({ metricId: 0, nvmlReturn: 0, value: 0, shortName: null, longName: null, unit: null }));
  const gpmSupported = new Map<bigint, number>();
  const energyInFlight = new Map<bigint, Promise<Out<number>>>();
  // Two samples per GPU instance, alternating: the previous collection's and this one's.
  const gpmState = new Map<string, { samples: unknown[]; current: number; primed: boolean }>();

  const one = <T>(call: (out: unknown[]) => number, map: (v: never) => T = (v) => v as T): Out<T> => {
    const out: unknown[] = [null];
    const rc = call(out);
    return rc === NVML_SUCCESS ? { rc, value: map(out[0] as never) } : { rc };
  };
  const text = (call: (buf: Buffer) => number): Out<string> => {
    const buf = Buffer.alloc(96); // NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE
    const rc = call(buf);
    return rc === NVML_SUCCESS ? { rc, value: buf.toString('utf8').replace(/\0.*$/s, '') } : { rc };
  };
  return {
    init: () => init(),
    shutdown: () => shutdown(),
    errorString: (rc) => errorString(rc),
    deviceCount: () => one((o) => getCount(o)),
    handleByIndex: (i) => one((o) => getHandle(i, o)),
    name: (h) => text((b) => getName(h, b, b.length)),
    uuid: (h) => text((b) => getUuid(h, b, b.length)),
    migMode: (h) => {
      const cur: unknown[] = [0];
      const pend: unknown[] = [0];
      const rc = getMigMode(h, cur, pend);
      return rc === NVML_SUCCESS ? { rc, value: { current: Number(cur[0]), pending: Number(pend[0]) } } : { rc };
    },
    maxMigDeviceCount: (h) => one((o) => getMaxMig(h, o), Number),
    migDeviceHandleByIndex: (h, i) => one((o) => getMigHandle(h, i, o)),
    gpuInstanceId: (h) => one((o) => getGiId(h, o), Number),
    gpuInstanceProfile: (parent, id) => {
      const gi = one((o) => getGiById(parent, id, o));
      if (gi.rc !== NVML_SUCCESS) return { rc: gi.rc };
      const info = one<{ profileId: number; placementSize: number }>((o) => getGiInfo(gi.value, o));
      if (info.rc !== NVML_SUCCESS) return { rc: info.rc };
      const p: unknown[] = [{ version: profileVersion }];
      const rc = getProfileById(parent, info.value!.profileId, p);
      if (rc !== NVML_SUCCESS) return { rc };
      const v = p[0] as { sliceCount: number; name: string };
      return { rc, value: { name: v.name, computeSlices: v.sliceCount, memorySlices: info.value!.placementSize } };
    },
    powerUsage: (h) => one((o) => getPower(h, o), Number),
    enforcedPowerLimit: (h) => one((o) => getLimit(h, o), Number),
    totalEnergyConsumption: (h) => {
      // One read per GPU in flight at most: if the driver stalls, collections that time out must not
      // pile reads onto koffi's queue (it throws once max_async_calls are queued); they share the pending one.
      const device = koffi.address(h);
      const pending = energyInFlight.get(device);
      if (pending) return pending;
      const read = new Promise<Out<number>>((resolve) => {
        const out: unknown[] = [0n];
        try {
          getEnergy.async!(h, out, (err: unknown, rc: number) => {
            if (err) resolve({ rc: 999 });
            else resolve(rc === NVML_SUCCESS ? { rc, value: Number(out[0]) } : { rc });
          });
        } catch {
          resolve({ rc: 999 }); // NVML_ERROR_UNKNOWN: koffi could not queue the call
        }
      }).finally(() => energyInFlight.delete(device));
      energyInFlight.set(device, read);
      return read;
    },
    utilizationRates: (h) => one((o) => getUtil(h, o), (v: { gpu: number; memory: number }) => ({ gpu: v.gpu, memory: v.memory })),
    memoryInfo: (h) => one((o) => getMem(h, o), (v: { total: number; free: number; used: number }) => ({ total: Number(v.total), free: Number(v.free), used: Number(v.used) })),
    temperature: (h) => one((o) => getTemp(h, 0, o), Number), // NVML_TEMPERATURE_GPU
    clock: (h, which) => one((o) => getClock(h, which === 'sm' ? 1 : 2, o), Number), // NVML_CLOCK_SM, NVML_CLOCK_MEM
    clockEventReasons: (h) => {
      const r = one((o) => eventReasons(h, o), (v: number | bigint) => BigInt(v));
      return r.rc === 13 ? one((o) => throttleReasons(h, o), (v: number | bigint) => BigInt(v)) : r;
    },
    migActivity: (parent, gpuInstanceId) => {
      const device = koffi.address(parent);
      let support = gpmSupported.get(device);
      if (support === undefined) {
        const q: unknown[] = [{ version: 1, isSupportedDevice: 0 }]; // NVML_GPM_SUPPORT_VERSION
        const rc = gpmSupport(parent, q);
        support = rc !== NVML_SUCCESS ? rc : (q[0] as { isSupportedDevice: number }).isSupportedDevice ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
        gpmSupported.set(device, support);
      }
      if (support !== NVML_SUCCESS) return { rc: support };
      const key = `${device}:${gpuInstanceId}`;
      let state = gpmState.get(key);
      if (!state) {
        const a: unknown[] = [null];
        const b: unknown[] = [null];
        const rc = gpmAlloc(a) || gpmAlloc(b);
        if (rc !== NVML_SUCCESS) return { rc };
        state = { samples: [a[0], b[0]], current: 0, primed: false };
        gpmState.set(key, state);
      }
      const current = state.samples[state.current];
      const previous = state.samples[1 - state.current];
      const rc = gpmMigSample(parent, gpuInstanceId, current);
      if (rc !== NVML_SUCCESS) {
        state.primed = false;
        return { rc };
      }
      state.current = 1 - state.current;
      if (!state.primed) {
        state.primed = true;
        return { rc: NVML_ERROR_NO_DATA };
      }
      const metrics = emptyMetrics.slice();
      metrics[0] = { ...metrics[0]!, metricId: NVML_GPM_METRIC_GRAPHICS_UTIL };
      const get: unknown[] = [{ version: 1, numMetrics: 1, sample1: previous, sample2: current, metrics }]; // NVML_GPM_METRICS_GET_VERSION
      const got = gpmMetrics(get);
      if (got !== NVML_SUCCESS) return { rc: got };
      const m = (get[0] as { metrics: { nvmlReturn: number; value: number }[] }).metrics[0]!;
      return m.nvmlReturn === NVML_SUCCESS ? { rc: 0, value: m.value } : { rc: m.nvmlReturn };
    },
  };
}
