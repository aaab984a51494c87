// `tokenwatt analyze`: tokens, joules and tokens/J of a recorded run, per window and in total, from the
// board's energy COUNTER (trace.csv energy_mJ) and the cumulative generated-token counter (tokens.csv),
// with the same reset-aware counter and window code as the ledger (window.ts). It also shows how far a
// Prometheus-style estimate from power sampled every 15 s would be off (domain notes §7).
import { CumulativeSeries } from './window.ts';

export interface RecordedRun {
  /** Board readings: time (unix s), energy counter (mJ), power (mW). */
  trace: { unix_s: number; energy_mJ: number; power_mW: number }[];
  /** Cumulative generated tokens over time. */
  tokens: { unix_s: number; generation_tokens_total: number }[];
}

export interface Figures {
  start: number;
  end: number;
  seconds: number;
  tokens: number;
  joules: number;
  /** Generated tokens ÷ joules; null when no energy was used. */
  tokensPerJoule: number | null;
  joulesPerToken: number | null;
  averageWatts: number | null;
  /** Energy estimated from power sampled every `powerIntervalSeconds` (each reading held until the next). */
  powerSampledJoules: number;
  /** (estimate − counter) ÷ counter × 100; null when the counter shows no energy. */
  powerSampledErrorPct: number | null;
}

export interface Analysis {
  windowSeconds: number;
  powerIntervalSeconds: number;
  total: Figures;
  windows: Figures[];
  /** How the power-sampled estimate fares overall: it depends on where the scrapes happen to fall. */
  powerSampling: {
    /** Mean of |error| over the windows (scrapes aligned to the start of the run). */
    meanAbsWindowErrorPct: number | null;
    /** Smallest and largest total error over scrape phases 0, 1, 2 … s after the start (within one interval). */
    totalErrorPctRange: [number, number] | null;
  };
}

/** Analyse the span both files cover, cut into windows of `windowSeconds` from its start. */
export function analyzeRun(run: RecordedRun, windowSeconds = 10, powerIntervalSeconds = 15): Analysis {
  if (!(windowSeconds > 0)) throw new Error(`window must be > 0 s, got ${windowSeconds}`);
  if (!(powerIntervalSeconds > 0)) throw new Error(`power interval must be > 0 s, got ${powerIntervalSeconds}`);
  const energy = new CumulativeSeries();
  for (const r of run.trace) energy.pushRaw(r.unix_s, r.energy_mJ / 1000);
  const tokens = new CumulativeSeries();
  for (const r of run.tokens) tokens.pushRaw(r.unix_s, r.generation_tokens_total);
  const power = new StepSeries(run.trace.map((r) => [r.unix_s, r.power_mW / 1000]));

  const start = Math.max(run.trace[0]!.unix_s, run.tokens[0]!.unix_s);
  const end = Math.min(run.trace.at(-1)!.unix_s, run.tokens.at(-1)!.unix_s);
  if (!(end > start)) throw new Error(`trace and tokens do not overlap in time (trace ${run.trace[0]!.unix_s}–${run.trace.at(-1)!.unix_s}, tokens ${run.tokens[0]!.unix_s}–${run.tokens.at(-1)!.unix_s})`);

  // Power "scraped" every interval from `phase` s after the start, each reading standing for the interval
  // after it (and the first one also for the time before it).
  const sampler = (phase: number) => {
    const scrapes: [number, number, number][] = [];
    for (let k = 0; start + phase + k * powerIntervalSeconds < end; k++) {
      const s = start + phase + k * powerIntervalSeconds;
      scrapes.push([k === 0 ? start : s, Math.min(s + powerIntervalSeconds, end), power.at(s)]);
    }
    return (a: number, b: number) => scrapes.reduce((sum, [from, to, w]) => sum + w * Math.max(0, Math.min(b, to) - Math.max(a, from)), 0);
  };
  const sampledJoules = sampler(0);

  const figures = (a: number, b: number): Figures => {
    const j = energy.increase(a, b);
    const n = tokens.increase(a, b);
    const est = sampledJoules(a, b);
    return {
      start: a,
      end: b,
      seconds: b - a,
      tokens: n,
      joules: j,
      tokensPerJoule: j > 0 ? n / j : null,
      joulesPerToken: n > 0 ? j / n : null,
      averageWatts: b > a ? j / (b - a) : null,
      powerSampledJoules: est,
      powerSampledErrorPct: j > 0 ? ((est - j) / j) * 100 : null,
    };
  };

  const windows: Figures[] = [];
  for (let k = 0; start + k * windowSeconds < end; k++) {
    const a = start + k * windowSeconds;
    windows.push(figures(a, Math.min(a + windowSeconds, end)));
  }
  const total = figures(start, end);
  const windowErrors = windows.flatMap((w) => (w.powerSampledErrorPct === null ? [] : [Math.abs(w.powerSampledErrorPct)]));
  const phaseErrors: number[] = [];
  for (let phase = 0; phase < powerIntervalSeconds && total.joules > 0; phase += 1) {
    phaseErrors.push(((sampler(phase)(start, end) - total.joules) / total.joules) * 100);
  }
  return {
    windowSeconds,
    powerIntervalSeconds,
    total,
    windows,
    powerSampling: {
      meanAbsWindowErrorPct: windowErrors.length > 0 ? windowErrors.reduce((a, b) => a + b, 0) / windowErrors.length : null,
      totalErrorPctRange: phaseErrors.length > 0 ? [Math.min(...phaseErrors), Math.max(...phaseErrors)] : null,
    },
  };
}

/** A gauge read as a step function: the last reading at or before t (the first one before it). */
class StepSeries {
  constructor(private readonly points: [number, number][]) {}

  at(t: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.points[mid]![0] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.points[lo]![1];
  }
}
