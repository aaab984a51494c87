// The NVML collector's backends: replay of the real H100 trace, the koffi binding's mapping through a
// fake function table, and the nvidia-smi fallback through a fake `nvidia-smi` on PATH.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenwattMetrics } from '../src/catalog/tokenwatt.ts';
import { CollectError } from '../src/collectors/collector.ts';
import type { CollectResult, LogLevel, NvmlOptions } from '../src/collectors/collector.ts';
import { createNvmlCollector, parseNvmlMode } from '../src/collectors/nvml.ts';
import { loadKoffiNvml, NvmlUnavailable } from '../src/collectors/nvml/binding.ts';
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { LedgerSample } from '../src/energy/tick.ts';
import { fakeNvml, H100 } from './support/fake-nvml.ts';
import type { FakeNvml } from './support/fake-nvml.ts';

const tracePath = new URL('./fixtures/nvidia-h100/trace.csv', import.meta.url).pathname;
// The trace read here by hand (not through the code under test): time, power and energy columns.
const traceRows = readFileSync(tracePath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const T0 = traceRows[0]![0]!;
const PERIOD = traceRows[traceRows.length - 1]![0]! - T0;
const E_FIRST = traceRows[0]![2]!;
const E_LOOP = traceRows[traceRows.length - 1]![2]! - E_FIRST;

function logs() {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields }) };
}

/** A collector whose clock the test sets (ms). */
function clocked(options: Omit<NvmlOptions, 'now' | 'log' | 'host'> & Partial<NvmlOptions>) {
  const clock = { ms: 1_000_000 };
  const { log, lines } = logs();
  const c = createNvmlCollector({ host: 'h100', log, now: () => clock.ms, ...options });
  return { c, clock, lines, at: async (elapsedS: number) => { clock.ms = 1_000_000 + elapsedS * 1000; return c.collect(new AbortController().signal); } };
}

