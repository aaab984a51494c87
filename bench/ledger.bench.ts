// Energy-ledger cost per collection tick on a large fleet: 128 A100s (64 whole GPUs with two engines each,
// 64 in MIG with seven 1g.5gb slices and one engine per slice: 576 engines, ~5k output series).
// Goal: observe() + samples() under 50 ms per tick, so a 1 s collection interval leaves the event loop free.
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { Tick } from '../src/energy/tick.ts';

const GOAL_MS = 50;

function fleetTick(k: number): Tick {
  const boards: Tick['boards'] = [];
  const engines: Tick['engines'] = [];
  for (let i = 0; i < 128; i++) {
    const host = `node-${i >> 3}`;
    const gpu = String(i % 8);
    const mig = i % 2 === 1;
    boards.push({
      host, gpu, uuid: `GPU-${i}`, model: 'NVIDIA A100-SXM4-40GB', energyJoules: 1e6 + k * (200 + (i % 50)), powerWatts: 200, activity: mig ? undefined : 0.5,
      slices: mig ? Array.from({ length: 7 }, (_, s) => ({ gpuInstanceId: String(7 + s), profile: '1g.5gb', computeSlices: 1, memorySlices: 1, activity: ((s + k) % 10) / 10 })) : [],
    });
    const places = mig ? Array.from({ length: 7 }, (_, s) => String(7 + s)) : [undefined, undefined];
    places.forEach((instance, j) => {
      engines.push({ model_name: `model-${i}-${j}`, engine: '0', namespace: 'llm', pod: `pod-${i}-${j}`, host, gpu, gpuInstanceId: instance, generationTokens: k * (100 + j), promptTokens: k * 300 });
    });
  }
  return { timestampS: 1_790_000_000 + k, boards, engines };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export default async function bench() {
  const ledger = new EnergyLedger();
  const ticks = Array.from({ length: 80 }, (_, k) => fleetTick(k));
  const ms: number[] = [];
  let series = 0;
  ticks.forEach((tick, k) => {
    const t0 = performance.now();
    ledger.observe(tick);
    series = ledger.samples().length;
    if (k >= 20) ms.push(performance.now() - t0);
  });
  const medianMs = median(ms);
  return { gpus: 128, engines: ticks[0]!.engines.length, series, tickMsMedian: Number(medianMs.toFixed(2)), tickMsMax: Number(Math.max(...ms).toFixed(2)), goalMs: GOAL_MS, met: medianMs < GOAL_MS };
}
