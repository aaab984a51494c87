// The NVML trace CSV format (test/fixtures/nvidia-h100/trace.csv): what `tokenwatt record` writes,
// what `tokenwatt analyze` and NVML replay read. energy_mJ is the board's total-energy counter.

export const TRACE_COLUMNS = [
  'unix_s', 'power_mW', 'energy_mJ', 'gpu_util_pct', 'mem_util_pct', 'mem_used_bytes', 'sm_clock_mhz', 'temp_c',
] as const;

export interface TraceSample {
  unixS: number;
  powerMw: number;
  energyMj: number;
  gpuUtilPct: number;
  memUtilPct: number;
  memUsedBytes: number;
  smClockMhz: number;
  tempC: number;
}

export function traceHeader(): string {
  return TRACE_COLUMNS.join(',');
}

export function formatTraceRow(s: TraceSample): string {
  return [s.unixS.toFixed(3), s.powerMw, s.energyMj, s.gpuUtilPct, s.memUtilPct, s.memUsedBytes, s.smClockMhz, s.tempC].join(',');
}

/** Parse a trace CSV; throws naming the line of the first malformed row. */
export function parseTrace(text: string): TraceSample[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.split(',').map((h) => h.trim());
  if (!header || TRACE_COLUMNS.some((c, i) => header[i] !== c)) {
    throw new Error(`trace: expected header '${traceHeader()}'`);
  }
  return lines.map((line, i) => {
    const v = line.split(',').map(Number);
    if (v.length < TRACE_COLUMNS.length || v.some((x) => !Number.isFinite(x))) {
      throw new Error(`trace: line ${i + 2}: expected ${TRACE_COLUMNS.length} numbers, got '${line}'`);
    }
    const [unixS, powerMw, energyMj, gpuUtilPct, memUtilPct, memUsedBytes, smClockMhz, tempC] = v as [number, number, number, number, number, number, number, number];
    return { unixS, powerMw, energyMj, gpuUtilPct, memUtilPct, memUsedBytes, smClockMhz, tempC };
  });
}
