// `tokenwatt report`: query a period (and the one before it) and build the figures.
import { collectAll, coverageOf, describePlan, figureBuckets, figureTotal, findRecorded, OVER_TIME, planWindow, PREVIOUS, scrapeInterval } from './collect.ts';
import type { QueryName, Reader, Recorded, Selectors, Window } from './collect.ts';
import { FIGURE_NAMES } from './figures.ts';
import type { ReportGroup } from './figures.ts';
import { buildReport, iso } from './model.ts';
import type { Reads, Report } from './model.ts';
import type { Source } from './source.ts';

export interface ReportOptions {
  from: number;
  to: number;
  selectors: Selectors;
  /** Compare with the previous period of the same length (default true). */
  previous?: boolean;
  /** Use the tokenwatt-report recorded series where they exist (default true); false: raw counters only. */
  recorded?: boolean;
  parallel?: number;
  progress?: (done: number, total: number, what: string) => void;
}

/** No tokenwatt series at all in the period: nothing to report (exit 1 with this message). */
export class NoDataError extends Error {}

export async function generateReport(src: Source, o: ReportOptions): Promise<Report> {
  const scrape = await scrapeInterval(src, o.selectors, o.from, o.to);
  const w = planWindow(o.from, o.to, scrape ?? 15);
  const withPrevious = o.previous ?? true;
  const monthStart = Date.UTC(new Date(w.to * 1000).getUTCFullYear(), new Date(w.to * 1000).getUTCMonth(), 1) / 1000;
  const monthEnd = Date.UTC(new Date(w.to * 1000).getUTCFullYear(), new Date(w.to * 1000).getUTCMonth() + 1, 1) / 1000;
  // Month to date: fleet cost from the first of the month (UTC) to the period's end.
  const mtdSeconds = w.to - monthStart;
  const previousWindow: Window = { ...w, from: w.from - (w.to - w.from), to: w.from };
  const earliest = Math.min(w.from, withPrevious ? previousWindow.from : w.from, mtdSeconds > 0 ? monthStart : w.from);
  const find = (g: ReportGroup): Promise<Recorded> => (o.recorded === false
    ? Promise.resolve({ windowSeconds: null, ends: [], unusable: 'asked for raw counters only (--no-recorded)' })
    : findRecorded(src, o.selectors, earliest, w.to, g));
  const [counters, serving] = await Promise.all([find('counters'), find('serving')]);
  const recorded = { counters, serving };
  const reader: Reader = { selectors: o.selectors, recorded, minRaw: 4 * (scrape ?? 15) };
  // Over time: some figures in buckets. Totals: every figure but restarts over the whole period.
  const totalNames = FIGURE_NAMES.filter((n) => n !== 'restarts');
  const total = OVER_TIME.length + totalNames.length + (withPrevious ? PREVIOUS.length : 0) + (mtdSeconds > 0 ? 1 : 0);
  let done = 0;
  const tick = (what: string) => o.progress?.(++done, total, what);
  const parallel = o.parallel ?? 4;

  const current = await collectAll(OVER_TIME, (name) => figureBuckets(src, reader, name, w), parallel, (_d, _t, name) => tick(`${name} over time`));
  const anyData = (['gpuEnergy', 'modelEnergy', 'generationTokens'] as const).some((k) => (current[k] ?? []).some((r) => r.values.some((v) => v !== null)));
  if (!anyData) {
    throw new NoDataError(`no tokenwatt series between ${iso(w.from)} and ${iso(w.to)} at ${src.url} (selector {${o.selectors.tokenwatt}}${o.selectors.cluster !== undefined ? `, ${o.selectors.clusterLabel}="${o.selectors.cluster}"` : ''}): is the exporter scraped by this server (job name), is --cluster right, and does the range hold data (--from/--to, --range)?`);
  }
  const totalOf = (from: number, to: number, coarse = false) => (name: QueryName) => figureTotal(src, reader, name, from, to, coarse);
  const totals = await collectAll(totalNames, totalOf(w.from, w.to), parallel, (_d, _t, name) => tick(name));
  const previous = withPrevious ? await collectAll(PREVIOUS, totalOf(previousWindow.from, previousWindow.to, true), parallel, (_d, _t, name) => tick(`previous ${name}`)) : null;
  let mtdCost: number | null = null;
  if (mtdSeconds > 0) {
    const r = await figureTotal(src, reader, 'gpuCost', monthStart, w.to, true);
    tick('month to date');
    mtdCost = r.reduce((a, s) => a + (s.values[0] ?? 0), 0);
  }
  const cov = coverageOf(o.selectors.clusterLabel, totals.upCount ?? [], totals.upOk ?? [], w.from, w.to);
  return buildReport({
    source: src.url,
    cluster: o.selectors.cluster ?? null,
    clusterLabel: o.selectors.clusterLabel,
    window: w,
    current,
    totals,
    previous,
    previousWindow: withPrevious ? previousWindow : null,
    coverage: cov,
    monthToDate: { cost: mtdCost, month: new Date(w.to * 1000).toISOString().slice(0, 7), monthStart, monthEnd },
    load: src.load,
    reads: reads(reader, w),
  });
}

/** What the report's period was read from, for its note. */
function reads(r: Reader, w: Window): Reads {
  const p = describePlan(r, w.from, w.to);
  const period = w.to - w.from;
  const rawSeconds = p.raw.reduce((a, [x, y]) => a + (y - x), 0);
  const raw = p.raw.map(([from, to]) => ({ from, to }));
  if (p.windowSeconds === null) {
    return { recordedWindowSeconds: null, recordedSeconds: 0, rawSeconds, raw, note: `Read from the raw counters over the whole period: ${r.recorded.counters.unusable ?? 'no recorded series'}. A long period of a large fleet reads every raw sample (docs/report.md, "Query load").` };
  }
  const W = p.windowSeconds;
  const edges = p.raw.length === 0 ? '' : `; from the raw counters for ${fmt(rawSeconds)} in ${p.raw.length} piece(s) no recorded window covers (${p.raw.map(([a, b]) => `${iso(a)} to ${iso(b)}`).join(', ')})`;
  const share = ((p.recordedSeconds / period) * 100).toFixed(p.recordedSeconds === period ? 0 : 1);
  return { recordedWindowSeconds: W, recordedSeconds: p.recordedSeconds, rawSeconds, raw, note: `Read from the ${fmt(W)} increases the tokenwatt-report recording group records (rules/report.ts) for ${share} % of the period${edges}.` };
}

function fmt(s: number): string {
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400}d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${+s.toFixed(1)}s`;
}
