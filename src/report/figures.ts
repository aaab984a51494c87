// Every figure `tokenwatt report` reads, stated once for both sides that use it: the report's
// PromQL over the raw counters (collect.ts) and the `tokenwatt-report` recording group
// (rules/report.ts) that records the same figure per window (1h by default; the window is
// prometheus.reportInterval), so that a month is
// read from ~720 recorded samples per series instead of ~172,800 raw ones at a 15 s scrape.
//
// A recorded series keeps exactly the labels the report groups by (plus `job`, so the report's
// job selector still applies) and drops instance, pod and engine: one rule per figure, reading
// each raw series once per window.
import { sel } from '../promql/helpers.ts';

/** `increase`, `count_over_time`, `sum_over_time`: additive over time. `avg_over_time`: a time average. `resets`: additive. */
type Fn = 'increase' | 'avg_over_time' | 'count_over_time' | 'sum_over_time' | 'resets';
export type SelectorName = 'tokenwatt' | 'vllm' | 'sglang';

export interface FigureSpec {
  /** Recording rule level (the labels kept, Prometheus's `level:metric:operations`). */
  level: string;
  metric: string;
  suffix?: string;
  fn: Fn;
  selector: SelectorName;
  /** Labels of the report's totals (and of the recorded series, with `job`). */
  by: string[];
  /** Labels the over-time (bucketed) figure is summed by, where coarser than `by`. */
  overTimeBy?: string[];
  /** How series are combined across the `by` labels: sum, avg (time averages), max (restarts per exporter). */
  agg: 'sum' | 'avg' | 'max';
}

export const FIGURE_NAMES = [
  'generationTokens', 'promptTokens', 'modelEnergy', 'modelCost', 'modelCo2e',
  'sliceEnergy', 'sliceCost', 'idleCost', 'unallocatedEnergy', 'unallocatedCost',
  'gpuEnergy', 'gpuCost', 'gpuCo2e', 'gpuUtilisation', 'restarts', 'upCount', 'upOk', 'gridIntensity',
  'vllmRequests', 'sglangRequests', 'vllmLatency', 'sglangLatency',
] as const;
export type QueryName = (typeof FIGURE_NAMES)[number];

