// One interface for every collector (node_exporter style): one file per kind in src/collectors/.
// The exporter runs each on its own interval, isolated from the others, and publishes per-collector
// up / duration / errors-by-reason series itself, so a collector only reports what it saw.
import type { LedgerSample, BoardReading, EngineReading } from '../energy/tick.ts';
import type { TargetKindId } from '../kinds/index.ts';
import type { Log } from '../log.ts';

/** The exporter's target kinds (src/kinds/index.ts) and the local NVML collector. */
export type CollectorKind = TargetKindId | 'nvml';

export interface CollectResult {
  /** Series this collector exposes directly (catalog names). */
  samples: LedgerSample[];
  /** Board readings for the energy ledger (dcgm, nvml). */
  boards?: BoardReading[];
  /**
   * Board readings from a source that names GPUs by UUID only (Triton's nv_energy_consumption): the
   * lowest-priority energy source. `gpu` is the index the target's `gpus` map gives the UUID, or ''
   * when it lists none; the exporter places each on the GPU another source reports under the same
   * UUID, else on that index, else reports it unmatched (tokenwatt_gpu_unmatched) and counts nothing.
   */
  boardsByUuid?: BoardReading[];
  /** Engine token counters for the energy ledger (vllm, sglang). */
  engines?: EngineReading[];
  /** Samples read from the upstream in this run (tokenwatt_collector_series); default: samples.length. */
  series?: number;
}

export interface Collector {
  readonly kind: CollectorKind;
  /** Unique, stable name used in the `collector` label, e.g. "vllm/gpu0-llama". */
  readonly name: string;
  /** Throws CollectError (with a reason such as timeout, http_5xx, parse, too_large) on failure. */
  collect(signal: AbortSignal): Promise<CollectResult>;
}

export class CollectError extends Error {
  /** Series to publish although the run failed (e.g. tokenwatt_nvml_up 0, so its alert can fire). */
  samples?: LedgerSample[];
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The log is src/log.ts's; named here too because every collector takes one. */
export type { Log, LogLevel } from '../log.ts';

/**
 * NVML collector options (src/collectors/nvml.ts exports `createNvmlCollector(options): Collector`).
 * `auto`: koffi on libnvidia-ml.so.1, falling back to nvidia-smi CSV (power only) when the library is
 * absent; `replay`: plays a trace in the fixtures' CSV format (test/fixtures/nvidia-h100/trace.csv).
 */
export interface NvmlOptions {
  mode: 'auto' | { replay: string };
  /** Host label of the GPUs this machine's NVML reports (the exporter's `host` setting). */
  host: string;
  log: Log;
  /** Wall clock in ms (default Date.now); replay plays rows by the time elapsed since the collector was made. */
  now?: () => number;
  /** Replay only: identity per GPU index that a trace does not record (defaults: the H100 fixture's). */
  replayGpus?: Record<string, { name?: string; uuid?: string; powerLimitWatts?: number }>;
  /** nvidia-smi executable for the power-only fallback (default `nvidia-smi` on PATH). */
  nvidiaSmi?: string;
  /** Loads the NVML function table (default: koffi on libnvidia-ml.so.1); tests inject a fake. */
  loadNvml?: () => Promise<import('./nvml/binding.ts').NvmlFunctions>;
}
