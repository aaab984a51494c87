// `tokenwatt record`: the writer through a fake NVML (rows parse back strictly, energy monotonic, the
// file replays through the NVML collector), its errors, and the real CLI on this machine.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { createNvmlCollector } from '../src/collectors/nvml.ts';
import { NvmlUnavailable } from '../src/collectors/nvml/binding.ts';
import { parseRecordArgs, record } from '../src/commands/record.ts';
import type { RecordDeps } from '../src/commands/record.ts';
import { parseNumericCsv } from '../src/energy/csv.ts';
import { TRACE_COLUMNS } from '../src/energy/trace.ts';
import { fakeNvml, H100 } from './support/fake-nvml.ts';
import type { FakeNvml } from './support/fake-nvml.ts';

const root = new URL('..', import.meta.url).pathname;

/** A counter that moves `stepMj` on every read, like the real one under a steady load. */
function counter(startMj: number, stepMj: number) {
  let e = startMj - stepMj;
  return () => (e += stepMj);
}

function deps(fake: FakeNvml | (() => Promise<never>), stopAfterMs?: number) {
  const clock = { ms: 1_795_379_418_328 };
  const err: string[] = [];
  const stop = new AbortController();
  const start = clock.ms;
  const d: RecordDeps = {
    loadNvml: typeof fake === 'function' ? fake : async () => fake,
    now: () => clock.ms,
    // The fake clock jumps to the slot; each read also "takes" 3 ms, as the energy read does on an H100.
    sleep: async (ms) => {
      clock.ms += ms;
      if (stopAfterMs !== undefined && clock.ms - start >= stopAfterMs) stop.abort();
    },
    stop: stop.signal,
    err: (line) => void err.push(line),
  };
  if (typeof fake !== 'function') {
    const read = fake.totalEnergyConsumption;
    fake.energyDelayMs = 0;
    fake.totalEnergyConsumption = async (h) => {
      clock.ms += 3;
      return read(h);
    };
  }
  return { d, err, clock };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'tw-record-'));