export function figureSpecs(c: string): Record<QueryName, FigureSpec> {
  const GPU = [c, 'host', 'gpu', 'gpu_uuid', 'gpu_model'];
  const SLICE = [...GPU, 'gpu_instance_id', 'gpu_profile'];
  const MODEL = [c, 'namespace', 'model_name'];
  const MODEL_ON_SLICE = [...MODEL, ...SLICE.slice(1)];
  const INSTANCE = [c, 'instance'];
  const tw = (level: string, metric: string, by: string[], overTimeBy?: string[]): FigureSpec => ({ level, metric, fn: 'increase', selector: 'tokenwatt', by, agg: 'sum', ...(overTimeBy && { overTimeBy }) });
  return {
    // Per model and where it ran (slice key): the model rows, "which model ran where", idle shares.
    generationTokens: tw('model_slice', 'tokenwatt_model_generation_tokens_total', MODEL_ON_SLICE, MODEL),
    promptTokens: tw('model_slice', 'tokenwatt_model_prompt_tokens_total', MODEL_ON_SLICE),
    modelEnergy: tw('model_slice', 'tokenwatt_model_energy_joules_total', MODEL_ON_SLICE, MODEL),
    modelCost: tw('model_slice', 'tokenwatt_model_cost_total', [...MODEL_ON_SLICE, 'currency'], [...MODEL, 'currency']),
    modelCo2e: tw('model_slice', 'tokenwatt_model_co2e_grams_total', MODEL_ON_SLICE),
    // Per slice and GPU.
    sliceEnergy: tw('slice', 'tokenwatt_slice_energy_joules_total', [...SLICE, 'state']),
    sliceCost: tw('slice', 'tokenwatt_slice_cost_total', [...SLICE, 'component', 'currency']),
    idleCost: tw('slice', 'tokenwatt_idle_cost_total', [...SLICE, 'currency']),
    unallocatedEnergy: tw('gpu', 'tokenwatt_unallocated_energy_joules_total', GPU),
    unallocatedCost: tw('gpu', 'tokenwatt_unallocated_cost_total', [...GPU, 'currency']),
    gpuEnergy: tw('gpu', 'tokenwatt_gpu_energy_joules_total', GPU),
    gpuCost: tw('gpu', 'tokenwatt_gpu_cost_total', [...GPU, 'component', 'currency'], [c, 'currency']),
    gpuCo2e: tw('gpu', 'tokenwatt_gpu_co2e_grams_total', GPU),
    gpuUtilisation: { level: 'gpu', metric: 'tokenwatt_gpu_utilization_ratio', fn: 'avg_over_time', selector: 'tokenwatt', by: GPU, agg: 'avg' },
    // Exporter restarts: every tokenwatt counter restarts at 0, so energy while it was down is in no total.
    restarts: { level: 'instance', metric: 'tokenwatt_gpu_energy_joules_total', fn: 'resets', selector: 'tokenwatt', by: INSTANCE, agg: 'max' },
    // Scrapes of each exporter, and how many succeeded: when it was first and last seen, buckets it missed.
    upCount: { level: 'instance', metric: 'up', fn: 'count_over_time', selector: 'tokenwatt', by: INSTANCE, agg: 'sum' },
    upOk: { level: 'instance', metric: 'up', fn: 'sum_over_time', selector: 'tokenwatt', by: INSTANCE, agg: 'sum' },
    gridIntensity: { level: 'source', metric: 'tokenwatt_grid_intensity_grams_per_kwh', fn: 'avg_over_time', selector: 'tokenwatt', by: [c, 'source'], agg: 'avg' },
    // Serving: requests and the latency histogram (quantiles are taken over the whole period).
    vllmRequests: { level: 'model_name', metric: 'vllm:e2e_request_latency_seconds', suffix: '_count', fn: 'increase', selector: 'vllm', by: MODEL, agg: 'sum' },
    sglangRequests: { level: 'model_name', metric: 'sglang:e2e_request_latency_seconds', suffix: '_count', fn: 'increase', selector: 'sglang', by: MODEL, agg: 'sum' },
    vllmLatency: { level: 'model_name', metric: 'vllm:e2e_request_latency_seconds', suffix: '_bucket', fn: 'increase', selector: 'vllm', by: [...MODEL, 'le'], agg: 'sum' },
    sglangLatency: { level: 'model_name', metric: 'sglang:e2e_request_latency_seconds', suffix: '_bucket', fn: 'increase', selector: 'sglang', by: [...MODEL, 'le'], agg: 'sum' },
  };
}

/** Whether a figure is a time average (pieces are weighted by their length) or additive over time. */
export const isAverage = (f: FigureSpec) => f.fn === 'avg_over_time';

