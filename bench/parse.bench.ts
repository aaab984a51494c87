// Parse throughput of parseExposition against parse-prometheus-text-format on the same ~45 MB
// seeded vLLM + dcgm-exporter + Kepler exposition (bench/exposition-mix.ts), in one process.
// Goals: >= 150 MB/s and >= 6x parse-prometheus-text-format, with bounded memory. Medians after
// warm-up runs; the two parsers' runs are interleaved so that both see the same machine load.
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { parseExposition } from '../src/exposition/parse.ts';
import { exposition } from './exposition-mix.ts';

const GOAL_MBPS = 150;
const GOAL_RATIO = 6;
/** Rounds of OURS_PER_ROUND runs of ours and one of theirs (theirs takes ~2 s a run). */
const ROUNDS = 3;
const OURS_PER_ROUND = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of one run, and the process's CPU time in it (all threads, GC helpers included). */
function timed(fn: () => unknown, wall: number[], cpu: number[]): void {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}

/** A full GC, also under plain `npm run bench` (no --expose-gc): the flag can be set at run time. */
function gcFunction(): () => void {
  if (globalThis.gc) return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export default async function bench() {
  const gc = gcFunction();
  const text = exposition();
  const mb = Buffer.byteLength(text) / 1e6;
  const ours = () => parseExposition(text, { format: 'text' });
  const theirs = () => parsePrometheusTextFormat(text);
  const families = ours();
  const samples = families.reduce((n, f) => n + f.samples.length, 0);
  for (let i = 0; i < 3; i++) ours();

  // Memory of one parse: heap held by its result (after full GCs), and the process's peak RSS so far,
  // taken before the other parser first runs so that its allocations do not count.
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let kept: unknown = ours();
  gc();
  const resultHeapMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  kept = undefined;
  void kept;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;

  theirs(); // warm-up
  const oursMs: number[] = [];
  const oursCpuMs: number[] = [];
  const theirsMs: number[] = [];
  const theirsCpuMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < OURS_PER_ROUND; i++) timed(ours, oursMs, oursCpuMs);
    timed(theirs, theirsMs, theirsCpuMs);
  }
  const oursMbps = mb / (median(oursMs) / 1000);
  const theirsMbps = mb / (median(theirsMs) / 1000);
  const ratio = oursMbps / theirsMbps;
  return {
    input: { mb: Number(mb.toFixed(1)), families: families.length, samples },
    // CPU time well below wall time means the process waited for a core (a shared machine).
    parseExposition: { mbps: Number(oursMbps.toFixed(1)), runsMs: oursMs.map(Math.round), cpuMs: oursCpuMs.map(Math.round) },
    parsePrometheusTextFormat: { mbps: Number(theirsMbps.toFixed(1)), runsMs: theirsMs.map(Math.round), cpuMs: theirsCpuMs.map(Math.round) },
    ratio: Number(ratio.toFixed(2)),
    memory: {
      resultHeapMB: Number(resultHeapMB.toFixed(1)),
      peakRssMB: Math.round(peakRssMB),
      note: 'result heap after forced GCs; peak RSS includes generating the input text',
    },
    // Load average over the last minute at the end: a busy machine makes every figure a lower bound.
    machine: { cpus: cpus().length, loadavg1: Number(loadavg()[0]!.toFixed(2)) },
    goals: { mbps: GOAL_MBPS, ratio: GOAL_RATIO },
    met: oursMbps >= GOAL_MBPS && ratio >= GOAL_RATIO,
  };
}
