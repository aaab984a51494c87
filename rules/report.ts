// `tokenwatt report`'s long-range inputs (two groups: tokenwatt's counters, the engines' histograms): every figure the report reads (src/report/figures.ts),
// recorded once per window (prometheus.reportInterval, default 1h) as that window's increase (or
// time average) by the labels the report needs. A 30-day report then sums ~720 recorded samples per
// series instead of reading every raw sample of the month (docs/report.md, "Query load").
//
// Cheap by construction: the group runs once per window, and each rule reads its raw series once
// over exactly one window (every raw sample is read once per window, by one rule; only the GPU
// energy counters are read twice, for `increase` and for `resets`). The marker records the window
// at each evaluation, so the report knows which windows exist (and reads the raw counters for the
// ones that do not: before the group was deployed, while Prometheus was down, at the period's edges).
import { parseDurationMs } from '../src/config/duration.ts';
import { figureSpecs, GROUP_NAMES, groupOf, recordingRule, WINDOW_MARKERS } from '../src/report/figures.ts';
import type { ReportGroup } from '../src/report/figures.ts';
import { sel } from '../src/promql/helpers.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

/** The report group's window in whole seconds (prometheus.reportInterval). */
export function reportWindowSeconds(interval: string): number {
  const ms = parseDurationMs(interval);
  if (ms === undefined || ms < 1000 || ms % 1000 !== 0) throw new Error(`prometheus.reportInterval: '${interval}' is not a whole number of seconds, minutes or hours (e.g. 1h)`);
  return ms / 1000;
}

/** One group per ReportGroup (each evaluates at its own offset, so each records its own marker). */
const reportGroup = (which: ReportGroup): RecordingGroupDef => (c) => {
  const w = reportWindowSeconds(c.prometheus.reportInterval);
  const specs = Object.values(figureSpecs(c.clusterLabel)).filter((f) => groupOf(f) === which);
  return {
    name: GROUP_NAMES[which],
    interval: c.prometheus.reportInterval,
    rules: [
      { record: WINDOW_MARKERS[which], expr: `max by (${c.clusterLabel}, job) (${sel('up', c.selectors.tokenwatt)}) * 0 + ${w}` },
      ...specs.map((f) => recordingRule(f, c.selectors[f.selector], w)),
    ],
  };
};
export const reportCounters = reportGroup('counters');
export const reportServing = reportGroup('serving');