/** `1h`, `5m`, `90s` for a window of whole seconds (the recorded names carry it). */
export function windowName(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * The recorded series of a figure: `gpu:tokenwatt_gpu_energy_joules:increase_window`. The window
 * (prometheus.reportInterval) is not in the name, so one name serves every window; the marker
 * series states it.
 */
export function recordedName(f: FigureSpec): string {
  const base = `${f.metric.replaceAll(':', '_')}${f.suffix ?? ''}`.replace(/_total$/, '');
  return `${f.level}:${base}:${f.fn}_window`;
}

/** The two recording groups (at most 20 rules a group): tokenwatt's counters, and the engines' histograms. */
export type ReportGroup = 'counters' | 'serving';
export const groupOf = (f: FigureSpec): ReportGroup => (f.selector === 'tokenwatt' ? 'counters' : 'serving');
export const GROUP_NAMES: Record<ReportGroup, string> = { counters: 'tokenwatt-report', serving: 'tokenwatt-report-serving' };

/** The marker each group records at every evaluation: its samples' timestamps are the windows' ends, its value the window in seconds. */
export const WINDOW_MARKERS: Record<ReportGroup, string> = { counters: 'job:tokenwatt_report_window:seconds', serving: 'job:tokenwatt_report_serving_window:seconds' };

/** The raw PromQL of a figure; `[$STEP]` is the range. */
export function rawExpr(f: FigureSpec, selector: string, by: string[]): string {
  return `${f.agg} by (${by.join(', ')}) (${f.fn}(${sel(f.metric, selector, f.suffix ?? '')}[$STEP]))`;
}

/** The same figure over its recorded series: their sum (time average) over `[$STEP]`. */
export function recordedExpr(f: FigureSpec, selector: string, by: string[]): string {
  const name = recordedName(f);
  const s = selector === '' ? name : `${name}{${selector}}`;
  return isAverage(f) ? `avg by (${by.join(', ')}) (avg_over_time(${s}[$STEP]))` : `sum by (${by.join(', ')}) (sum_over_time(${s}[$STEP]))`;
}

/**
 * The recording rule of a figure over one window, by its labels and `job`. A counter's window is
 * the exact difference of its values at the window's ends (`x - x offset W`: consecutive windows
 * add up to the difference over the whole run, with nothing lost or extrapolated between them);
 * a window with a counter reset (negative difference) or a series new in it takes `increase()`.
 */
export function recordingRule(f: FigureSpec, selector: string, windowSeconds: number): { record: string; expr: string } {
  const W = windowName(windowSeconds);
  const by = [...f.by, 'job'].join(', ');
  if (f.fn !== 'increase') return { record: recordedName(f), expr: rawExpr(f, selector, [...f.by, 'job']).replace('[$STEP]', `[${W}]`) };
  const x = sel(f.metric, selector, f.suffix ?? '');
  return { record: recordedName(f), expr: `${f.agg} by (${by}) ((${x} - ${x} offset ${W}) >= 0 or increase(${x}[${W}]))` };
}

/** Where a raw piece sits against recorded windows: alone, before a run, after one, between two. */
export type PieceShape = 'whole' | 'start' | 'end' | 'between';

/**
 * A counter figure over one raw piece (a, b], per series, so that it joins the recorded runs
 * beside it without overlap or hole (runs are exact differences of the counter's values at their
 * ends, see recordingRule):
 * - whole: `increase()` over the piece, as PromQL answers for it;
 * - start (a run starts at b): `increase()` less its extrapolation past the last sample (the run
 *   counts from that sample): increase × (t_last - a) / d;
 * - end (a run ends at a): the exact difference from the run's last value, plus PromQL's
 *   extrapolation from the last sample to b (at most one scrape interval);
 * - between two runs: the exact difference.
 * A negative difference (a counter reset) falls back to `increase()` over the piece.
 */
export function rawPieceExpr(f: FigureSpec, selector: string, by: string[], shape: PieceShape, a: number, b: number, durationText: string, scrapeSeconds: number): string {
  const x = sel(f.metric, selector, f.suffix ?? '');
  const d = b - a;
  const at = (t: number) => `${x} @ ${t}`;
  const inc = `increase(${x}[${durationText}] @ ${b})`;
  const diff = `((${at(b)} - ${at(a)}) >= 0 or ${inc})`;
  let inner: string;
  if (f.fn !== 'increase' || shape === 'whole') inner = `${f.fn}(${x}[${durationText}] @ ${b})`;
  else if (shape === 'start') inner = `${inc} * (timestamp(${at(b)}) - ${a}) / ${d}`;
  else if (shape === 'end') inner = `${diff} + rate(${x}[${durationText}] @ ${b}) * clamp_max(${b} - timestamp(${at(b)}), ${scrapeSeconds})`;
  else inner = diff;
  return `${f.agg} by (${by.join(', ')}) (${inner})`;
}
