// A fake NVML function table (src/collectors/nvml/binding.ts NvmlFunctions) for tests without a GPU.
// Each GPU lists its values; `rc` overrides a call's return code (3 NOT_SUPPORTED, 15 GPU_IS_LOST…).
import type { Handle, NvmlFunctions, Out } from '../../src/collectors/nvml/binding.ts';

export type FakeCall =
  | 'handle' | 'name' | 'uuid' | 'migMode' | 'maxMig' | 'power' | 'limit' | 'energy' | 'util' | 'memory' | 'temperature'
  | 'smClock' | 'memClock' | 'reasons' | 'giProfile';

export interface FakeMigDevice {
  gpuInstanceId: number;
  /** nvmlDeviceGetName of the MIG device, e.g. "NVIDIA H100 80GB HBM3 MIG 3g.40gb". */
  name: string;
  /** What the composite profile call returns (name as in the profile info, "MIG 3g.40gb"). */
  profile: { name: string; computeSlices: number; memorySlices: number };
  /** GPM GR-engine activity %; absent: NOT_SUPPORTED. The first call for an instance returns NO_DATA. */
  activityPct?: number;
}

export interface FakeGpu {
  name: string;
  uuid: string;
  /** mJ; a function is called on every read (a counter that moves). */
  energyMj: number | (() => number);
  powerMw: number;
  limitMw: number;
  util: { gpu: number; memory: number };
  memory: { total: number; free: number; used: number };
  tempC: number;
  smMhz: number;
  memMhz: number;
  reasons: bigint;
  mig?: { current: number; pending: number };
  /** Indexes of nvmlDeviceGetMigDeviceHandleByIndex; holes return NOT_FOUND. */
  migDevices?: (FakeMigDevice | undefined)[];
  rc?: Partial<Record<FakeCall, number>>;
}

export const H100: Omit<FakeGpu, 'energyMj'> = {
  // nvml-node.json / nvml-bench.json of the real H100.
  name: 'NVIDIA H100 80GB HBM3',
  uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710',
  powerMw: 71806,
  limitMw: 700000,
  util: { gpu: 0, memory: 0 },
  memory: { total: 85520809984, free: 85017493504, used: 503316480 },
  tempC: 33,
  smMhz: 885,
  memMhz: 2619,
  reasons: 0x1n,
};

export interface FakeNvml extends NvmlFunctions {
  gpus: FakeGpu[];
  initRc: number;
  /** Energy reads in flight now and at most (the collector should read all GPUs concurrently). */
  energyInFlight: number;
  maxEnergyInFlight: number;
  energyDelayMs: number;
}

type H = { gpu: number; mig?: number };

export function fakeNvml(gpus: FakeGpu[], countRc = 0): FakeNvml {
  const rc = (h: H, call: FakeCall) => gpus[h.gpu]!.rc?.[call] ?? 0;
  const val = <T>(h: Handle, call: FakeCall, v: (g: FakeGpu) => T): Out<T> => {
    const x = h as H;
    const code = rc(x, call);
    return code === 0 ? { rc: 0, value: v(gpus[x.gpu]!) } : { rc: code };
  };
  const primed = new Set<string>();
  const f: FakeNvml = {
    gpus,
    initRc: 0,
    energyInFlight: 0,
    maxEnergyInFlight: 0,
    energyDelayMs: 5,
    init: () => f.initRc,
    shutdown: () => 0,
    errorString: (code) => ({ 0: 'Success', 3: 'Not Supported', 6: 'Not Found', 9: 'Driver Not Loaded', 13: 'Function Not Found', 15: 'GPU is lost' } as Record<number, string>)[code] ?? `Error ${code}`,
    deviceCount: () => (countRc === 0 ? { rc: 0, value: gpus.length } : { rc: countRc }),
    handleByIndex: (i) => (rc({ gpu: i }, 'handle') === 0 ? { rc: 0, value: { gpu: i } } : { rc: rc({ gpu: i }, 'handle') }),
    name: (h) => {
      const x = h as H;
      if (x.mig !== undefined) return { rc: 0, value: gpus[x.gpu]!.migDevices![x.mig]!.name };
      return val(h, 'name', (g) => g.name);
    },
    uuid: (h) => val(h, 'uuid', (g) => g.uuid),
    migMode: (h) => val(h, 'migMode', (g) => g.mig ?? { current: 0, pending: 0 }),
    maxMigDeviceCount: (h) => val(h, 'maxMig', (g) => (g.mig?.current === 1 ? 7 : 0)),
    migDeviceHandleByIndex: (h, i) => {
      const x = h as H;
      const d = gpus[x.gpu]!.migDevices?.[i];
      return d ? { rc: 0, value: { gpu: x.gpu, mig: i } } : { rc: 6 };
    },
    gpuInstanceId: (h) => {
      const x = h as H;
      return { rc: 0, value: gpus[x.gpu]!.migDevices![x.mig!]!.gpuInstanceId };
    },
    gpuInstanceProfile: (parent, id) => {
      const x = parent as H;
      const code = rc(x, 'giProfile');
      if (code !== 0) return { rc: code };
      const d = gpus[x.gpu]!.migDevices!.find((m) => m?.gpuInstanceId === id);
      return d ? { rc: 0, value: d.profile } : { rc: 6 };
    },
    powerUsage: (h) => val(h, 'power', (g) => g.powerMw),
    enforcedPowerLimit: (h) => val(h, 'limit', (g) => g.limitMw),
    totalEnergyConsumption: async (h) => {
      f.energyInFlight++;
      f.maxEnergyInFlight = Math.max(f.maxEnergyInFlight, f.energyInFlight);
      await new Promise((r) => setTimeout(r, f.energyDelayMs));
      f.energyInFlight--;
      return val(h, 'energy', (g) => (typeof g.energyMj === 'function' ? g.energyMj() : g.energyMj));
    },
    utilizationRates: (h) => val(h, 'util', (g) => g.util),
    memoryInfo: (h) => val(h, 'memory', (g) => g.memory),
    temperature: (h) => val(h, 'temperature', (g) => g.tempC),
    clock: (h, which) => val(h, which === 'sm' ? 'smClock' : 'memClock', (g) => (which === 'sm' ? g.smMhz : g.memMhz)),
    clockEventReasons: (h) => val(h, 'reasons', (g) => g.reasons),
    migActivity: (parent, id) => {
      const x = parent as H;
      const d = gpus[x.gpu]!.migDevices!.find((m) => m?.gpuInstanceId === id);
      if (d?.activityPct === undefined) return { rc: 3 };
      const key = `${x.gpu}:${id}`;
      if (!primed.has(key)) {
        primed.add(key);
        return { rc: 21 };
      }
      return { rc: 0, value: d.activityPct };
    },
  };
  return f;
}