function sample(r: CollectResult, name: string, labels: Record<string, string> = {}): LedgerSample | undefined {
  return r.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

describe('NVML replay of the real H100 trace', () => {
  it('plays rows by elapsed time: each collection reads the row in effect, energy exactly the trace counter', async () => {
    const { c, at } = clocked({ mode: { replay: tracePath } });
    expect(c.kind).toBe('nvml');
    // Every 97th row, at its own offset and halfway to the next row (the earlier row is still in effect).
    for (let i = 0; i < traceRows.length - 1; i += 97) {
      const [t, powerMw, energyMj] = traceRows[i]!;
      for (const dt of [0, (traceRows[i + 1]![0]! - t!) / 2]) {
        const r = await at(t! - T0 + dt);
        expect(r.boards).toHaveLength(1);
        const b = r.boards![0]!;
        expect(Math.round(b.energyJoules * 1000)).toBe(energyMj);
        expect(b.powerWatts).toBe(powerMw! / 1000);
        expect(sample(r, 'tokenwatt_gpu_power_watts')!.value).toBe(powerMw! / 1000);
      }
    }
  });

  it('energy between collections reconciles with the trace energy_mJ differences / 1000, and the ledger counts the same joules', async () => {
    const { at } = clocked({ mode: { replay: tracePath } });
    const ledger = new EnergyLedger();
    let sum = 0;
    let prev: number | undefined;
    // One collection per second of the trace, as an exporter would.
    for (let s = 0; s <= Math.floor(PERIOD); s++) {
      const r = await at(s);
      const e = r.boards![0]!.energyJoules;
      if (prev !== undefined) sum += e - prev;
      prev = e;
      ledger.observe({ timestampS: T0 + s, boards: r.boards!, engines: [] });
    }
    // The row in effect at second floor(PERIOD), by hand.
    const last = traceRows.filter((row) => row[0]! - T0 <= Math.floor(PERIOD)).pop()!;
    const expectJ = (last[2]! - E_FIRST) / 1000;
    expect(sum).toBeCloseTo(expectJ, 6);
    const counted = ledger.samples().find((x) => x.name === 'tokenwatt_gpu_energy_joules_total')!;
    expect(counted.value).toBeCloseTo(expectJ, 6);
    expect(counted.labels).toMatchObject({ host: 'h100', gpu: '0', gpu_uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', gpu_model: 'NVIDIA H100 80GB HBM3' });
  });

  it('loops after the last row with the counter offset by the trace total: energy never goes backwards', async () => {
    const { at } = clocked({ mode: { replay: tracePath } });
    // Same row one and two loops later: + one and two trace totals.
    const mid = traceRows[3000]!;
    for (const loop of [1, 2]) {
      const r = await at(loop * PERIOD + (mid[0]! - T0));
      expect(Math.round(r.boards![0]!.energyJoules * 1000)).toBe(mid[2]! + loop * E_LOOP);
    }
    let prev = -Infinity;
    for (let s = 0; s < 2.5 * PERIOD; s += 0.37) {
      const e = (await at(s)).boards![0]!.energyJoules;
      expect(e).toBeGreaterThanOrEqual(prev);
      prev = e;
    }
    // Right at the wrap the counter continues from the end of the loop before.
    expect(Math.round((await at(PERIOD)).boards![0]!.energyJoules * 1000)).toBe(E_FIRST + E_LOOP);
  });

  it('exposes the catalog series for the replayed GPU, identity from the H100 fixture by default', async () => {
    const { at, c } = clocked({ mode: { replay: tracePath } });
    expect(c.name).toBe('nvml/replay');
    const r = await at(0);
    const gpu = { host: 'h100', gpu: '0', gpu_uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', gpu_model: 'NVIDIA H100 80GB HBM3' };
    expect(sample(r, 'tokenwatt_nvml_up')).toEqual({ name: 'tokenwatt_nvml_up', labels: { backend: 'replay' }, value: 1 });
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported')).toEqual({ name: 'tokenwatt_nvml_energy_counter_supported', labels: gpu, value: 1 });
    expect(sample(r, 'tokenwatt_gpu_power_limit_watts')!.value).toBe(700);
    expect(sample(r, 'tokenwatt_gpu_info')!.labels).toEqual({ ...gpu, mig_mode: 'disabled', energy_source: 'nvml' });
    // First row: 71522 mW, 0 % util, 506724352 B used, 345 MHz, 32 °C.
    expect(sample(r, 'tokenwatt_gpu_utilization_ratio')!.value).toBe(0);
    expect(sample(r, 'tokenwatt_gpu_memory_used_bytes')!.value).toBe(506724352);
    expect(sample(r, 'tokenwatt_gpu_sm_clock_hertz')!.value).toBe(345e6);
    expect(sample(r, 'tokenwatt_gpu_temperature_celsius')!.value).toBe(32);
    expect(r.boards![0]).toMatchObject({ activity: 0, slices: [] });
  });

  it('plays a multi-GPU trace (gpu column), identity from options, empty gauge cells as absent series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-replay-'));
    const file = join(dir, 'two.csv');
    writeFileSync(file, [
      'unix_s,gpu,power_mW,energy_mJ,gpu_util_pct,mem_util_pct,mem_used_bytes,sm_clock_mhz,temp_c',
      '100.0,0,70000,1000,0,0,100,345,30',
      '100.5,1,300000,5000,,,200,1980,60',
      '101.0,0,80000,1070,10,1,100,1980,31',
      '102.0,1,310000,5600,,,200,1980,61',
      '',
    ].join('\n'));
    const { at } = clocked({ mode: { replay: file }, replayGpus: { 1: { name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-a100', powerLimitWatts: 400 } } });
    const r0 = await at(0);
    expect(r0.boards!.map((b) => b.gpu)).toEqual(['0']); // GPU 1's first row is 0.5 s in
    const r1 = await at(1.5);
    expect(r1.boards!.map((b) => [b.gpu, b.uuid, b.model, b.energyJoules])).toEqual([
      ['0', 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', 'NVIDIA H100 80GB HBM3', 1.07],
      ['1', 'GPU-a100', 'NVIDIA A100-SXM4-40GB', 5],
    ]);
    expect(sample(r1, 'tokenwatt_gpu_power_limit_watts', { gpu: '1' })!.value).toBe(400);
    expect(sample(r1, 'tokenwatt_gpu_utilization_ratio', { gpu: '1' })).toBeUndefined();
    expect(sample(r1, 'tokenwatt_gpu_utilization_ratio', { gpu: '0' })!.value).toBe(0.1);
    // Second loop (period 2 s): each GPU offset by its own total (70 and 600 mJ).
    const r2 = await at(3.0);
    expect(r2.boards!.map((b) => Math.round(b.energyJoules * 1000))).toEqual([1070 + 70, 5000 + 600]);
    // Early in the second loop, before GPU 1's first row, GPU 1 holds its last reading instead of vanishing.
    const r3 = await at(2.2);
    expect(r3.boards!.map((b) => [b.gpu, Math.round(b.energyJoules * 1000)])).toEqual([['0', 1000 + 70], ['1', 5600]]);
  });

  it('refuses a bad trace at creation, naming file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-replay-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const make = (file: string) => () => createNvmlCollector({ mode: { replay: file }, host: 'h', log: () => {} });
    const header = 'unix_s,power_mW,energy_mJ,gpu_util_pct,mem_util_pct,mem_used_bytes,sm_clock_mhz,temp_c';
    expect(make(write('a.csv', `${header}\n1,70000,10,0,0,1,345,30\n2,7000x,20,0,0,1,345,30\n`))).toThrow(/a\.csv: line 3, column 2 \(power_mW\): '7000x' is not a number/);
    expect(make(write('b.csv', `${header}\n1,70000,10,0,0,1,345,30\n2,70000,9,0,0,1,345,30\n`))).toThrow(/b\.csv: line 3, column 3 \(energy_mJ\): GPU 0's energy counter goes back from 10 to 9/);
    expect(make(write('c.csv', `${header}\n1,70000,10,0,0,1,345,30\n2,70000,11,zero,0,1,345,30\n`))).toThrow(/c\.csv: line 3, column 4 \(gpu_util_pct\): 'zero' is not a number/);
    expect(make(write('d.csv', 'unix_s,power_mW\n1,2\n3,4\n'))).toThrow(/d\.csv: line 1: header lacks column 'energy_mJ'/);
    expect(make(write('e.csv', `${header}\n1,70000,10,0,0,1,345,30\n1,70000,11,0,0,1,345,30\n`))).toThrow(/spans 0 s/);
    expect(make(join(dir, 'missing.csv'))).toThrow(/cannot read .*missing\.csv/);
  });
});

function withFake(fake: FakeNvml) {
  const { log, lines } = logs();
  const c = createNvmlCollector({ mode: 'auto', host: 'node1', log, loadNvml: async () => fake });
  return { c, lines, collect: () => c.collect(new AbortController().signal) };
}

async function collectError(p: Promise<unknown>): Promise<CollectError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CollectError);
    return err as CollectError;
  }
  throw new Error('expected the collection to fail');
}

describe('NVML through the binding (fake function table)', () => {
  it('maps two whole GPUs to boards (mJ → J, util → activity) and catalog series', async () => {
    const fake = fakeNvml([
      { ...H100, energyMj: 2345327 },
      { ...H100, uuid: 'GPU-second', energyMj: 9_000_001, powerMw: 412_345, util: { gpu: 87, memory: 41 }, reasons: 0x4n | 0x40n },
    ]);
    const { collect, c } = withFake(fake);
    expect(c.name).toBe('nvml');
    const r = await collect();
    expect(r.boards).toEqual([
      { host: 'node1', gpu: '0', uuid: H100.uuid, model: H100.name, energyJoules: 2345.327, powerWatts: 71.806, powerLimitWatts: 700, activity: 0, slices: [] },
      { host: 'node1', gpu: '1', uuid: 'GPU-second', model: H100.name, energyJoules: 9000.001, powerWatts: 412.345, powerLimitWatts: 700, activity: 0.87, slices: [] },
    ]);
    const g1 = { gpu: '1' };
    expect(sample(r, 'tokenwatt_nvml_up')).toEqual({ name: 'tokenwatt_nvml_up', labels: { backend: 'nvml' }, value: 1 });
    expect(sample(r, 'tokenwatt_gpu_power_watts', g1)!.labels).toEqual({ host: 'node1', gpu: '1', gpu_uuid: 'GPU-second', gpu_model: H100.name });
    expect(sample(r, 'tokenwatt_gpu_power_watts', g1)!.value).toBe(412.345);
    expect(sample(r, 'tokenwatt_gpu_power_limit_watts', g1)!.value).toBe(700);
    expect(sample(r, 'tokenwatt_gpu_utilization_ratio', g1)!.value).toBe(0.87);
    expect(sample(r, 'tokenwatt_gpu_memory_utilization_ratio', g1)!.value).toBe(0.41);
    expect(sample(r, 'tokenwatt_gpu_memory_total_bytes', g1)!.value).toBe(85520809984);
    expect(sample(r, 'tokenwatt_gpu_memory_used_bytes', g1)!.value).toBe(503316480);
    expect(sample(r, 'tokenwatt_gpu_temperature_celsius', g1)!.value).toBe(33);
    expect(sample(r, 'tokenwatt_gpu_sm_clock_hertz', g1)!.value).toBe(885e6);
    expect(sample(r, 'tokenwatt_gpu_memory_clock_hertz', g1)!.value).toBe(2619e6);
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported', g1)!.value).toBe(1);
    // 0x4 | 0x40: software power cap and hardware thermal slowdown; GPU 0 is idle (0x1).
    const reasons = (gpu: string) => Object.fromEntries(r.samples.filter((s) => s.name === 'tokenwatt_gpu_clock_event_reason' && s.labels.gpu === gpu).map((s) => [s.labels.reason, s.value]));
    expect(reasons('1')).toEqual({ gpu_idle: 0, applications_clocks_setting: 0, sw_power_cap: 1, hw_slowdown: 0, sync_boost: 0, sw_thermal_slowdown: 0, hw_thermal_slowdown: 1, hw_power_brake_slowdown: 0, display_clock_setting: 0 });
    expect(reasons('0').gpu_idle).toBe(1);
  });

  it('reads the energy counter of every GPU concurrently (async), not one after another', async () => {
    const fake = fakeNvml(Array.from({ length: 8 }, (_, i) => ({ ...H100, uuid: `GPU-${i}`, energyMj: 1000 * i })));
    await withFake(fake).collect();
    expect(fake.maxEnergyInFlight).toBe(8);
  });

  it('lists MIG GPU instances once each (compute instances share one), profile from NVML or the device name, GPM activity', async () => {
    const mig = (gpuInstanceId: number, profile: string, g: number, m: number, activityPct?: number) =>
      ({ gpuInstanceId, name: `${H100.name} MIG ${profile}`, profile: { name: `MIG ${profile}`, computeSlices: g, memorySlices: m }, activityPct });
    const devices = [mig(2, '3g.40gb', 3, 4, 60), mig(2, '3g.40gb', 3, 4, 60), undefined, mig(9, '1g.10gb+me', 1, 1, 120), mig(5, '2g.20gb', 2, 2, 5)];
    const fake = fakeNvml([
      { ...H100, energyMj: 5000, mig: { current: 1, pending: 1 }, migDevices: devices, rc: { util: 3 } },
      // A driver without nvmlDeviceGetGpuInstanceProfileInfoByIdV: slices come from the MIG device's name.
      { ...H100, uuid: 'GPU-old-driver', energyMj: 6000, mig: { current: 1, pending: 1 }, migDevices: [mig(1, '2g.20gb', 0, 0)], rc: { util: 3, giProfile: 13 } },
    ]);
    const { collect, lines } = withFake(fake);
    const r = await collect();
    expect(r.boards![0]).toEqual({
      host: 'node1', gpu: '0', uuid: H100.uuid, model: H100.name, energyJoules: 5, powerWatts: 71.806, powerLimitWatts: 700,
      slices: [
        { gpuInstanceId: '2', profile: '3g.40gb', computeSlices: 3, memorySlices: 4, activity: 0, activityUnknown: true },
        { gpuInstanceId: '5', profile: '2g.20gb', computeSlices: 2, memorySlices: 2, activity: 0, activityUnknown: true },
        { gpuInstanceId: '9', profile: '1g.10gb+me', computeSlices: 1, memorySlices: 1, activity: 0, activityUnknown: true },
      ],
    });
    expect(r.boards![1]!.slices).toEqual([{ gpuInstanceId: '1', profile: '2g.20gb', computeSlices: 2, memorySlices: 2, activity: 0, activityUnknown: true }]);
    // Utilisation is NOT_SUPPORTED under MIG: no series and no board activity, said once per GPU at info level.
    expect(sample(r, 'tokenwatt_gpu_utilization_ratio')).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_info', { gpu: '0' })!.labels.mig_mode).toBe('enabled');
    expect(lines.filter((l) => /does not support utilization/.test(l.msg))).toHaveLength(2);
    // GPM activity from the second collection on (clamped to 1); the old driver's GPU has none, said once.
    const again = await collect();
    expect(again.boards![0]!.slices.map((x) => [x.gpuInstanceId, x.activity])).toEqual([['2', 0.6], ['5', 0.05], ['9', 1]]);
    expect(again.boards![1]!.slices[0]!.activity).toBe(0);
    expect(lines.filter((l) => /no per-MIG-instance activity/.test(l.msg)).map((l) => l.fields?.gpu)).toEqual(['1']);
    // The ledger accepts the ticks (slice geometry within the H100's 7 × 8).
    const ledger = new EnergyLedger();
    ledger.observe({ timestampS: 1, boards: r.boards!, engines: [] });
    ledger.observe({ timestampS: 2, boards: again.boards!, engines: [] });
  });

  it('NOT_SUPPORTED energy counter: no board for the ledger, energy_counter_supported 0, said once', async () => {
    const fake = fakeNvml([{ ...H100, energyMj: 0, rc: { energy: 3, temperature: 3 } }]);
    const { collect, lines } = withFake(fake);
    const r = await collect();
    await collect();
    expect(r.boards).toEqual([]);
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported')!.value).toBe(0);
    expect(sample(r, 'tokenwatt_gpu_info')!.labels.energy_source).toBe('none');
    expect(sample(r, 'tokenwatt_gpu_power_watts')!.value).toBe(71.806);
    expect(sample(r, 'tokenwatt_gpu_temperature_celsius')).toBeUndefined();
    expect(lines.filter((l) => /no total-energy counter/.test(l.msg))).toHaveLength(1);
  });

  it('a failed energy read (not NOT_SUPPORTED) drops the board this time without claiming the GPU has no counter', async () => {
    const fake = fakeNvml([{ ...H100, energyMj: 1000, rc: { energy: 999 } }]);
    const { collect, lines } = withFake(fake);
    const r = await collect();
    expect(r.boards).toEqual([]);
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported')).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_info')!.labels.energy_source).toBe('nvml');
    expect(lines.some((l) => l.level === 'warn' && /could not read the energy counter/.test(l.msg))).toBe(true);
    delete fake.gpus[0]!.rc;
    expect((await collect()).boards).toHaveLength(1);
  });

  it('turns NVML error codes into CollectError reasons, with tokenwatt_nvml_up 0 to publish', async () => {
    const noDriver = withFake(fakeNvml([{ ...H100, energyMj: 1 }], 9));
    const e = await collectError(noDriver.collect());
    expect(e.reason).toBe('nvml_driver_not_loaded');
    expect(e.message).toMatch(/nvmlDeviceGetCount_v2: Driver Not Loaded \(9\)/);
    expect(e.samples).toEqual([{ name: 'tokenwatt_nvml_up', labels: { backend: 'nvml' }, value: 0 }]);

    // nvmlInit_v2 failing is retried on the next collection, and logged once.
    const fake = fakeNvml([{ ...H100, energyMj: 1 }]);
    fake.initRc = 9;
    const retry = withFake(fake);
    expect((await collectError(retry.collect())).reason).toBe('nvml_driver_not_loaded');
    expect((await collectError(retry.collect())).reason).toBe('nvml_driver_not_loaded');
    expect(retry.lines.filter((l) => /nvmlInit_v2 failed/.test(l.msg))).toHaveLength(1);
    fake.initRc = 0;
    expect((await retry.collect()).boards).toHaveLength(1);
  });

  it('leaves out a GPU that fell off the bus or cannot be identified and keeps the others; fails only when none is left', async () => {
    const fake = fakeNvml([
      { ...H100, energyMj: 1000 },
      { ...H100, uuid: 'GPU-lost', energyMj: 2000, rc: { power: 15 } },
      { ...H100, uuid: 'GPU-nameless', energyMj: 3000, rc: { uuid: 15 } },
    ]);
    const { collect, lines } = withFake(fake);
    const r = await collect();
    expect(r.boards!.map((b) => b.uuid)).toEqual([H100.uuid]);
    expect(r.samples.filter((s) => s.labels.gpu_uuid === 'GPU-lost')).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && /fallen off the bus/.test(l.msg) && l.fields?.gpu === '1')).toBe(true);
    expect(lines.some((l) => l.level === 'warn' && /cannot identify/.test(l.msg) && l.fields?.gpu === '2')).toBe(true);

    const allLost = withFake(fakeNvml([{ ...H100, energyMj: 1, rc: { energy: 15 } }]));
    expect((await collectError(allLost.collect())).reason).toBe('nvml_gpu_is_lost');
    const noneIdentified = withFake(fakeNvml([{ ...H100, energyMj: 1, rc: { handle: 4 } }]));
    const e = await collectError(noneIdentified.collect());
    expect(e.reason).toBe('nvml_no_permission');
    expect(e.message).toMatch(/nvmlDeviceGetHandleByIndex_v2 \(GPU 0\)/);
  });

  it('gives up with reason timeout when the energy read outlasts the deadline', async () => {
    const fake = fakeNvml([{ ...H100, energyMj: 1 }]);
    fake.energyDelayMs = 2000;
    const { c } = withFake(fake);
    const deadline = AbortSignal.timeout(50);
    const t0 = Date.now();
    const e = await collectError(c.collect(deadline));
    expect(e.reason).toBe('timeout');
    expect(e.samples).toEqual([{ name: 'tokenwatt_nvml_up', labels: { backend: 'nvml' }, value: 0 }]);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('the real koffi loader says which library it could not load', async () => {
    await expect(loadKoffiNvml('libnvidia-ml-absent.so.1')).rejects.toThrow(NvmlUnavailable);
    await expect(loadKoffiNvml('libnvidia-ml-absent.so.1')).rejects.toThrow(/cannot load libnvidia-ml-absent\.so\.1/);
  });
});

/** A fake `nvidia-smi` first on PATH: records its arguments, prints `stdout`, exits `code`. */
function fakeSmi(stdout: string, code = 0, stderr = '') {
  const dir = mkdtempSync(join(tmpdir(), 'tw-smi-'));
  writeFileSync(join(dir, 'out.txt'), stdout);
  writeFileSync(join(dir, 'err.txt'), stderr);
  writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args.txt"\ncat "${dir}/out.txt"\ncat "${dir}/err.txt" >&2\nexit ${code}\n`, { mode: 0o755 });
  return { dir, args: () => readFileSync(join(dir, 'args.txt'), 'utf8').trim().split('\n') };
}

async function withPath<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = `${dir}:${saved}`;
  try {
    return await run();
  } finally {
    process.env.PATH = saved;
  }
}

