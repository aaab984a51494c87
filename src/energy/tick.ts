// The contract between collectors and the energy ledger (src/energy/ledger.ts): what one collection
// tick hands over. Energy readings are CUMULATIVE counters as read (they may reset on driver
// reload); the ledger takes the differences, so energy never comes from power × time.

/** One physical GPU's board reading at one instant. */
export interface BoardReading {
  host: string;
  gpu: string;
  uuid: string;
  /** GPU model name as the driver reports it, e.g. "NVIDIA A100-SXM4-40GB" (prices are keyed by it). */
  model: string;
  /** Cumulative board energy counter in joules (NVML mJ / 1000 or DCGM mJ / 1000). */
  energyJoules: number;
  /** Instantaneous/averaged board power (W), used only to learn idle power, never to integrate energy. */
  powerWatts?: number;
  /** Enforced power limit (W), when the source reports it: bounds a plausible energy increase (methodology §9). */
  powerLimitWatts?: number;
  /** Set by the exporter on the first reading after it switched this GPU to another energy source (marked `source_switch`). */
  sourceSwitched?: true;
  /** Whole-GPU activity 0–1 when not in MIG mode. */
  activity?: number;
  /** MIG instances present on this GPU now (empty: whole GPU). */
  slices: SliceReading[];
}

export interface SliceReading {
  gpuInstanceId: string;
  profile: string;
  computeSlices: number;
  memorySlices: number;
  /** GR-engine activity 0–1 of the instance's own capacity. */
  activity: number;
  /**
   * Set by a source that cannot measure per-instance activity (NVML without GPM: pre-Hopper GPUs), whose
   * `activity` is then 0. The exporter takes the activity from dcgm-exporter's report of the same instance.
   */
  activityUnknown?: true;
}

/** One serving engine's cumulative token counters and where it runs. */
export interface EngineReading {
  model_name: string;
  engine: string;
  namespace: string;
  pod: string;
  host: string;
  gpu: string;
  /** MIG instance the engine runs on; absent for a whole GPU (engines on one GPU share it by tokens). */
  gpuInstanceId?: string;
  /**
   * One engine on several GPUs (tensor parallelism): its readings share this key and each carries the
   * engine's WHOLE counters; the ledger reads them once and apportions each increase equally among the
   * GPUs it runs on now, so a placement change neither mints nor loses tokens. Absent: the reading is an
   * engine of its own.
   */
  counterKey?: string;
  generationTokens: number;
  promptTokens: number;
}

export interface Tick {
  /** Unix seconds of the readings. */
  timestampS: number;
  boards: BoardReading[];
  engines: EngineReading[];
  /** Grid carbon intensity (gCO2e/kWh) now, when fed from outside (e.g. a Prometheus query); else the configured constant. */
  gridIntensityGramsPerKwh?: number;
}

/** One output series value, named from the catalog. */
export interface LedgerSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
