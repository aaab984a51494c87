// The real koffi binding end to end, without a GPU: test/fixtures/fake-nvml/fake-nvml.c implements the
// NVML entry points with nvml.h's signatures and struct layouts; built here with `cc`, it is loaded the
// way libnvidia-ml.so.1 would be. Checks what a fake function table cannot: out-parameters, 64-bit
// counters, char buffers, the versioned profile struct, GPM samples passed by value, optional symbols
// and koffi's async call.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNvmlCollector } from '../src/collectors/nvml.ts';
import { loadKoffiNvml } from '../src/collectors/nvml/binding.ts';
import { record } from '../src/commands/record.ts';
import { parseNumericCsv } from '../src/energy/csv.ts';
import { EnergyLedger } from '../src/energy/ledger.ts';

const source = new URL('./fixtures/fake-nvml/fake-nvml.c', import.meta.url).pathname;
let library = '';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-fake-nvml-'));
  library = join(dir, 'libnvidia-ml.so.1');
  // Needs a C compiler (Debian: build-essential); the message says so if there is none.
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O1', '-Wall', '-Werror', '-o', library, source], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`cannot build the fake NVML library with cc (install a C compiler): ${(err as Error).message}`);
  }
});

const collector = () => {
  const lines: string[] = [];
  const c = createNvmlCollector({ mode: 'auto', host: 'node1', log: (_l, msg) => void lines.push(msg), loadNvml: () => loadKoffiNvml(library) });
  return { c, lines };
};

describe('koffi binding on a C library with NVML\'s ABI', () => {
  it('reads both GPUs: 64-bit energy, structs, strings, MIG instances through the versioned profile struct, GPM activity', async () => {
    const { c } = collector();
    const r = await c.collect(new AbortController().signal);
    expect(r.boards).toEqual([
      // 5e9 mJ + one 1000 mJ step per read: past 2^32, so the uint64 survives the FFI.
      { host: 'node1', gpu: '0', uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', model: 'NVIDIA H100 80GB HBM3', energyJoules: 5_000_001, powerWatts: 71.806, powerLimitWatts: 700, activity: 0.87, slices: [] },
      {
        host: 'node1', gpu: '1', uuid: 'GPU-00000000-fake-4000-8000-000000000001', model: 'NVIDIA H100 80GB HBM3', energyJoules: 2346.327, powerWatts: 412.345, powerLimitWatts: 700,
        slices: [
          { gpuInstanceId: '2', profile: '3g.40gb', computeSlices: 3, memorySlices: 4, activity: 0, activityUnknown: true },
          { gpuInstanceId: '9', profile: '1g.10gb', computeSlices: 1, memorySlices: 1, activity: 0, activityUnknown: true },
        ],
      },
    ]);
    const v = (name: string, gpu: string, extra: Record<string, string> = {}) =>
      r.samples.find((s) => s.name === name && s.labels.gpu === gpu && Object.entries(extra).every(([k, x]) => s.labels[k] === x))?.value;
    expect(v('tokenwatt_gpu_memory_total_bytes', '0')).toBe(85520809984);
    expect(v('tokenwatt_gpu_memory_used_bytes', '0')).toBe(503316480);
    expect(v('tokenwatt_gpu_memory_utilization_ratio', '0')).toBe(0.41);
    expect(v('tokenwatt_gpu_temperature_celsius', '1')).toBe(33);
    expect(v('tokenwatt_gpu_sm_clock_hertz', '0')).toBe(1980e6);
    expect(v('tokenwatt_gpu_memory_clock_hertz', '0')).toBe(2619e6);
    expect(v('tokenwatt_gpu_power_limit_watts', '1')).toBe(700);
    expect(v('tokenwatt_gpu_utilization_ratio', '1')).toBeUndefined(); // NOT_SUPPORTED under MIG
    // Only the pre-535 throttle-reasons symbol exists: the binding falls back to it.
    expect(v('tokenwatt_gpu_clock_event_reason', '0', { reason: 'gpu_idle' })).toBe(1);
    expect(v('tokenwatt_gpu_clock_event_reason', '1', { reason: 'sw_power_cap' })).toBe(1);
    expect(v('tokenwatt_gpu_clock_event_reason', '1', { reason: 'gpu_idle' })).toBe(0);
    // The second reading moves the counters by one step each; the ledger takes the tick.
    const r2 = await c.collect(new AbortController().signal);
    expect(r2.boards!.map((b) => b.energyJoules)).toEqual([5_000_002, 2347.327]);
    // GPM needs two samples per instance: activity from the second collection on.
    expect(r2.boards![1]!.slices.map((x) => [x.gpuInstanceId, x.activity])).toEqual([['2', 0.425], ['9', 0.1]]);
    const ledger = new EnergyLedger();
    ledger.observe({ timestampS: 1, boards: r.boards!, engines: [] });
    ledger.observe({ timestampS: 2, boards: r2.boards!, engines: [] });
    expect(ledger.samples().filter((s) => s.name === 'tokenwatt_gpu_energy_joules_total').map((s) => s.value)).toEqual([1, 1]);
  });

  it('reads the energy counter asynchronously: the event loop turns while the 3 ms calls run', async () => {
    const { c } = collector();
    await c.collect(new AbortController().signal); // init outside the measurement
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    await c.collect(new AbortController().signal);
    done = true;
    // Synchronous FFI calls would finish the collection before the first setImmediate.
    expect(turns).toBeGreaterThan(0);
  });

  it('keeps one energy read per GPU in flight: a second request while one runs shares it', async () => {
    const nvml = await loadKoffiNvml(library);
    expect(nvml.init()).toBe(0);
    const h = nvml.handleByIndex(0).value;
    const [a, b] = await Promise.all([nvml.totalEnergyConsumption(h), nvml.totalEnergyConsumption(h)]);
    expect(a).toEqual(b); // one call into the library, not two (each call moves the fake counter)
    const c = await nvml.totalEnergyConsumption(h);
    expect(c.value! - a.value!).toBe(1000);
  });

  it('tokenwatt record writes the trace from it, one counter step per row', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-record-koffi-')), 'trace.csv');
    const errors: string[] = [];
    const code = await record({ out, intervalMs: 20, durationMs: 200, gpus: [0, 1] }, {
      loadNvml: () => loadKoffiNvml(library),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      stop: new AbortController().signal,
      err: (l) => void errors.push(l),
    });
    expect(code, errors.join('\n')).toBe(0);
    const text = readFileSync(out, 'utf8');
    const rows = parseNumericCsv(text, ['unix_s', 'gpu', 'energy_mJ', 'power_mW'], out);
    const gpu0 = rows.filter((r) => r.gpu === 0);
    expect(gpu0.length).toBeGreaterThanOrEqual(3);
    gpu0.forEach((r, i) => i > 0 && expect(r.energy_mJ - gpu0[i - 1]!.energy_mJ).toBe(1000));
    expect(Math.abs(gpu0[0]!.unix_s - Date.now() / 1000)).toBeLessThan(30);
    // GPU 1 is in MIG mode: its utilisation cells are empty.
    const lines = text.split('\n');
    expect(lines.find((l) => /^\d+\.\d{3},0,/.test(l))).toMatch(/^\d+\.\d{3},0,71806,\d+,87,41,503316480,1980,33$/);
    expect(lines.find((l) => /^\d+\.\d{3},1,/.test(l))).toMatch(/^\d+\.\d{3},1,412345,\d+,,,503316480,1980,33$/);
  });
});