describe('tokenwatt record (fake NVML)', () => {
  it('writes the trace format: fixed 100 ms slots, values as NVML read them, energy monotonic, parsed back strictly', async () => {
    const out = join(tmp(), 'trace.csv');
    const fake = fakeNvml([{ ...H100, energyMj: counter(6_569_239, 14_281) }]);
    const { d, err } = deps(fake);
    expect(await record({ out, intervalMs: 100, durationMs: 2000, gpus: [0] }, d)).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('unix_s,power_mW,energy_mJ,gpu_util_pct,mem_util_pct,mem_used_bytes,sm_clock_mhz,temp_c');
    const rows = parseNumericCsv(text, TRACE_COLUMNS, 'trace.csv');
    expect(rows).toHaveLength(21); // 0, 100 ms … 2000 ms
    // The first counter read (3 ms) was the check that the GPU has one; rows start after it.
    expect(rows[0]).toEqual({ unix_s: 1795379418.331, power_mW: 71806, energy_mJ: 6_569_239 + 14_281, gpu_util_pct: 0, mem_util_pct: 0, mem_used_bytes: 503316480, sm_clock_mhz: 885, temp_c: 33 });
    rows.forEach((r, i) => {
      expect(r.unix_s).toBeCloseTo(1795379418.331 + i * 0.1, 3);
      if (i > 0) expect(r.energy_mJ - rows[i - 1]!.energy_mJ).toBe(14_281);
    });
    expect(err.at(-1)).toMatch(/wrote 21 rows over 2\.\d s to .*trace\.csv \(GPU 0 285\.6 J\)/); // 20 × 14.281 J
  });

  it('leaves unsupported gauges empty (MIG: no utilisation); the file replays through the NVML collector with the same joules', async () => {
    const out = join(tmp(), 'mig.csv');
    const fake = fakeNvml([{ ...H100, energyMj: counter(1_000_000, 25_000), rc: { util: 3 } }]);
    const { d } = deps(fake);
    expect(await record({ out, intervalMs: 250, durationMs: 1000, gpus: [0] }, d)).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[1]).toMatch(/^\d+\.\d{3},71806,1025000,,,503316480,885,33$/);
    // What `tokenwatt analyze` reads parses strictly.
    expect(parseNumericCsv(lines.join('\n'), ['unix_s', 'energy_mJ', 'power_mW'], 'mig.csv')).toHaveLength(5);

    const clock = { ms: 0 };
    const c = createNvmlCollector({ mode: { replay: out }, host: 'h', log: () => {}, now: () => clock.ms });
    const at = async (s: number) => {
      clock.ms = s * 1000;
      return c.collect(new AbortController().signal);
    };
    const first = (await at(0)).boards![0]!.energyJoules;
    const r = await at(1);
    expect(r.boards![0]!.energyJoules - first).toBeCloseTo(100, 9); // 4 × 25 J
    expect(r.samples.find((s) => s.name === 'tokenwatt_gpu_utilization_ratio')).toBeUndefined();
  });

  it('records several GPUs with a gpu column, which replay splits back per GPU', async () => {
    const out = join(tmp(), 'two.csv');
    const fake = fakeNvml([{ ...H100, energyMj: counter(100, 1_000) }, { ...H100, uuid: 'GPU-1', energyMj: counter(5_000, 2_000) }]);
    const { d } = deps(fake);
    expect(await record({ out, intervalMs: 100, durationMs: 500, gpus: [0, 1] }, d)).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('unix_s,gpu,power_mW,energy_mJ,gpu_util_pct,mem_util_pct,mem_used_bytes,sm_clock_mhz,temp_c');
    const rows = parseNumericCsv(text, ['unix_s', 'gpu', 'energy_mJ'], 'two.csv');
    expect(rows.filter((r) => r.gpu === 1).map((r) => r.energy_mJ)).toEqual([7_000, 9_000, 11_000, 13_000, 15_000, 17_000]);
    const clock = { ms: 0 };
    const c = createNvmlCollector({ mode: { replay: out }, host: 'h', log: () => {}, now: () => clock.ms });
    clock.ms = 500;
    expect((await c.collect(new AbortController().signal)).boards!.map((b) => [b.gpu, b.energyJoules])).toEqual([['0', 6.1], ['1', 17]]);
  });

  it('stops on the stop signal (Ctrl-C) and keeps what it wrote', async () => {
    const out = join(tmp(), 'stopped.csv');
    const { d, err } = deps(fakeNvml([{ ...H100, energyMj: counter(0, 10) }]), 450);
    expect(await record({ out, intervalMs: 100, gpus: [0] }, d)).toBe(0);
    expect(parseNumericCsv(readFileSync(out, 'utf8'), TRACE_COLUMNS, 'stopped.csv')).toHaveLength(5);
    expect(err.at(-1)).toMatch(/wrote 5 rows/);
  });

  it('exits 1 with a clear message when NVML, the GPU or its energy counter is missing, and writes no file', async () => {
    const dir = tmp();
    const out = join(dir, 'x.csv');
    const cases: [FakeNvml | (() => Promise<never>), number[], RegExp][] = [
      [() => Promise.reject(new NvmlUnavailable('cannot load libnvidia-ml.so.1: not found')), [0], /NVML is not available on this machine \(cannot load libnvidia-ml\.so\.1: not found\)/],
      [fakeNvml([{ ...H100, energyMj: 1 }]), [1], /GPU 1 not found: NVML sees 1 GPU \(indexes 0-0\)/],
      [fakeNvml([{ ...H100, energyMj: 1, rc: { energy: 3 } }]), [0], /GPU 0 has no readable total-energy counter \(Not Supported\)/],
      [Object.assign(fakeNvml([{ ...H100, energyMj: 1 }]), { initRc: 9 }), [0], /nvmlInit_v2 failed: Driver Not Loaded \(9\)/],
    ];
    for (const [fake, gpus, message] of cases) {
      const { d, err } = deps(fake);
      expect(await record({ out, intervalMs: 100, durationMs: 1000, gpus }, d)).toBe(1);
      expect(err.join('\n')).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    const { d, err } = deps(fakeNvml([{ ...H100, energyMj: 1 }]));
    expect(await record({ out: join(dir, 'no-such-dir', 'x.csv'), intervalMs: 100, durationMs: 1000, gpus: [0] }, d)).toBe(1);
    expect(err.join('\n')).toMatch(/cannot write .*no-such-dir\/x\.csv: ENOENT/);
  });
});

