// The NVML collector: board energy counters (for the ledger) and board gauges (for /metrics) of this
// machine's GPUs. Backends, in src/collectors/nvml/:
//   auto   koffi on libnvidia-ml.so.1 (binding.ts); when the library cannot be loaded, nvidia-smi
//          (smi.ts), which has power but NO energy counter: no BoardReading then, and it says so once
//          in the log and in tokenwatt_nvml_energy_counter_supported 0.
//   replay a recorded trace (replay.ts), played from the collector's start and looped.
import { readFileSync } from 'node:fs';
import { CollectError } from './collector.ts';
import type { Collector, CollectResult, NvmlOptions } from './collector.ts';
import type { Log } from '../log.ts';
import { loadKoffiNvml, nvmlReason, readAllGpus } from './nvml/binding.ts';
import type { NvmlFunctions } from './nvml/binding.ts';
import { toCollectResult } from './nvml/reading.ts';
import type { Backend } from './nvml/reading.ts';
import { parseReplay } from './nvml/replay.ts';
import { readSmi, SmiMissing } from './nvml/smi.ts';

/** The NVML setting as users write it: `auto`, or `replay:<file>` (a trace `tokenwatt record` wrote). */
export function parseNvmlMode(text: string): NvmlOptions['mode'] {
  if (text === 'auto') return 'auto';
  if (text.startsWith('replay:') && text.length > 'replay:'.length) return { replay: text.slice('replay:'.length) };
  throw new Error(`nvml must be 'auto' or 'replay:<trace.csv>', not '${text}'`);
}

/** Throws (a CsvError naming file, line and column) if a replay trace cannot be read. */
export function createNvmlCollector(options: NvmlOptions): Collector {
  const now = options.now ?? Date.now;
  const once = logOnce(options.log);
  if (typeof options.mode === 'object') {
    const file = options.mode.replay;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`NVML replay: cannot read ${file}: ${(err as Error).message}`);
    }
    const replay = parseReplay(text, file, options.replayGpus);
    const start = now();
    options.log('info', 'NVML replay: playing a recorded trace in a loop', { file, gpus: replay.gpus, periodSeconds: replay.periodS });
    return {
      kind: 'nvml',
      name: 'nvml/replay',
      async collect() {
        return toCollectResult('replay', options.host, replay.at((now() - start) / 1000));
      },
    };
  }

  let nvml: NvmlFunctions | undefined;
  let initialised = false;
  let fallback = false;
  const smi = options.nvidiaSmi ?? 'nvidia-smi';
  const down = (backend: Backend, err: CollectError): CollectError => {
    err.samples = [{ name: 'tokenwatt_nvml_up', labels: { backend }, value: 0 }];
    return err;
  };

  async function collect(signal: AbortSignal): Promise<CollectResult> {
    if (!nvml && !fallback) {
      try {
        nvml = await (options.loadNvml ?? loadKoffiNvml)();
      } catch (err) {
        // NvmlUnavailable (no koffi, no library, a missing symbol) or anything else a loader throws.
        fallback = true;
        options.log('warn', 'NVML library not available; falling back to nvidia-smi, which reports power only: no energy counter, so no joule figures for these GPUs', {
          error: (err as Error).message,
          nvidiaSmi: smi,
        });
      }
    }
    if (fallback) return collectSmi(signal);
    if (!initialised) {
      const rc = nvml!.init();
      if (rc !== 0) {
        once(`init:${rc}`, 'error', 'nvmlInit_v2 failed; retrying on every collection', { error: nvml!.errorString(rc), reason: nvmlReason(rc) });
        throw down('nvml', new CollectError(nvmlReason(rc), `nvmlInit_v2: ${nvml!.errorString(rc)} (${rc})`));
      }
      initialised = true;
      options.log('info', 'NVML initialised', {});
    }
    try {
      const { gpus, notes } = await readAllGpus(nvml!, signal);
      for (const n of notes) once(n.key, n.level, n.msg, n.fields);
      return toCollectResult('nvml', options.host, gpus);
    } catch (err) {
      if (err instanceof CollectError) throw down('nvml', err);
      throw err;
    }
  }

  async function collectSmi(signal: AbortSignal): Promise<CollectResult> {
    try {
      const gpus = await readSmi(smi, signal);
      once('smi-no-energy', 'warn', 'nvidia-smi fallback: power only, no energy counter; tokenwatt_nvml_energy_counter_supported is 0 and no GPU energy, cost or CO2 figures come from these GPUs', {
        gpus: gpus.map((g) => g.gpu),
      });
      return toCollectResult('nvidia-smi', options.host, gpus);
    } catch (err) {
      if (err instanceof SmiMissing) {
        once('smi-missing', 'error', 'neither libnvidia-ml.so.1 nor nvidia-smi is available: no GPU readings', { nvidiaSmi: smi });
        throw down('nvidia-smi', new CollectError('no_nvml', `no NVML library and ${err.message}`));
      }
      if (err instanceof CollectError) throw down('nvidia-smi', err);
      throw err;
    }
  }

  return { kind: 'nvml', name: 'nvml', collect };
}

/** A log that says each keyed thing once (a collector runs every second or so; logs should not). */
function logOnce(log: Log): (key: string, ...args: Parameters<Log>) => void {
  const said = new Set<string>();
  return (key, level, msg, fields) => {
    if (said.has(key)) return;
    said.add(key);
    log(level, msg, fields);
  };
}