describe('tokenwatt record as a process, the fake library found by the dynamic loader', () => {
  it('records until Ctrl-C (SIGINT), then closes the file and exits 0', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-record-cli-')), 'trace.csv');
    const root = new URL('..', import.meta.url).pathname;
    // dlopen("libnvidia-ml.so.1") searches LD_LIBRARY_PATH, where the fake was built under that name.
    const child = spawn(process.execPath, ['bin/tokenwatt.js', 'record', '--out', out, '--interval', '50ms'], {
      cwd: root,
      env: { ...process.env, LD_LIBRARY_PATH: dirname(library) },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait for rows to appear, then interrupt.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      let text = '';
      try {
        text = readFileSync(out, 'utf8');
      } catch {
        continue;
      }
      if (text.split('\n').length > 16) break; // header, 15 rows, trailing newline
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/tokenwatt record: wrote \d+ rows over [\d.]+ s to .*trace\.csv \(GPU 0 [\d.]+ J\)/);
    const rows = parseNumericCsv(readFileSync(out, 'utf8'), ['unix_s', 'energy_mJ', 'power_mW'], out);
    expect(rows.length).toBeGreaterThanOrEqual(15);
    // One abort listener per sample used to pile up (MaxListenersExceededWarning after 10).
    expect(stderr).not.toMatch(/MaxListeners|Warning/);
    rows.forEach((r, i) => i > 0 && expect(r.energy_mJ - rows[i - 1]!.energy_mJ).toBe(1000));
  });
});
