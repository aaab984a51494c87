// The fallback when libnvidia-ml cannot be loaded through koffi: one `nvidia-smi --query-gpu` process
// per collection (~28 ms on an H100, domain notes §5). Its query has NO energy counter (see
// test/fixtures/nvidia-h100/help-query-gpu.txt), only power, so these readings never feed the ledger.
import { execFile } from 'node:child_process';
import { CollectError } from '../collector.ts';
import type { GpuReading } from './reading.ts';

/** Field names as `nvidia-smi --help-query-gpu` lists them (driver 580); order = CSV column order. */
export const SMI_FIELDS = [
  'index', 'uuid', 'name', 'power.draw', 'enforced.power.limit', 'utilization.gpu', 'utilization.memory', 'memory.used',
  'memory.total', 'temperature.gpu', 'clocks.sm', 'clocks.mem', 'mig.mode.current',
  // The pre-535 name; newer drivers accept it as an alias of clocks_event_reasons.active.
  'clocks_throttle_reasons.active',
] as const;

export const SMI_ARGS = [`--query-gpu=${SMI_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

/** `nvidia-smi` is not installed (or not on PATH). */
export class SmiMissing extends Error {}

/** Run nvidia-smi once and parse its CSV. */
export function readSmi(executable: string, signal?: AbortSignal, timeoutMs = 10_000): Promise<GpuReading[]> {
  return new Promise((resolve, reject) => {
    execFile(executable, SMI_ARGS, { timeout: timeoutMs, signal, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.code === 'ENOENT') return reject(new SmiMissing(`${executable} not found`));
        if (e.name === 'AbortError' || e.killed) return reject(new CollectError('timeout', `${executable} did not answer in time`));
        const said = (String(stderr).trim() || String(stdout).trim()).split('\n')[0] ?? '';
        return reject(new CollectError('nvidia_smi_exit', `${executable} exited with ${String(e.code)}: ${said}`));
      }
      try {
        resolve(parseSmiCsv(String(stdout)));
      } catch (parseErr) {
        reject(parseErr);
      }
    });
  });
}

/** Parse `--format=csv,noheader,nounits` output of SMI_ARGS. "[N/A]" / "[Not Supported]" → field absent. */
export function parseSmiCsv(text: string): GpuReading[] {
  const out: GpuReading[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    if (line.trim() === '') return;
    const cells = line.split(',').map((c) => c.trim());
    const bad = (why: string) => new CollectError('parse', `nvidia-smi output line ${n + 1}: ${why}: '${line}'`);
    if (cells.length !== SMI_FIELDS.length) throw bad(`expected ${SMI_FIELDS.length} fields, got ${cells.length}`);
    const cell = (f: (typeof SMI_FIELDS)[number]) => cells[SMI_FIELDS.indexOf(f)]!;
    const absent = (v: string) => v === '' || /^\[.*\]$/.test(v) || v === 'N/A';
    const num = (f: (typeof SMI_FIELDS)[number], scale = 1): number | undefined => {
      const v = cell(f);
      if (absent(v)) return undefined;
      const x = Number(v);
      if (!Number.isFinite(x)) throw bad(`${f} '${v}' is not a number`);
      // Whole mW / bytes, as NVML reports them (73.29 W → 73290 mW, not 73290.00000000001).
      return scale === 1 ? x : Math.round(x * scale);
    };
    const index = cell('index');
    if (!/^\d+$/.test(index)) throw bad(`index '${index}' is not a GPU index`);
    if (absent(cell('uuid')) || absent(cell('name'))) throw bad('no uuid or name');
    const mig = cell('mig.mode.current');
    const reasons = cell('clocks_throttle_reasons.active');
    if (!absent(reasons) && !/^0x[0-9a-f]+$/i.test(reasons)) throw bad(`clocks_throttle_reasons.active '${reasons}' is not a hex mask`);
    out.push({
      gpu: index,
      uuid: cell('uuid'),
      name: cell('name'),
      powerMw: num('power.draw', 1000),
      powerLimitMw: num('enforced.power.limit', 1000),
      gpuUtilPct: num('utilization.gpu'),
      memUtilPct: num('utilization.memory'),
      memUsedBytes: num('memory.used', 1024 * 1024),
      memTotalBytes: num('memory.total', 1024 * 1024),
      tempC: num('temperature.gpu'),
      smClockMhz: num('clocks.sm'),
      memClockMhz: num('clocks.mem'),
      clockEventReasons: absent(reasons) ? undefined : BigInt(reasons),
      energyUnsupported: true,
      migEnabled: mig === 'Enabled' ? true : mig === 'Disabled' ? false : undefined,
      // nvidia-smi --query-gpu does not list MIG instances; without energy there is no board to split anyway.
      migInstances: [],
    });
  });
  return out;
}
