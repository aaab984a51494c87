// `tokenwatt report`: query a period (and the one before it) and build the figures.
import { collect, coverage, planWindow, PREVIOUS, reportQueries } from './collect.ts';
import type { QueryName, Selectors, Window } from './collect.ts';
import { buildReport, iso } from './model.ts';
import type { Report } from './model.ts';
import type { Source } from './source.ts';

export interface ReportOptions {
  from: number;
  to: number;
  selectors: Selectors;
  /** Compare with the previous period of the same length (default true). */
  previous?: boolean;
  parallel?: number;
  progress?: (done: number, total: number, what: string) => void;
}

/** No tokenwatt series at all in the period: nothing to report (exit 1 with this message). */
export class NoDataError extends Error {}

export async function generateReport(src: Source, o: ReportOptions): Promise<Report> {
  const cov = await coverage(src, o.selectors, o.from, o.to);
  const w = planWindow(o.from, o.to, cov.scrapeIntervalSeconds ?? 15);
  const names = Object.keys(reportQueries(o.selectors)) as QueryName[];
  const withPrevious = o.previous ?? true;
  const monthStart = Date.UTC(new Date(w.to * 1000).getUTCFullYear(), new Date(w.to * 1000).getUTCMonth(), 1) / 1000;
  const monthEnd = Date.UTC(new Date(w.to * 1000).getUTCFullYear(), new Date(w.to * 1000).getUTCMonth() + 1, 1) / 1000;
  // Month to date: fleet cost from the first of the month (UTC) to the period's end, in buckets of at most a day.
  const mtdSeconds = w.to - monthStart;
  let mtdWindow: Window | null = null;
  if (mtdSeconds > 0) {
    const n = Math.max(1, Math.ceil(mtdSeconds / 86_400));
    const stepSeconds = Math.round((mtdSeconds * 1000) / n) / 1000;
    mtdWindow = { from: w.to - n * stepSeconds, to: w.to, n, stepSeconds };
  }
  const previousWindow: Window = { ...w, from: w.from - (w.to - w.from), to: w.from };
  const total = names.length + (withPrevious ? PREVIOUS.length : 0) + (mtdWindow ? 1 : 0);
  let done = 0;
  const tick = (what: string) => o.progress?.(++done, total, what);

  const current = await collect(src, o.selectors, w, names, o.parallel ?? 4, (_d, _t, name) => tick(name));
  const anyData = (['gpuEnergy', 'modelEnergy', 'generationTokens'] as const).some((k) => (current[k] ?? []).some((r) => r.values.some((v) => v !== null)));
  if (!anyData) {
    throw new NoDataError(`no tokenwatt series between ${iso(w.from)} and ${iso(w.to)} at ${src.url} (selector {${o.selectors.tokenwatt}}${o.selectors.cluster !== undefined ? `, ${o.selectors.clusterLabel}="${o.selectors.cluster}"` : ''}): is the exporter scraped by this server (job name), is --cluster right, and does the range hold data (--from/--to, --range)?`);
  }
  const previous = withPrevious ? await collect(src, o.selectors, previousWindow, PREVIOUS, o.parallel ?? 4, (_d, _t, name) => tick(`previous ${name}`)) : null;
  let mtdCost: number | null = null;
  if (mtdWindow) {
    const r = await collect(src, o.selectors, mtdWindow, ['gpuCost'], 1);
    tick('month to date');
    mtdCost = r.gpuCost!.reduce((a, s) => a + s.values.reduce<number>((x, v) => x + (v ?? 0), 0), 0);
  }
  return buildReport({
    source: src.url,
    cluster: o.selectors.cluster ?? null,
    clusterLabel: o.selectors.clusterLabel,
    window: w,
    current,
    previous,
    previousWindow: withPrevious ? previousWindow : null,
    coverage: cov,
    monthToDate: { cost: mtdCost, month: new Date(w.to * 1000).toISOString().slice(0, 7), monthStart, monthEnd },
    load: src.load,
  });
}
