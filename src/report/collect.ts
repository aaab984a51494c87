// The queries behind a report. Every figure (figures.ts) is read in two ways:
//
// - Recorded: the `tokenwatt-report` group (rules/report.ts) records each figure's increase over
//   every window (1h by default); the report sums the recorded windows that lie inside the period
//   (`sum_over_time(recorded[D] @ end)`), ~720 samples per series for a month.
// - Raw: `increase(counter[D] @ end)` over the raw counters, for the parts of the period no recorded
//   window covers: its edges (the windows end at the group's evaluation times, not at --from/--to),
//   windows that are missing (Prometheus down, the group deployed mid-period), or everything when
//   the group is not deployed. Each raw piece is at least 4 scrape intervals long (a shorter one
//   takes a recorded window with it), so `increase` has samples to work with.
//
// The pieces tile the period: recorded windows (e - W, e] and raw pieces (a, b] neither overlap nor
// leave holes, so a total is the sum of its pieces; each `increase` extrapolates to its own edges
// as PromQL's does for the whole period. All pieces of one kind are asked in one query, each piece
// tagged by `label_replace` so that `or` keeps them apart.
//
// Buckets (over time): each bucket holds the recorded windows and raw pieces whose middle is in it
// (raw pieces longer than a bucket are cut at bucket boundaries). Buckets made only of
// recorded windows come from one range query with step = bucket; buckets only raw from one range
// query per run of them; the rest ("mixed", usually the first and last) from the tagged queries.
import { figureSpecs, groupOf, isAverage, rawExpr, rawPieceExpr, recordedExpr, WINDOW_MARKERS } from './figures.ts';
import type { FigureSpec, PieceShape, QueryName, ReportGroup, SelectorName } from './figures.ts';
import { promDuration } from './source.ts';
import type { RangeSeries, Source } from './source.ts';

export type { QueryName } from './figures.ts';

export interface Window {
  /** Unix seconds. `to - from` = n × stepSeconds exactly. */
  from: number;
  to: number;
  stepSeconds: number;
  n: number;
}

/** A figure over buckets: one value per bucket (null: no data in that bucket). */
export interface Bucketed {
  labels: Record<string, string>;
  values: (number | null)[];
}

export interface Selectors {
  tokenwatt: string;
  vllm: string;
  sglang: string;
  clusterLabel: string;
  /** Restrict to one cluster (its value of clusterLabel). */
  cluster?: string;
}

const NICE_STEPS_S = [10, 30, 60, 300, 900, 3600, 21_600, 86_400];

/**
 * Buckets for a period: daily from 7 days up, hourly from 12 hours, otherwise the shortest nice
 * step giving at most 48 buckets; never shorter than 4 scrape intervals (an `increase` needs two
 * samples in its bucket). `from` moves back by under a step so that the buckets tile the period.
 */
export function planWindow(fromS: number, toS: number, scrapeIntervalS = 15): Window {
  const period = toS - fromS;
  let step: number;
  if (period >= 7 * 86_400) step = 86_400;
  else if (period >= 12 * 3600) step = 3600;
  else step = NICE_STEPS_S.find((s) => period / s <= 48) ?? 3600;
  step = Math.max(step, NICE_STEPS_S.find((s) => s >= 4 * scrapeIntervalS) ?? 86_400);
  const n = Math.max(1, Math.round(period / step));
  // Exact tiling: step in whole milliseconds, `to` kept (the newest data), `from` = to - n × step.
  const stepMs = Math.max(1000, Math.round((period * 1000) / n));
  const stepSeconds = stepMs / 1000;
  return { from: toS - n * stepSeconds, to: toS, stepSeconds, n };
}

/** The figures asked in buckets (over time); every other one only as a total. */
export const OVER_TIME: QueryName[] = ['generationTokens', 'modelEnergy', 'modelCost', 'gpuEnergy', 'gpuCost', 'restarts', 'upCount'];

/** Figures the previous period needs (model totals and fleet totals only). */
export const PREVIOUS: QueryName[] = ['generationTokens', 'modelEnergy', 'modelCost', 'modelCo2e', 'gpuEnergy', 'gpuCost'];

export type Collected = Record<QueryName, Bucketed[]>;

// ---------------------------------------------------------------- recorded windows and raw pieces

/** Which recorded windows the report may use, from the marker series. */
export interface Recorded {
  /** The window (s); null: no recorded series usable (see note). */
  windowSeconds: number | null;
  /** End times of windows recorded for every cluster seen, sorted. */
  ends: number[];
  /** Why the recorded series are not used, when they are not. */
  unusable: string | null;
}