describe('tokenwatt record command line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses durations and GPU lists', () => {
    expect(parseRecordArgs(['--out', 'a.csv'])).toEqual({ out: 'a.csv', intervalMs: 100, gpus: [0] });
    expect(parseRecordArgs(['--out', 'a.csv', '--interval', '250ms', '--duration', '5m', '--gpu', '0,3'])).toEqual({ out: 'a.csv', intervalMs: 250, durationMs: 300_000, gpus: [0, 3] });
    expect(parseRecordArgs(['--out', 'a.csv', '--interval', '1.5', '--duration', '2h']).intervalMs).toBe(1500);
  });

  it('usage errors exit 2 naming the flag; --help exits 0', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((m: string) => void logs.push(m));
    const bad: [string[], RegExp][] = [
      [[], /--out is required/],
      [['--out', 'a.csv', '--interval', '5ms'], /--interval must be 10ms or more/],
      [['--out', 'a.csv', '--interval', 'fast'], /--interval must be a duration > 0 .* not 'fast'/],
      [['--out', 'a.csv', '--duration', '0s'], /--duration must be a duration > 0/],
      [['--out', 'a.csv', '--gpu', 'first'], /--gpu must be NVML indexes like 0 or 0,1, not 'first'/],
      [['--out', 'a.csv', '--gpu', '0,0'], /--gpu lists a GPU twice/],
      [['--out', 'a.csv', 'extra'], /Unexpected argument 'extra'/],
      [['--out', 'a.csv', '--nope'], /Unknown option '--nope'/],
    ];
    for (const [args, message] of bad) {
      errors.length = 0;
      expect(await main(['record', ...args]), args.join(' ')).toBe(2);
      expect(errors.join('\n')).toMatch(message);
      expect(errors.join('\n')).toMatch(/Usage: tokenwatt record --out TRACE\.csv/);
    }
    expect(await main(['record', '--help'])).toBe(0);
    expect(logs.join('\n')).toMatch(/unix_s,power_mW,energy_mJ,gpu_util_pct/);
  });

  it('node bin/tokenwatt.js record on this machine: exits 1 saying NVML is missing, or records when a GPU is there', async () => {
    const dir = tmp();
    const out = join(dir, 'x.csv');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bin/tokenwatt.js', 'record', '--out', out, '--duration', '1s'], { cwd: root, timeout: 60_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stderr });
      });
    });
    const koffi = (await import('koffi')).default;
    let hasNvml = true;
    try {
      koffi.load('libnvidia-ml.so.1');
    } catch {
      hasNvml = false;
    }
    if (!hasNvml) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/tokenwatt record: NVML is not available on this machine \(cannot load libnvidia-ml\.so\.1: .+\)\. Recording needs an NVIDIA GPU/);
      expect(existsSync(out)).toBe(false);
    } else {
      // A GPU machine: one second at 100 ms, the counter never going backwards.
      expect(run.code, run.stderr).toBe(0);
      const rows = parseNumericCsv(readFileSync(out, 'utf8'), ['unix_s', 'energy_mJ', 'power_mW'], out);
      expect(rows.length).toBeGreaterThanOrEqual(8);
      rows.forEach((r, i) => i > 0 && expect(r.energy_mJ).toBeGreaterThanOrEqual(rows[i - 1]!.energy_mJ));
    }
  });
});