function noLibrary() {
  const { log, lines } = logs();
  const c = createNvmlCollector({ mode: 'auto', host: 'node1', log, loadNvml: async () => { throw new NvmlUnavailable('cannot load libnvidia-ml.so.1: not found'); } });
  return { c, lines, collect: () => c.collect(new AbortController().signal) };
}

// The H100's row of smi.txt (driver 580.159.04) in SMI_FIELDS order, with --format=csv,noheader,nounits:
// power.draw 73.29 W, enforced limit 700.00 W, 0 % / 0 %, 0 of 81559 MiB, 33 C, 345 / 2619 MHz, idle.
const H100_SMI = '0, GPU-5c780be2-2c26-9481-0fec-15b04e6cc710, NVIDIA H100 80GB HBM3, 73.29, 700.00, 0, 0, 0, 81559, 33, 345, 2619, Disabled, 0x0000000000000001';

describe('nvidia-smi fallback (no NVML library)', () => {
  it('queries only fields nvidia-smi --help-query-gpu lists, and reports power without energy: no board for the ledger', async () => {
    const smi = fakeSmi(`${H100_SMI}\n1, GPU-other, Tesla T4, [N/A], [Not Supported], [N/A], [N/A], 12, 15360, 40, 300, 5000, [N/A], [Not Supported]\n`);
    const { collect, lines } = noLibrary();
    const r = await withPath(smi.dir, collect);
    await withPath(smi.dir, collect);

    const [query, format] = smi.args();
    expect(format).toBe('--format=csv,noheader,nounits');
    const help = readFileSync(new URL('./fixtures/nvidia-h100/help-query-gpu.txt', import.meta.url), 'utf8');
    const fields = query!.replace('--query-gpu=', '').split(',');
    expect(fields).toContain('power.draw');
    for (const f of fields) expect(help, f).toContain(`"${f}"`);
    expect(help).not.toMatch(/"[^"]*energy[^"]*"/); // no energy counter to query

    expect(r.boards).toEqual([]);
    expect(sample(r, 'tokenwatt_nvml_up')).toEqual({ name: 'tokenwatt_nvml_up', labels: { backend: 'nvidia-smi' }, value: 1 });
    const h100 = { gpu: '0' };
    expect(sample(r, 'tokenwatt_gpu_power_watts', h100)).toEqual({
      name: 'tokenwatt_gpu_power_watts', labels: { host: 'node1', gpu: '0', gpu_uuid: 'GPU-5c780be2-2c26-9481-0fec-15b04e6cc710', gpu_model: 'NVIDIA H100 80GB HBM3' }, value: 73.29,
    });
    expect(sample(r, 'tokenwatt_gpu_power_limit_watts', h100)!.value).toBe(700);
    expect(sample(r, 'tokenwatt_gpu_memory_total_bytes', h100)!.value).toBe(81559 * 1024 * 1024);
    expect(sample(r, 'tokenwatt_gpu_sm_clock_hertz', h100)!.value).toBe(345e6);
    expect(sample(r, 'tokenwatt_gpu_clock_event_reason', { ...h100, reason: 'gpu_idle' })!.value).toBe(1);
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported', h100)!.value).toBe(0);
    expect(sample(r, 'tokenwatt_gpu_info', h100)!.labels).toMatchObject({ mig_mode: 'disabled', energy_source: 'none' });
    // [N/A] and [Not Supported] leave the series out.
    const t4 = { gpu: '1' };
    expect(sample(r, 'tokenwatt_gpu_power_watts', t4)).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_power_limit_watts', t4)).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_utilization_ratio', t4)).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_clock_event_reason', t4)).toBeUndefined();
    expect(sample(r, 'tokenwatt_gpu_memory_used_bytes', t4)!.value).toBe(12 * 1024 * 1024);
    expect(sample(r, 'tokenwatt_nvml_energy_counter_supported', t4)!.value).toBe(0);
    // Said once each, over two collections: the missing library, and that energy figures are unavailable.
    expect(lines.filter((l) => /NVML library not available/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => /power only, no energy counter/.test(l.msg))).toHaveLength(1);
  });

  it('no library and no nvidia-smi: CollectError no_nvml with tokenwatt_nvml_up{backend="nvidia-smi"} 0, said once', async () => {
    const { log, lines } = logs();
    const c = createNvmlCollector({ mode: 'auto', host: 'node1', log, nvidiaSmi: '/nonexistent/nvidia-smi', loadNvml: () => Promise.reject(new Error('no koffi')) });
    const e = await collectError(c.collect(new AbortController().signal));
    await collectError(c.collect(new AbortController().signal));
    expect(e.reason).toBe('no_nvml');
    expect(e.samples).toEqual([{ name: 'tokenwatt_nvml_up', labels: { backend: 'nvidia-smi' }, value: 0 }]);
    expect(lines.filter((l) => l.level === 'error' && /neither libnvidia-ml\.so\.1 nor nvidia-smi/.test(l.msg))).toHaveLength(1);
  });

  it('a failing or garbled nvidia-smi is a CollectError naming what it said', async () => {
    const broken = fakeSmi('', 9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n");
    const e = await withPath(broken.dir, () => collectError(noLibrary().collect()));
    expect(e.reason).toBe('nvidia_smi_exit');
    expect(e.message).toMatch(/exited with 9: NVIDIA-SMI has failed because it couldn't communicate/);

    const garbled = fakeSmi(`${H100_SMI}\n1, GPU-x, T4, 70.0\n`);
    const g = await withPath(garbled.dir, () => collectError(noLibrary().collect()));
    expect(g.reason).toBe('parse');
    expect(g.message).toMatch(/line 2: expected 14 fields, got 4/);
    const notNumber = fakeSmi(H100_SMI.replace('73.29', '73,29'));
    expect((await withPath(notNumber.dir, () => collectError(noLibrary().collect()))).reason).toBe('parse');
  });
});