/** A plan for a range: recorded windows used (their ends) and raw pieces (a, b]. */
export interface Plan {
  from: number;
  to: number;
  windowSeconds: number | null;
  used: number[];
  raw: [number, number][];
}

const TOL = 1e-3;
/** Gaps shorter than this between windows are rounding (evaluation times are whole milliseconds). */
const NEGLIGIBLE_S = 0.01;

/** Labels a recorded series keeps that a selector may match on (the rest are summed away). */
function recordedSelector(selector: string, s: Selectors): string | null {
  for (const m of selector.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) if (m[1] !== 'job' && m[1] !== s.clusterLabel) return null;
  return withCluster(selector, s);
}
function withCluster(selector: string, s: Selectors): string {
  if (s.cluster === undefined) return selector;
  const c = `${s.clusterLabel}=${JSON.stringify(s.cluster)}`;
  return selector.trim() === '' ? c : `${selector}, ${c}`;
}

/**
 * The recorded windows in (from, to]: one query of the marker's samples (one series per cluster and
 * job, a sample per evaluation of the group). A window is used when every marker series that had
 * started by then recorded it (a cluster whose series stopped does not hold the others back).
 */
export async function findRecorded(src: Source, s: Selectors, from: number, to: number, group: ReportGroup): Promise<Recorded> {
  const selector = recordedSelector(s.tokenwatt, s);
  if (selector === null) return { windowSeconds: null, ends: [], unusable: `the tokenwatt selector {${s.tokenwatt}} matches labels the recorded series do not keep (only job and ${s.clusterLabel})` };
  const range = promDuration(Math.ceil(to - from) * 1000);
  const series = await src.samples(`${WINDOW_MARKERS[group]}${selector === '' ? '' : `{${selector}}`}[${range}]`, to);
  if (series.length === 0) return { windowSeconds: null, ends: [], unusable: 'no tokenwatt-report recorded series in the period (the rules of rules/report.ts are not loaded, or were loaded after it)' };
  const windows = new Set(series.flatMap((x) => x.points.map(([, v]) => v)));
  if (windows.size !== 1) return { windowSeconds: null, ends: [], unusable: `the recorded windows differ between clusters (${[...windows].sort((a, b) => a - b).join(', ')} s): run one report per --cluster` };
  const key = (t: number) => Math.round(t * 1000);
  const spans = series.map((x) => ({ first: x.points[0]![0], last: x.points.at(-1)![0], at: new Set(x.points.map(([t]) => key(t))) }));
  const all = [...new Set(series.flatMap((x) => x.points.map(([t]) => key(t))))].sort((a, b) => a - b);
  const ends = all.filter((k) => spans.every((sp) => k > key(sp.last) || sp.at.has(k))).map((k) => k / 1000);
  return { windowSeconds: [...windows][0]!, ends, unusable: null };
}

/**
 * The pieces of (from, to]: the recorded windows inside it and raw pieces for the rest, each raw
 * piece at least `minRaw` seconds (a shorter one takes its neighbouring window with it).
 */
export function planPieces(from: number, to: number, rec: Recorded, minRaw: number): Plan {
  const W = rec.windowSeconds;
  if (W === null) return { from, to, windowSeconds: null, used: [], raw: [[from, to]] };
  const used = rec.ends.filter((e) => e - W >= from - TOL && e <= to + TOL);
  const rawOf = (): [number, number][] => {
    const out: [number, number][] = [];
    let cur = from;
    for (const e of used) {
      if (e - W - cur > NEGLIGIBLE_S) out.push([cur, e - W]);
      cur = e;
    }
    if (to - cur > NEGLIGIBLE_S) out.push([cur, to]);
    return out;
  };
  let raw = rawOf();
  for (;;) {
    const tiny = raw.find(([a, b]) => b - a < minRaw);
    if (!tiny) break;
    let i = used.findIndex((e) => Math.abs(e - tiny[0]) < NEGLIGIBLE_S);
    if (i < 0) i = used.findIndex((e) => Math.abs(e - W - tiny[1]) < NEGLIGIBLE_S);
    if (i < 0) break;
    used.splice(i, 1);
    raw = rawOf();
  }
  return { from, to, windowSeconds: W, used, raw };
}

/** One piece of a figure's sum: recorded windows (a run of them) or a raw piece, ending at `end`. */
interface Part {
  /** Which sum it belongs to (a bucket index; 0 for a total). */
  slot: number;
  kind: 'rec' | 'raw';
  /** A raw piece's place against the recorded runs (how it joins them). */
  shape?: PieceShape;
  start?: number;
  end: number;
  /** The range selector's length, seconds. */
  range: number;
  /** Time it covers (weights time averages). */
  seconds: number;
}

