// `tokenwatt record`: sample the local GPU through NVML (koffi on libnvidia-ml.so.1) into the trace
// CSV that `tokenwatt analyze` and the exporter's NVML replay read (src/energy/trace.ts columns).
// NVML only: nvidia-smi has no energy counter, and a trace without one is no use for joules.
import { closeSync, openSync, writeSync } from 'node:fs';
import { loadKoffiNvml, NvmlUnavailable } from '../collectors/nvml/binding.ts';
import type { Handle, NvmlFunctions } from '../collectors/nvml/binding.ts';
import { TRACE_COLUMNS } from '../energy/trace.ts';
import { parseFlags, UsageError } from './command.ts';
import { parseDurationMs } from '../config/duration.ts';
import type { Command } from './command.ts';

const usage = `Usage: tokenwatt record --out TRACE.csv [--interval 100ms] [--duration 60s] [--gpu 0]

Samples the GPU through NVML (libnvidia-ml.so.1, the NVIDIA driver's library) and writes a trace CSV:
${TRACE_COLUMNS.join(',')}
energy_mJ is the board's total-energy counter as read (mJ since the driver loaded). With several GPUs
(--gpu 0,1) a gpu column follows unix_s. The exporter's NVML replay (replay:TRACE.csv) reads this format,
\`tokenwatt analyze --trace\` a one-GPU trace. A gauge the GPU does not support (utilisation under MIG) is
left empty. Stops after --duration, or on Ctrl-C, keeping every row written.

  --out FILE        file to write (replaced if it exists)
  --interval DUR    time between samples (default 100ms: the H100's energy counter and power update
                    about every 100 ms); 10ms or more. DUR: 250ms, 2s, 5m, 1h or plain seconds
  --duration DUR    stop after this long (default: until interrupted)
  --gpu LIST        NVML indexes, comma-separated (default 0)

Exit status: 0 done, 1 NVML unavailable or the GPU unreadable, 2 usage error.`;

/** What the recorder needs from the world (tests inject a fake NVML, clock and sleep). */
export interface RecordDeps {
  loadNvml: () => Promise<NvmlFunctions>;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted on SIGINT/SIGTERM. */
  stop: AbortSignal;
  err: (line: string) => void;
}

export interface RecordOptions {
  out: string;
  intervalMs: number;
  durationMs?: number;
  gpus: number[];
}

