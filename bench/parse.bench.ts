// Parse throughput of parseExposition against parse-prometheus-text-format on the same ~45 MB
// seeded vLLM + dcgm-exporter + Kepler exposition (bench/exposition-mix.ts), in one process.
// Goals: >= 150 MB/s and >= 6x parse-prometheus-text-format. Medians after warm-up runs.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { parseExposition } from '../src/exposition/parse.ts';
import { exposition } from './exposition-mix.ts';

const GOAL_MBPS = 150;
const GOAL_RATIO = 6;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** MB/s of fn over the text: `warm` unmeasured runs, then the median of `runs`. */
function throughput(mb: number, fn: () => unknown, warm: number, runs: number): { mbps: number; runsMs: number[] } {
  for (let i = 0; i < warm; i++) fn();
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    runsMs.push(performance.now() - t0);
  }
  return { mbps: mb / (median(runsMs) / 1000), runsMs: runsMs.map((ms) => Math.round(ms)) };
}

export default async function bench() {
  const text = exposition();
  const mb = Buffer.byteLength(text) / 1e6;
  const families = parseExposition(text, { format: 'text' });
  const samples = families.reduce((n, f) => n + f.samples.length, 0);

  // Memory of one parse: heap held by the result, and the process's peak RSS so far (before the
  // other parser runs, so its allocations do not count).
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let kept: unknown = parseExposition(text, { format: 'text' });
  globalThis.gc?.();
  const resultHeapMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  kept = undefined;
  void kept;

  const ours = throughput(mb, () => parseExposition(text, { format: 'text' }), 3, 7);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const theirs = throughput(mb, () => parsePrometheusTextFormat(text), 1, 3);
  const ratio = ours.mbps / theirs.mbps;
  return {
    input: { mb: Number(mb.toFixed(1)), families: families.length, samples },
    parseExposition: { mbps: Number(ours.mbps.toFixed(1)), runsMs: ours.runsMs },
    parsePrometheusTextFormat: { mbps: Number(theirs.mbps.toFixed(1)), runsMs: theirs.runsMs },
    ratio: Number(ratio.toFixed(2)),
    memory: {
      resultHeapMB: Number(resultHeapMB.toFixed(1)),
      peakRssMB: Math.round(peakRssMB),
      note: globalThis.gc ? 'heap measured after forced GC' : 'run with node --expose-gc for an exact result heap',
    },
    goals: { mbps: GOAL_MBPS, ratio: GOAL_RATIO },
    met: ours.mbps >= GOAL_MBPS && ratio >= GOAL_RATIO,
  };
}
