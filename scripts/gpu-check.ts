// Side-by-side check of tokenwatt's NVML readings against nvidia-smi on a machine with an NVIDIA GPU
// (run through scripts/gpu-check.sh). Modes:
//   collector [auto|smi]     the NVML collector (koffi binding, or forced nvidia-smi fallback) vs nvidia-smi
//   trace TRACE.csv SMI.csv  a `tokenwatt record` trace vs nvidia-smi power sampled over the same time
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { CollectResult } from '../src/collectors/collector.ts';
import { createNvmlCollector } from '../src/collectors/nvml.ts';
import { parseNumericCsv } from '../src/energy/csv.ts';

const [mode = 'collector', a, b] = process.argv.slice(2);
let failures = 0;

function check(label: string, smi: string | number | undefined, tw: string | number | undefined, ok: boolean) {
  if (!ok) failures++;
  console.log(`${label.padEnd(28)} ${String(smi ?? '-').padStart(44)} ${String(tw ?? '-').padStart(44)}  ${ok ? 'ok' : 'DIFF'}`);
}
const near = (x: number | undefined, y: number | undefined, rel: number, abs = 0) =>
  x !== undefined && y !== undefined && Math.abs(x - y) <= Math.max(abs, rel * Math.abs(y));

function smiQuery(): Record<string, string>[] {
  const fields = ['index', 'uuid', 'name', 'power.draw', 'enforced.power.limit', 'utilization.gpu', 'memory.used', 'temperature.gpu', 'clocks.sm', 'mig.mode.current'];
  const text = execFileSync('nvidia-smi', [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  return text.trim().split('\n').map((l) => Object.fromEntries(l.split(',').map((c, i) => [fields[i]!, c.trim()])));
}

async function collector(backend: string) {
  const log = (level: string, msg: string, fields?: Record<string, unknown>) => console.error(`  log ${level}: ${msg} ${JSON.stringify(fields ?? {})}`);
  const c = createNvmlCollector({
    mode: 'auto', host: 'check', log,
    ...(backend === 'smi' ? { loadNvml: () => Promise.reject(new Error('forced nvidia-smi fallback')) } : {}),
  });
  // Event-loop ticks during a collection: the async energy reads must leave the loop free.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const t0 = performance.now();
  const first = await c.collect(new AbortController().signal);
  const ms = performance.now() - t0;
  const firstAt = Date.now();
  clearInterval(timer);
  console.log(`backend ${backend}: first collection ${ms.toFixed(1)} ms, ${ticks} event-loop ticks of 1 ms meanwhile`);
  const smiStart = smiQuery();
  // Sample nvidia-smi power over 5 s, then read the collector again: ΔE/Δt against mean power.
  const powers: number[][] = smiStart.map(() => []);
  const tA = Date.now();
  while (Date.now() - tA < 5000) {
    smiQuery().forEach((g, i) => Number.isFinite(Number(g['power.draw'])) && powers[i]!.push(Number(g['power.draw'])));
    await new Promise((r) => setTimeout(r, 200));
  }
  const second = await c.collect(new AbortController().signal);
  const secondAt = Date.now();
  const smi = smiQuery();
  console.log(`${'field'.padEnd(28)} ${'nvidia-smi'.padStart(44)} ${`tokenwatt (${backend})`.padStart(44)}`);
  const get = (r: CollectResult, name: string, gpu: string) => r.samples.find((s) => s.name === name && s.labels.gpu === gpu);
  for (const g of smi) {
    const gpu = g.index!;
    const info = get(second, 'tokenwatt_gpu_info', gpu);
    console.log(`-- GPU ${gpu}`);
    check('uuid', g.uuid, info?.labels.gpu_uuid, g.uuid === info?.labels.gpu_uuid);
    check('name', g.name, info?.labels.gpu_model, g.name === info?.labels.gpu_model);
    check('mig mode', g['mig.mode.current'], info?.labels.mig_mode, (g['mig.mode.current'] ?? '').toLowerCase() === info?.labels.mig_mode || g['mig.mode.current'] === '[N/A]');
    const v = (name: string) => get(second, name, gpu)?.value;
    check('power W (instant vs avg)', g['power.draw'], v('tokenwatt_gpu_power_watts')?.toFixed(2), near(v('tokenwatt_gpu_power_watts'), Number(g['power.draw']), 0.15, 5));
    check('enforced power limit W', g['enforced.power.limit'], v('tokenwatt_gpu_power_limit_watts'), near(v('tokenwatt_gpu_power_limit_watts'), Number(g['enforced.power.limit']), 0.001));
    check('utilization %', g['utilization.gpu'], v('tokenwatt_gpu_utilization_ratio') === undefined ? undefined : v('tokenwatt_gpu_utilization_ratio')! * 100, true);
    const usedMiB = v('tokenwatt_gpu_memory_used_bytes') === undefined ? undefined : v('tokenwatt_gpu_memory_used_bytes')! / 2 ** 20;
    check('memory used MiB', g['memory.used'], usedMiB?.toFixed(0), near(usedMiB, Number(g['memory.used']), 0.05, 64));
    check('temperature C', g['temperature.gpu'], v('tokenwatt_gpu_temperature_celsius'), near(v('tokenwatt_gpu_temperature_celsius'), Number(g['temperature.gpu']), 0, 3));
    check('SM clock MHz', g['clocks.sm'], v('tokenwatt_gpu_sm_clock_hertz') === undefined ? undefined : v('tokenwatt_gpu_sm_clock_hertz')! / 1e6, true);
    const b1 = first.boards?.find((x) => x.gpu === gpu);
    const b2 = second.boards?.find((x) => x.gpu === gpu);
    const meanSmi = powers[Number(gpu)]!.reduce((s, x) => s + x, 0) / Math.max(1, powers[Number(gpu)]!.length);
    if (backend === 'smi') {
      check('energy counter (none)', 'no energy field', b2 === undefined ? 'no board' : 'BOARD', b2 === undefined && v('tokenwatt_nvml_energy_counter_supported') === 0);
    } else {
      const avg = b1 && b2 ? (b2.energyJoules - b1.energyJoules) / ((secondAt - firstAt) / 1000) : undefined;
      check('mean W over 5 s (ΔE/Δt)', meanSmi.toFixed(1), avg?.toFixed(1), near(avg, meanSmi, 0.15, 10));
      // Activity is from GPM between the two collections (0 when the GPU has no GPM).
      check('MIG slices (id:profile@act)', g['mig.mode.current'], JSON.stringify(b2?.slices.map((s) => `${s.gpuInstanceId}:${s.profile}@${s.activity.toFixed(2)}`) ?? []), true);
    }
  }
  const up = second.samples.find((s) => s.name === 'tokenwatt_nvml_up');
  console.log(`tokenwatt_nvml_up${JSON.stringify(up?.labels)} ${up?.value}`);
}

function trace(traceFile: string, smiFile: string) {
  const rows = parseNumericCsv(readFileSync(traceFile, 'utf8'), ['unix_s', 'energy_mJ', 'power_mW'], traceFile);
  rows.forEach((r, i) => {
    if (i > 0 && r.energy_mJ < rows[i - 1]!.energy_mJ) check(`energy monotonic (row ${i + 2})`, '-', r.energy_mJ, false);
  });
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const dt = last.unix_s - first.unix_s;
  const avg = (last.energy_mJ - first.energy_mJ) / 1000 / dt;
  const gaps = rows.slice(1).map((r, i) => r.unix_s - rows[i]!.unix_s);
  const smiW = readFileSync(smiFile, 'utf8').trim().split('\n').map((l) => Number(l.split(',').pop())).filter(Number.isFinite);
  const mean = smiW.reduce((s, x) => s + x, 0) / Math.max(1, smiW.length);
  console.log(`trace: ${rows.length} rows over ${dt.toFixed(2)} s, interval median ${(gaps.sort((x, y) => x - y)[gaps.length >> 1]! * 1000).toFixed(0)} ms`);
  console.log(`${'field'.padEnd(28)} ${'nvidia-smi'.padStart(44)} ${'tokenwatt record'.padStart(44)}`);
  check('mean W (smi) vs ΔE/Δt', mean.toFixed(1), avg.toFixed(1), near(avg, mean, 0.15, 10));
  check('rows (5 s at 100 ms)', '~50', rows.length, rows.length >= 40);
}

if (mode === 'collector') {
  try {
    await collector(a ?? 'auto');
  } catch (err) {
    check(`collection (${a ?? 'auto'})`, '-', `${(err as { reason?: string }).reason ?? 'error'}: ${(err as Error).message}`, false);
  }
}
else if (mode === 'trace') trace(a!, b!);
else throw new Error(`unknown mode ${mode}`);
console.log(failures === 0 ? 'gpu-check: all checks ok' : `gpu-check: ${failures} check(s) differ`);
process.exitCode = failures === 0 ? 0 : 1;