const command: Command = {
  usage,
  async run(args) {
    const options = parseRecordArgs(args);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      return await record(options, {
        loadNvml: () => loadKoffiNvml(),
        now: Date.now,
        sleep: (ms, signal) => new Promise((resolve) => {
          // The listener goes when the timer fires: one per sample would pile up over a long recording.
          const onAbort = () => {
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
        stop: stop.signal,
        err: (line) => console.error(line),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
export default command;

export function parseRecordArgs(args: string[]): RecordOptions {
  const { values, positionals } = parseFlags(args, { out: { type: 'string' }, interval: { type: 'string' }, duration: { type: 'string' }, gpu: { type: 'string' } }, false);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (values.out === undefined || values.out === '') throw new UsageError('--out is required');
  const intervalMs = values.interval === undefined ? 100 : durationMs(values.interval, '--interval');
  if (intervalMs < 10) throw new UsageError(`--interval must be 10ms or more (NVML's counters move every ~100 ms), not '${values.interval}'`);
  const gpuText = values.gpu ?? '0';
  const gpus = gpuText.split(',').map((g) => g.trim());
  if (gpus.some((g) => !/^\d+$/.test(g))) throw new UsageError(`--gpu must be NVML indexes like 0 or 0,1, not '${gpuText}'`);
  if (new Set(gpus).size !== gpus.length) throw new UsageError(`--gpu lists a GPU twice: '${gpuText}'`);
  return {
    out: values.out,
    intervalMs,
    ...(values.duration !== undefined ? { durationMs: durationMs(values.duration, '--duration') } : {}),
    gpus: gpus.map(Number),
  };
}

function durationMs(text: string, flag: string): number {
  const ms = parseDurationMs(text) ?? Number.NaN;
  if (!(ms > 0)) throw new UsageError(`${flag} must be a duration > 0 such as 250ms, 2s, 5m or 1h, not '${text}'`);
  return ms;
}

/** Record until the duration is over or `deps.stop` aborts. Returns the exit code. */
export async function record(options: RecordOptions, deps: RecordDeps): Promise<number> {
  let nvml: NvmlFunctions;
  try {
    nvml = await deps.loadNvml();
  } catch (err) {
    const why = err instanceof NvmlUnavailable ? err.message : String(err);
    deps.err(`tokenwatt record: NVML is not available on this machine (${why}). Recording needs an NVIDIA GPU and its driver's libnvidia-ml.so.1; nvidia-smi is no substitute, it has no energy counter.`);
    return 1;
  }
  const fail = (msg: string) => {
    deps.err(`tokenwatt record: ${msg}`);
    return 1;
  };
  const rc = nvml.init();
  if (rc !== 0) return fail(`nvmlInit_v2 failed: ${nvml.errorString(rc)} (${rc})`);
  try {
    const count = nvml.deviceCount();
    if (count.rc !== 0) return fail(`nvmlDeviceGetCount_v2 failed: ${nvml.errorString(count.rc)}`);
    const handles: Handle[] = [];
    for (const gpu of options.gpus) {
      if (gpu >= count.value!) return fail(`GPU ${gpu} not found: NVML sees ${count.value} GPU${count.value === 1 ? '' : 's'} (indexes 0-${count.value! - 1})`);
      const h = nvml.handleByIndex(gpu);
      if (h.rc !== 0) return fail(`GPU ${gpu}: nvmlDeviceGetHandleByIndex_v2 failed: ${nvml.errorString(h.rc)}`);
      const e = await nvml.totalEnergyConsumption(h.value);
      if (e.rc !== 0) return fail(`GPU ${gpu} has no readable total-energy counter (${nvml.errorString(e.rc)}); a trace without it has no joules`);
      handles.push(h.value);
    }
    return await sample(nvml, handles, options, deps);
  } finally {
    nvml.shutdown();
  }
}

async function sample(nvml: NvmlFunctions, handles: Handle[], options: RecordOptions, deps: RecordDeps): Promise<number> {
  const multi = options.gpus.length > 1;
  let fd: number;
  try {
    fd = openSync(options.out, 'w');
  } catch (err) {
    deps.err(`tokenwatt record: cannot write ${options.out}: ${(err as Error).message}`);
    return 1;
  }
  const header = multi ? [TRACE_COLUMNS[0], 'gpu', ...TRACE_COLUMNS.slice(1)] : [...TRACE_COLUMNS];
  writeSync(fd, `${header.join(',')}\n`);
  const start = deps.now();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const skipped = new Map<string, number>();
  let rows = 0;
  try {
    for (let k = 0; ; k++) {
      // Fixed slots from the start, so the interval does not drift by the read time.
      const slot = start + k * options.intervalMs;
      if (options.durationMs !== undefined && slot - start > options.durationMs) break;
      if (deps.stop.aborted) break;
      const wait = slot - deps.now();
      if (wait > 0) await deps.sleep(wait, deps.stop);
      else if (wait < -options.intervalMs) continue; // overran a whole slot: skip it rather than burst
      if (deps.stop.aborted) break;
      const t = deps.now();
      const energies = await Promise.all(handles.map((h) => nvml.totalEnergyConsumption(h)));
      const lines: string[] = [];
      handles.forEach((h, i) => {
        const gpu = options.gpus[i]!;
        const energy = energies[i]!;
        const power = nvml.powerUsage(h);
        if (energy.rc !== 0 || power.rc !== 0) {
          const why = nvml.errorString(energy.rc !== 0 ? energy.rc : power.rc);
          if (!skipped.has(why)) deps.err(`tokenwatt record: GPU ${gpu}: ${energy.rc !== 0 ? 'energy' : 'power'} read failed (${why}); leaving such samples out`);
          skipped.set(why, (skipped.get(why) ?? 0) + 1);
          return;
        }
        const util = nvml.utilizationRates(h);
        const mem = nvml.memoryInfo(h);
        const cell = (o: { rc: number; value?: number }) => (o.rc === 0 ? String(o.value) : '');
        const cells = [
          (t / 1000).toFixed(3),
          ...(multi ? [String(gpu)] : []),
          String(power.value), String(energy.value),
          util.rc === 0 ? String(util.value!.gpu) : '', util.rc === 0 ? String(util.value!.memory) : '',
          mem.rc === 0 ? String(mem.value!.used) : '',
          cell(nvml.clock(h, 'sm')), cell(nvml.temperature(h)),
        ];
        lines.push(cells.join(','));
        if (!first.has(gpu)) first.set(gpu, energy.value!);
        last.set(gpu, energy.value!);
      });
      if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
      rows += lines.length;
    }
  } finally {
    closeSync(fd);
  }
  const seconds = (deps.now() - start) / 1000;
  const joules = options.gpus.map((g) => `GPU ${g} ${(((last.get(g) ?? 0) - (first.get(g) ?? 0)) / 1000).toFixed(1)} J`).join(', ');
  deps.err(`tokenwatt record: wrote ${rows} rows over ${seconds.toFixed(1)} s to ${options.out} (${joules})`);
  return 0;
}
