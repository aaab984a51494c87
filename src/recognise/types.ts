// What tokenwatt recognises in each upstream's exposition. Pure data: the recognisers
// (src/recognise/<kind>.ts) build these from parsed families, `tokenwatt inspect` prints them as JSON,
// and the collectors (src/collectors/) turn them into tokenwatt series and energy-ledger ticks.
import type { MetricFamily } from '../exposition/types.ts';

/** One MIG instance as dcgm-exporter reports it (GPU_I_ID / GPU_I_PROFILE). */
export interface MigInstance {
  gpuInstanceId: string;
  profile: string;
  computeSlices: number;
  memorySlices: number;
  /** DCGM_FI_PROF_GR_ENGINE_ACTIVE of this instance, 0–1 of its own capacity; absent if not exported. */
  grEngineActive?: number;
  /** Kubernetes pod using this instance (dcgm-exporter's pod mapping), if any. */
  pod?: { namespace: string; pod: string; container?: string };
}

/** One physical GPU, counted once however many MIG instances repeat its board series. */
export interface DcgmGpu {
  host: string;
  gpu: string;
  uuid: string;
  model: string;
  /** Board energy counter in joules (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION / 1000), absent if unsupported. */
  energyJoules?: number;
  powerWatts?: number;
  /** Whole-GPU GR-engine activity 0–1 (non-MIG GPUs). */
  grEngineActive?: number;
  /** Kubernetes pod on the whole GPU (non-MIG), if mapped. */
  pod?: { namespace: string; pod: string; container?: string };
  migInstances: MigInstance[];
  /** Whole-GPU slice counts (7/8, or 4/4 on an A30) when the GPU has MIG instances and its model is known. */
  migGeometry?: { computeSlices: number; memorySlices: number };
}

export interface DcgmView {
  gpus: DcgmGpu[];
}

/** One serving engine (vLLM or SGLang) as found in its /metrics. */
export interface EngineView {
  model: string;
  engine: string;
  /** vLLM naming generation: v1 names, or only pre-rename (v0-era) names. SGLang reports "v1". */
  generation: 'v0' | 'v1';
  promptTokens: number;
  generationTokens: number;
  /** KV-cache usage 0–1, absent if not exported. */
  kvCacheUsage?: number;
  running?: number;
  waiting?: number;
  loraAdapters?: string[];
  /** Token counters the scrape does not serve (reported as 0 above), e.g. a docs excerpt or a filtered scrape. */
  missing?: ('promptTokens' | 'generationTokens')[];
}

export interface ServingView {
  engines: EngineView[];
  /**
   * GPUs the server reports its own energy counter for, named by UUID only (Triton's
   * nv_energy_consumption): the exporter's lowest-priority energy source (after NVML and dcgm-exporter).
   */
  gpus?: UuidGpuView[];
}

/** One GPU as a serving engine reports it: by UUID, with a cumulative energy counter (J). */
export interface UuidGpuView {
  uuid: string;
  energyJoules: number;
  powerWatts?: number;
  powerLimitWatts?: number;
  /** 0–1. */
  utilization?: number;
}

export interface KeplerView {
  generation: 'legacy' | 'rewrite';
  /** Per node: joules by zone (package, core, uncore, dram, psys/platform, gpu …); zones overlap, never sum them. */
  nodes: { node: string; joulesByZone: Record<string, number> }[];
  /** Per pod: total joules (rewrite: running + terminated summed; legacy: container series summed per pod). */
  pods: {
    namespace: string;
    pod: string;
    joules: number;
    /** Rewrite: the zone `joules` was read from (package, else psys, else the first zone served). */
    zone?: string;
    /** The pod's joules per zone (overlapping: never sum them); `gpu` where Kepler serves pod GPU energy. */
    joulesByZone?: Record<string, number>;
  }[];
}

export type Recogniser<V> = (families: MetricFamily[]) => V;
