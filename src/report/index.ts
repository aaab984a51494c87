// `tokenwatt report`: query a period (and the one before it) and build the figures.
import { collect, collectTotals, coverage, OVER_TIME, planWindow, PREVIOUS, reportQueries } from './collect.ts';
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
  const previousWindow: Window = { ...w, from: w.from - (w.to - w.from), to: w.from };
  // Over time: every figure in buckets. Totals: every figure but restarts over the whole period.
  const totalNames = names.filter((n) => n !== 'restarts' && n !== 'upCount');
  const total = OVER_TIME.length + totalNames.length + (withPrevious ? PREVIOUS.length : 0) + (mtdSeconds > 0 ? 1 : 0);
  let done = 0;
  const tick = (what: string) => o.progress?.(++done, total, what);

  const current = await collect(src, o.selectors, w, OVER_TIME, o.parallel ?? 4, (_d, _t, name) => tick(`${name} over time`));
  const anyData = (['gpuEnergy', 'modelEnergy', 'generationTokens'] as const).some((k) => (current[k] ?? []).some((r) => r.values.some((v) => v !== null)));
  if (!anyData) {
    throw new NoDataError(`no tokenwatt series between ${iso(w.from)} and ${iso(w.to)} at ${src.url} (selector {${o.selectors.tokenwatt}}${o.selectors.cluster !== undefined ? `, ${o.selectors.clusterLabel}="${o.selectors.cluster}"` : ''}): is the exporter scraped by this server (job name), is --cluster right, and does the range hold data (--from/--to, --range)?`);
  }
  const totals = await collectTotals(src, o.selectors, w.from, w.to, totalNames, o.parallel ?? 4, (_d, _t, name) => tick(name));
  const previous = withPrevious ? await collectTotals(src, o.selectors, previousWindow.from, previousWindow.to, PREVIOUS, o.parallel ?? 4, (_d, _t, name) => tick(`previous ${name}`)) : null;
  let mtdCost: number | null = null;
  if (mtdSeconds > 0) {
    const r = await collectTotals(src, o.selectors, monthStart, w.to, ['gpuCost'], 1);
    tick('month to date');
    mtdCost = r.gpuCost!.reduce((a, s) => a + (s.values[0] ?? 0), 0);
  }
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
  });
}