/** Runs of consecutive windows among `ends` (sorted) as recorded parts. */
function recordedParts(ends: number[], W: number, slot: number): Part[] {
  const parts: Part[] = [];
  let first = 0;
  for (let i = 0; i < ends.length; i++) {
    if (i + 1 < ends.length && Math.abs(ends[i + 1]! - ends[i]! - W) < NEGLIGIBLE_S) continue;
    // (first window's end - W/2, last end]: every window of the run, not the one before it.
    parts.push({ slot, kind: 'rec', end: ends[i]!, range: ends[i]! - ends[first]! + W / 2, seconds: ends[i]! - ends[first]! + W });
    first = i + 1;
  }
  return parts;
}

function at(expr: string, p: Part): string {
  const end = Math.round(p.end * 1000) / 1000;
  return expr.replaceAll('[$STEP]', `[${promDuration(p.range * 1000)}] @ ${end}`);
}

const PART_LABEL = 'tokenwatt_part';

/** All parts of one kind in one instant query; each result carries its part's index. */
async function askParts(src: Source, expr: (p: Part) => string, parts: Part[]): Promise<{ part: Part; labels: Record<string, string>; value: number }[]> {
  if (parts.length === 0) return [];
  const query = parts.length === 1 ? expr(parts[0]!) : parts.map((p, i) => `label_replace(${expr(p)}, "${PART_LABEL}", "${i}", "__name__", ".*")`).join(' or ');
  const time = Math.max(...parts.map((p) => p.end));
  const r = await src.instant(query, time);
  return r.filter((x) => Number.isFinite(x.value)).map((x) => {
    const { [PART_LABEL]: idx, ...labels } = x.labels;
    return { part: parts[parts.length === 1 ? 0 : Number(idx)]!, labels, value: x.value };
  });
}