describe('NVML series and the catalog', () => {
  it('every backend uses only catalog names, with exactly the catalog labels of each', async () => {
    const defs = new Map<string, readonly string[]>(tokenwattMetrics.map((d) => [d.name, d.labels]));
    const fake = fakeNvml([{ ...H100, energyMj: 1, reasons: 0x7n }, { ...H100, uuid: 'GPU-2', energyMj: 2, rc: { energy: 3 } }]);
    const results = [
      await withFake(fake).collect(),
      await clocked({ mode: { replay: tracePath } }).at(3),
      await withPath(fakeSmi(`${H100_SMI}\n`).dir, noLibrary().collect),
    ];
    const names = new Set<string>();
    for (const r of results) {
      for (const x of r.samples) {
        names.add(x.name);
        expect(defs.has(x.name), x.name).toBe(true);
        expect(Object.keys(x.labels).sort(), x.name).toEqual([...defs.get(x.name)!].sort());
      }
    }
    expect(names.size).toBe(13); // nvml_up, gpu_info, energy_counter_supported and the ten board gauges
  });
});

describe('the nvml setting', () => {
  it("is 'auto' or 'replay:<file>'", () => {
    expect(parseNvmlMode('auto')).toBe('auto');
    expect(parseNvmlMode('replay:test/fixtures/nvidia-h100/trace.csv')).toEqual({ replay: 'test/fixtures/nvidia-h100/trace.csv' });
    expect(() => parseNvmlMode('replay:')).toThrow(/nvml must be 'auto' or 'replay:<trace.csv>', not 'replay:'/);
    expect(() => parseNvmlMode('nvidia-smi')).toThrow(/not 'nvidia-smi'/);
  });
});
