// NVML replay: plays a recorded trace (the fixtures' CSV, as `tokenwatt record` writes it) as if a
// GPU were read now. Rows play relative to the collector's start (the first row is the start time);
// after the last row the trace loops, with the energy counter offset by the trace's total each time,
// so energy never goes backwards. An optional `gpu` column holds several GPUs in one file.
import { CsvError, parseNumericCsv } from '../../energy/csv.ts';
import { TRACE_COLUMNS } from '../../energy/trace.ts';
import type { GpuReading } from './reading.ts';

/** Identity a trace does not record (defaults: the H100 of test/fixtures/nvidia-h100, nvidia-smi-q.xml). */
export interface ReplayIdentity {
  name?: string;
  uuid?: string;
  powerLimitWatts?: number;
}

export const FIXTURE_GPU = { name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', powerLimitWatts: 700 } as const;

interface Row {
  offsetS: number;
  energyMj: number;
  powerMw: number;
  gpuUtilPct?: number;
  memUtilPct?: number;
  memUsedBytes?: number;
  smClockMhz?: number;
  tempC?: number;
}

interface GpuTrace {
  gpu: string;
  rows: Row[];
  /** Energy from the GPU's first to its last row (mJ): what each loop adds to the counter. */
  loopEnergyMj: number;
}

export interface Replay {
  /** Trace length in seconds (one loop). */
  readonly periodS: number;
  readonly gpus: readonly string[];
  /** The readings `elapsedS` seconds after the start. */
  at(elapsedS: number): GpuReading[];
}

const REQUIRED = ['unix_s', 'power_mW', 'energy_mJ'] as const;
// Gauges a GPU may not support (e.g. utilisation under MIG): `tokenwatt record` leaves their cells empty.
const OPTIONAL = TRACE_COLUMNS.filter((c) => !(REQUIRED as readonly string[]).includes(c));

/** Parse a trace strictly: errors name the file, line and column. */
export function parseReplay(text: string, file: string, identity: Record<string, ReplayIdentity> = {}): Replay {
  const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((h) => h.trim());
  const hasGpu = header.includes('gpu');
  const required = parseNumericCsv(text, hasGpu ? [...REQUIRED, 'gpu'] : REQUIRED, file) as Record<string, number>[];
  const optional = optionalColumns(text, header, file);
  const t0 = required[0]!.unix_s!;
  const periodS = required[required.length - 1]!.unix_s! - t0;
  if (!(periodS > 0)) throw new CsvError(`${file}: the trace spans 0 s (first and last unix_s are equal); it needs rows over time to replay`);

  const byGpu = new Map<string, Row[]>();
  required.forEach((r, i) => {
    const gpu = hasGpu ? String(r.gpu) : '0';
    const line = optional[i]!.line;
    if (hasGpu && !(Number.isInteger(r.gpu) && r.gpu! >= 0)) throw new CsvError(`${file}: line ${line}, column ${header.indexOf('gpu') + 1} (gpu): '${r.gpu}' is not a GPU index`);
    for (const c of ['power_mW', 'energy_mJ']) {
      if (r[c]! < 0) throw new CsvError(`${file}: line ${line}, column ${header.indexOf(c) + 1} (${c}): ${r[c]} is negative`);
    }
    const rows = byGpu.get(gpu) ?? [];
    const prev = rows[rows.length - 1];
    // A replay must be monotonic per GPU: looping adds the trace's total, which a reset would corrupt.
    if (prev && r.energy_mJ! < prev.energyMj) {
      throw new CsvError(`${file}: line ${line}, column ${header.indexOf('energy_mJ') + 1} (energy_mJ): GPU ${gpu}'s energy counter goes back from ${prev.energyMj} to ${r.energy_mJ}; cut the trace at the reset`);
    }
    rows.push({ offsetS: r.unix_s! - t0, energyMj: r.energy_mJ!, powerMw: r.power_mW!, ...optional[i]!.values });
    byGpu.set(gpu, rows);
  });

  const traces: GpuTrace[] = [...byGpu.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([gpu, rows]) => ({ gpu, rows, loopEnergyMj: rows[rows.length - 1]!.energyMj - rows[0]!.energyMj }));
  const ids = traces.map((t) => identityOf(t.gpu, identity[t.gpu]));

  return {
    periodS,
    gpus: traces.map((t) => t.gpu),
    at(elapsedS) {
      const e = Math.max(0, elapsedS);
      const loop = Math.floor(e / periodS);
      const within = e - loop * periodS;
      const out: GpuReading[] = [];
      traces.forEach((t, k) => {
        let row = lastRowAtOrBefore(t.rows, within);
        let rowLoop = loop;
        if (!row) {
          // Before this GPU's first row: nothing in the first loop, the previous loop's last row after.
          if (loop === 0) return;
          row = t.rows[t.rows.length - 1]!;
          rowLoop = loop - 1;
        }
        const id = ids[k]!;
        out.push({
          gpu: t.gpu,
          uuid: id.uuid,
          name: id.name,
          energyMj: row.energyMj + rowLoop * t.loopEnergyMj,
          powerMw: row.powerMw,
          powerLimitMw: id.powerLimitWatts * 1000,
          ...(row.gpuUtilPct !== undefined ? { gpuUtilPct: row.gpuUtilPct } : {}),
          ...(row.memUtilPct !== undefined ? { memUtilPct: row.memUtilPct } : {}),
          ...(row.memUsedBytes !== undefined ? { memUsedBytes: row.memUsedBytes } : {}),
          ...(row.smClockMhz !== undefined ? { smClockMhz: row.smClockMhz } : {}),
          ...(row.tempC !== undefined ? { tempC: row.tempC } : {}),
          migEnabled: false,
          migInstances: [],
        });
      });
      return out;
    },
  };
}

function identityOf(gpu: string, id: ReplayIdentity | undefined): Required<ReplayIdentity> {
  return {
    name: id?.name ?? FIXTURE_GPU.name,
    // Other GPUs of a multi-GPU trace get a plainly synthetic UUID so that they stay distinct.
    uuid: id?.uuid ?? (gpu === '0' ? FIXTURE_GPU.uuid : `GPU-00000000-0000-0000-0000-${gpu.padStart(12, '0')}`),
    powerLimitWatts: id?.powerLimitWatts ?? FIXTURE_GPU.powerLimitWatts,
  };
}

/** Binary search: the last row whose offset is <= t (a nanosecond of slack for float offsets). */
function lastRowAtOrBefore(rows: Row[], t: number): Row | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.offsetS <= t + 1e-9) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? undefined : rows[found];
}

const OPTIONAL_KEYS: Record<string, keyof Row> = {
  gpu_util_pct: 'gpuUtilPct', mem_util_pct: 'memUtilPct', mem_used_bytes: 'memUsedBytes', sm_clock_mhz: 'smClockMhz', temp_c: 'tempC',
};

/**
 * The optional gauge columns, per data row (same rows as parseNumericCsv, which has already checked
 * the column counts): an empty cell is "not supported", anything else must be a number.
 */
function optionalColumns(text: string, header: string[], file: string): { line: number; values: Partial<Row> }[] {
  const out: { line: number; values: Partial<Row> }[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 1; n < lines.length; n++) {
    if (lines[n]!.trim() === '') continue;
    const cells = lines[n]!.split(',');
    const values: Partial<Row> = {};
    for (const c of OPTIONAL) {
      const i = header.indexOf(c);
      if (i < 0) continue;
      const cell = cells[i]!.trim();
      if (cell === '') continue;
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new CsvError(`${file}: line ${n + 1}, column ${i + 1} (${c}): '${cell}' is not a number`);
      (values as Record<string, number>)[OPTIONAL_KEYS[c]!] = v;
    }
    out.push({ line: n + 1, values });
  }
  return out;
}