/** Sum (or time-average) the parts' results into slots, one Bucketed per label set. */
function combine(results: { part: Part; labels: Record<string, string>; value: number }[], slots: number, average: boolean, into = new Map<string, { labels: Record<string, string>; values: (number | null)[]; weights: number[] }>()) {
  for (const r of results) {
    const k = JSON.stringify(Object.entries(r.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let e = into.get(k);
    if (!e) into.set(k, (e = { labels: r.labels, values: new Array(slots).fill(null), weights: new Array(slots).fill(0) }));
    const i = r.part.slot;
    if (average) {
      const w = e.weights[i]!;
      e.values[i] = ((e.values[i] ?? 0) * w + r.value * r.part.seconds) / (w + r.part.seconds);
      e.weights[i] = w + r.part.seconds;
    } else {
      e.values[i] = (e.values[i] ?? 0) + r.value;
    }
  }
  return into;
}

// ---------------------------------------------------------------- figures

/** How a report reads: the figures' PromQL and the recorded windows it may use. */
export interface Reader {
  selectors: Selectors;
  /** Per recording group (each has its own evaluation times). */
  recorded: Record<ReportGroup, Recorded>;
  /** Minimum raw piece, seconds (4 scrape intervals). */
  minRaw: number;
}

interface FigureQueries {
  raw: string;
  rec: string | null;
  average: boolean;
  recorded: Recorded;
  /** A raw part's PromQL (how it joins the recorded runs beside it). */
  rawPart: (p: Part) => string;
}

function figureQueries(r: Reader, name: QueryName, overTime: boolean): FigureQueries {
  const s = r.selectors;
  const f: FigureSpec = figureSpecs(s.clusterLabel)[name];
  const by = overTime ? (f.overTimeBy ?? f.by) : f.by;
  const selector = (k: SelectorName) => s[k];
  const raw = rawExpr(f, withCluster(selector(f.selector), s), by);
  const recorded = r.recorded[groupOf(f)];
  const recSel = recorded.windowSeconds === null ? null : recordedSelector(selector(f.selector), s);
  const rec = recSel === null ? null : recordedExpr(f, recSel, by);
  const rawSel = withCluster(selector(f.selector), s);
  const rawPart = (p: Part) => rawPieceExpr(f, rawSel, by, p.shape ?? 'whole', round3(p.start!), round3(p.end), promDuration(p.range * 1000), r.minRaw / 4);
  return { raw, rec, average: isAverage(f), recorded, rawPart };
}

const round3 = (t: number) => Math.round(t * 1000) / 1000;

/** A raw piece's shape: whether a used recorded window ends at its start or starts at its end. */
function shapeOf(plan: Plan, a: number, b: number): PieceShape {
  const W = plan.windowSeconds;
  if (W === null) return 'whole';
  const after = plan.used.some((e) => Math.abs(e - a) < NEGLIGIBLE_S);
  const before = plan.used.some((e) => Math.abs(e - W - b) < NEGLIGIBLE_S);
  return after && before ? 'between' : after ? 'end' : before ? 'start' : 'whole';
}
const rawPart = (plan: Plan, slot: number, a: number, b: number): Part => ({ slot, kind: 'raw', shape: shapeOf(plan, a, b), start: a, end: b, range: b - a, seconds: b - a });

/** The plan for a range, for a figure: without a recorded form, all raw. */
function planFor(r: Reader, q: FigureQueries, from: number, to: number): Plan {
  return planPieces(from, to, q.rec === null ? { windowSeconds: null, ends: [], unusable: null } : q.recorded, r.minRaw);
}

/** A figure's totals over (from, to]: its recorded windows and raw pieces, one query each. `coarse`: by the over-time labels (per model, not per slice). */
export async function figureTotal(src: Source, r: Reader, name: QueryName, from: number, to: number, coarse = false): Promise<Bucketed[]> {
  const q = figureQueries(r, name, coarse);
  const plan = planFor(r, q, from, to);
  const recParts = plan.windowSeconds === null ? [] : recordedParts(plan.used, plan.windowSeconds, 0);
  const rawParts: Part[] = plan.raw.map(([a, b]) => rawPart(plan, 0, a, b));
  const [recR, rawR] = await Promise.all([askParts(src, (p) => at(q.rec!, p), recParts), askParts(src, q.rawPart, rawParts)]);
  return [...combine([...recR, ...rawR], 1, q.average).values()].map(({ labels, values }) => ({ labels, values }));
}

/** A figure in buckets over the window (see the file's comment for how buckets are made). */
export async function figureBuckets(src: Source, r: Reader, name: QueryName, w: Window): Promise<Bucketed[]> {
  const q = figureQueries(r, name, true);
  const plan = planFor(r, q, w.from, w.to);
  const step = w.stepSeconds;
  const bucketOf = (t: number) => Math.min(w.n - 1, Math.max(0, Math.ceil((t - w.from) / step - TOL) - 1));
  const W = plan.windowSeconds;
  // Raw pieces cut at bucket boundaries (not within minRaw of their ends), each going to the bucket it ends in.
  const rawCut: [number, number][] = [];
  for (const [a, b] of plan.raw) {
    let cur = a;
    for (let k = Math.ceil((a - w.from) / step - TOL); k * step + w.from < b; k++) {
      const edge = w.from + k * step;
      if (edge - cur >= r.minRaw && b - edge >= r.minRaw) { rawCut.push([cur, edge]); cur = edge; }
    }
    rawCut.push([cur, b]);
  }
  const recIn: number[][] = Array.from({ length: w.n }, () => []);
  // A window or piece goes to the bucket its middle is in (one straddling a boundary mostly lies there).
  const half = (W ?? 0) / 2;
  for (const e of plan.used) recIn[bucketOf(e - half)]!.push(e);
  // Every recorded window whose middle is in the bucket, used or not (before `from`, after `to`): a bucket
  // read by the range query must use them all; the last bucket never is (windows after `to` would count).
  const allIn: number[] = new Array(w.n).fill(0);
  for (const e of W === null ? [] : q.recorded.ends) if (e - half > w.from + TOL && e - half <= w.to + TOL) allIn[bucketOf(e - half)]! += 1;
  const rawIn: [number, number][][] = Array.from({ length: w.n }, () => []);
  for (const p of rawCut) rawIn[bucketOf((p[0] + p[1]) / 2)]!.push(p);
  const kind = recIn.map((ends, k) => {
    const raws = rawIn[k]!;
    if (raws.length === 0 && ends.length > 0 && ends.length === allIn[k] && k < w.n - 1) return 'rec';
    if (ends.length === 0 && raws.length === 1 && Math.abs(raws[0]![0] - (w.from + k * step)) < TOL && Math.abs(raws[0]![1] - (w.from + (k + 1) * step)) < TOL) return 'raw';
    return ends.length === 0 && raws.length === 0 ? 'none' : 'mixed';
  });

  const out = new Map<string, { labels: Record<string, string>; values: (number | null)[]; weights: number[] }>();
  const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  const put = (rows: RangeSeries[], which: string, shift = 0) => {
    for (const s of rows) {
      const k = keyOf(s.labels);
      let e = out.get(k);
      if (!e) out.set(k, (e = { labels: s.labels, values: new Array(w.n).fill(null), weights: new Array(w.n).fill(0) }));
      for (const [t, v] of s.points) {
        const i = Math.round((t - shift - w.from) / step) - 1;
        if (i >= 0 && i < w.n && kind[i] === which && Number.isFinite(v)) e.values[i] = v;
      }
    }
  };
  const jobs: Promise<void>[] = [];
  const stepText = promDuration(step * 1000);
  if (kind.includes('rec')) {
    const first = kind.indexOf('rec');
    const last = kind.lastIndexOf('rec');
    // Evaluated half a window after each bucket's end: a point sums the windows whose middle is in its bucket.
    jobs.push(src.range(q.rec!.replaceAll('$STEP', stepText), w.from + (first + 1) * step + half, w.from + (last + 1) * step + half, step).then((rows) => put(rows, 'rec', half)));
  }
  for (let k = 0; k < w.n; k++) {
    if (kind[k] !== 'raw') continue;
    let j = k;
    while (j + 1 < w.n && kind[j + 1] === 'raw') j++;
    jobs.push(src.range(q.raw.replaceAll('$STEP', stepText), w.from + (k + 1) * step, w.from + (j + 1) * step, step).then((rows) => put(rows, 'raw')));
    k = j;
  }
  const recParts: Part[] = [];
  const rawParts: Part[] = [];
  for (let k = 0; k < w.n; k++) {
    if (kind[k] !== 'mixed') continue;
    if (W !== null) recParts.push(...recordedParts(recIn[k]!, W, k));
    for (const [a, b] of rawIn[k]!) rawParts.push(rawPart(plan, k, a, b));
  }
  let parts: { part: Part; labels: Record<string, string>; value: number }[] = [];
  jobs.push(Promise.all([askParts(src, (p) => at(q.rec!, p), recParts), askParts(src, q.rawPart, rawParts)]).then(([a, b]) => { parts = [...a, ...b]; }));
  await Promise.all(jobs);
  combine(parts, w.n, q.average, out);
  return [...out.values()].map(({ labels, values }) => ({ labels, values }));
}

/** What the plan of the report's period reads: recorded time, raw pieces. */
export function describePlan(r: Reader, from: number, to: number): { windowSeconds: number | null; recordedSeconds: number; raw: [number, number][] } {
  const plan = planPieces(from, to, r.recorded.counters, r.minRaw);
  const W = plan.windowSeconds;
  return { windowSeconds: W, recordedSeconds: W === null ? 0 : plan.used.length * W, raw: plan.raw };
}

/** Run named figures, `parallel` at a time, reporting progress. */
export async function collectAll(
  names: readonly QueryName[], ask: (name: QueryName) => Promise<Bucketed[]>, parallel = 4,
  progress?: (done: number, total: number, name: string) => void,
): Promise<Partial<Collected>> {
  const out: Partial<Collected> = {};
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      out[name] = await ask(name);
      done += 1;
      progress?.(done, names.length, name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
  return out;
}

/**
 * The scrape interval of the tokenwatt job near the period's end (samples of `up` over its last
 * 10 minutes, at most): sizes the shortest raw piece. Cheap: one series per exporter.
 */
export async function scrapeInterval(src: Source, s: Selectors, from: number, to: number): Promise<number | null> {
  const span = Math.min(600, to - from);
  const r = await src.instant(`max(count_over_time(up{${withCluster(s.tokenwatt, s)}}[${promDuration(span * 1000)}]))`, to);
  const n = r[0]?.value ?? 0;
  return n > 1 ? span / n : null;
}

export interface Coverage {
  /** Scrape interval of the tokenwatt job, estimated from the samples of `up` in the period. */
  scrapeIntervalSeconds: number | null;
  /** Per exporter instance: up samples, and how many of them were 1. */
  instances: { labels: Record<string, string>; samples: number; upSamples: number }[];
}

/** What the tokenwatt job's `up` says about the period (from the upCount and upOk totals). */
export function coverageOf(c: string, upCount: Bucketed[], upOk: Bucketed[], from: number, to: number): Coverage {
  const key = (l: Record<string, string>) => `${l[c] ?? ''}\u0000${l.instance ?? ''}`;
  const sums = new Map(upOk.map((x) => [key(x.labels), x.values[0] ?? 0]));
  const instances = upCount.map((x) => ({
    labels: { [c]: x.labels[c] ?? '', instance: x.labels.instance ?? '' },
    samples: x.values[0] ?? 0,
    upSamples: sums.get(key(x.labels)) ?? 0,
  }));
  const best = Math.max(0, ...instances.map((i) => i.samples));
  return { scrapeIntervalSeconds: best > 1 ? (to - from) / best : null, instances };
}
