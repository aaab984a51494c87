// The queries behind a report. Every total is a sum of per-bucket `increase()` over tokenwatt's
// counters, asked as one range query per figure with step = bucket length and range = step: each
// bucket is (t - step, t], so buckets neither overlap nor leave gaps, and Prometheus loads one
// bucket of samples at a time (an `increase(x[30d])` over a large fleet would load every sample of
// the month at once and can hit query.max-samples). Sums are taken by the labels the report needs
// (never by pod or instance), so the series returned stay few.
import { sel } from '../promql/helpers.ts';
import { promDuration } from './source.ts';
import type { RangeSeries, Source } from './source.ts';

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

/** Run a range query over a window and align its points to bucket indexes. */
export async function bucketed(src: Source, query: string, w: Window): Promise<Bucketed[]> {
  const series = await src.range(query, w.from + w.stepSeconds, w.to, w.stepSeconds);
  return series.map((s) => align(s, w));
}

function align(s: RangeSeries, w: Window): Bucketed {
  const values: (number | null)[] = new Array(w.n).fill(null);
  for (const [t, v] of s.points) {
    const k = Math.round((t - w.from) / w.stepSeconds) - 1;
    if (k >= 0 && k < w.n && Number.isFinite(v)) values[k] = v;
  }
  return { labels: s.labels, values };
}

const ANY_STEP = '$STEP';

/**
 * The PromQL for every figure; `$STEP` stands for the bucket length. `overTime` sums the model
 * figures by model only and the GPU cost by cluster: the buckets feed the charts, gaps and arrivals,
 * while the per-slice split comes from the totals, so the range queries return few series.
 */
export function reportQueries(s: Selectors, overTime = false) {
  const c = s.clusterLabel;
  const tw = s.cluster === undefined ? s.tokenwatt : `${s.tokenwatt}, ${c}=${JSON.stringify(s.cluster)}`;
  const withCluster = (base: string) => (s.cluster === undefined ? base : `${base}, ${c}=${JSON.stringify(s.cluster)}`);
  const GPU = [c, 'host', 'gpu', 'gpu_uuid', 'gpu_model'];
  const SLICE = [...GPU, 'gpu_instance_id', 'gpu_profile'];
  const MODEL = [c, 'namespace', 'model_name'];
  const MODEL_ON_SLICE = overTime ? MODEL : [c, 'namespace', 'model_name', ...SLICE.slice(1)];
  const inc = (name: string, by: string[], sel_ = tw, suffix = '') => `sum by (${by.join(', ')}) (increase(${sel(name, sel_, suffix)}[${ANY_STEP}]))`;
  return {
    // Per model and where it ran (slice key): the model rows, "which model ran where", idle shares.
    generationTokens: inc('tokenwatt_model_generation_tokens_total', MODEL_ON_SLICE),
    promptTokens: inc('tokenwatt_model_prompt_tokens_total', MODEL_ON_SLICE),
    modelEnergy: inc('tokenwatt_model_energy_joules_total', MODEL_ON_SLICE),
    modelCost: inc('tokenwatt_model_cost_total', [...MODEL_ON_SLICE, 'currency']),
    modelCo2e: inc('tokenwatt_model_co2e_grams_total', MODEL_ON_SLICE),
    // Per slice and GPU.
    sliceEnergy: inc('tokenwatt_slice_energy_joules_total', [...SLICE, 'state']),
    sliceCost: inc('tokenwatt_slice_cost_total', [...SLICE, 'component', 'currency']),
    idleCost: inc('tokenwatt_idle_cost_total', [...SLICE, 'currency']),
    unallocatedEnergy: inc('tokenwatt_unallocated_energy_joules_total', GPU),
    unallocatedCost: inc('tokenwatt_unallocated_cost_total', [...GPU, 'currency']),
    gpuEnergy: inc('tokenwatt_gpu_energy_joules_total', GPU),
    gpuCost: inc('tokenwatt_gpu_cost_total', overTime ? [c, 'currency'] : [...GPU, 'component', 'currency']),
    gpuCo2e: inc('tokenwatt_gpu_co2e_grams_total', GPU),
    gpuUtilisation: `avg by (${GPU.join(', ')}) (avg_over_time(${sel('tokenwatt_gpu_utilization_ratio', tw)}[${ANY_STEP}]))`,
    // Exporter restarts: every tokenwatt counter restarts at 0, so energy while it was down is in no total.
    restarts: `max by (${c}, instance) (resets(${sel('tokenwatt_gpu_energy_joules_total', tw)}[${ANY_STEP}]))`,
    // Scrapes of each exporter per bucket: when it was first and last seen, and buckets it missed.
    upCount: `sum by (${c}, instance) (count_over_time(${sel('up', tw)}[${ANY_STEP}]))`,
    gridIntensity: `avg by (${c}, source) (avg_over_time(${sel('tokenwatt_grid_intensity_grams_per_kwh', tw)}[${ANY_STEP}]))`,
    // Serving: requests and the latency histogram summed over the bucket (quantiles are taken over the whole period).
    vllmRequests: inc('vllm:e2e_request_latency_seconds', MODEL, withCluster(s.vllm), '_count'),
    sglangRequests: inc('sglang:e2e_request_latency_seconds', MODEL, withCluster(s.sglang), '_count'),
    vllmLatency: inc('vllm:e2e_request_latency_seconds', [...MODEL, 'le'], withCluster(s.vllm), '_bucket'),
    sglangLatency: inc('sglang:e2e_request_latency_seconds', [...MODEL, 'le'], withCluster(s.sglang), '_bucket'),
  } as const;
}
export type QueryName = keyof ReturnType<typeof reportQueries>;

/** The figures asked in buckets (over time); every other one only as a total. */
export const OVER_TIME: QueryName[] = ['generationTokens', 'modelEnergy', 'modelCost', 'gpuEnergy', 'gpuCost', 'restarts', 'upCount'];

/** Figures the previous period needs (model totals and fleet totals only). */
export const PREVIOUS: QueryName[] = ['generationTokens', 'modelEnergy', 'modelCost', 'modelCo2e', 'gpuEnergy', 'gpuCost'];

export interface Coverage {
  /** Scrape interval of the tokenwatt job, estimated from the samples of `up` in the period. */
  scrapeIntervalSeconds: number | null;
  /** Per exporter instance: up samples, and how many of them were 1. */
  instances: { labels: Record<string, string>; samples: number; upSamples: number }[];
}

/**
 * What the tokenwatt job's `up` says about the period: how many scrapes there were and how many
 * failed. One instant query per statistic over the whole period, on `up` only (one series per
 * exporter), so it is cheap even for a month. (When each exporter was first and last seen comes from
 * the bucketed `upCount`.)
 */
export async function coverage(src: Source, s: Selectors, fromS: number, toS: number): Promise<Coverage> {
  const c = s.clusterLabel;
  const up = sel('up', s.cluster === undefined ? s.tokenwatt : `${s.tokenwatt}, ${c}=${JSON.stringify(s.cluster)}`);
  const range = promDuration((toS - fromS) * 1000);
  const [count, sum] = await Promise.all([
    src.instant(`count_over_time(${up}[${range}])`, toS),
    src.instant(`sum_over_time(${up}[${range}])`, toS),
  ]);
  const key = (l: Record<string, string>) => `${l[c] ?? ''}\u0000${l.instance ?? ''}`;
  const sums = new Map(sum.map((x) => [key(x.labels), x.value]));
  const instances = count.map((x) => ({
    labels: { [c]: x.labels[c] ?? '', instance: x.labels.instance ?? '' },
    samples: x.value,
    upSamples: sums.get(key(x.labels)) ?? 0,
  }));
  const best = Math.max(0, ...instances.map((i) => i.samples));
  return { scrapeIntervalSeconds: best > 1 ? (toS - fromS) / best : null, instances };
}

export type Collected = Record<QueryName, Bucketed[]>;

/**
 * The same figures as one instant query each over the whole period (`increase(x[PERIOD])` at its end):
 * the report's totals, exactly what PromQL answers for the period. Prometheus evaluates a range
 * function series by series, so even a month of a large fleet stays within query.max-samples.
 * Each result is a Bucketed with one value.
 */
export async function collectTotals(
  src: Source, s: Selectors, fromS: number, toS: number, names: readonly QueryName[], parallel = 4,
  progress?: (done: number, total: number, name: string) => void,
): Promise<Partial<Collected>> {
  const queries = reportQueries(s);
  const range = promDuration((toS - fromS) * 1000);
  const out: Partial<Collected> = {};
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const r = await src.instant(queries[name].replaceAll(ANY_STEP, range), toS);
      out[name] = r.filter((x) => Number.isFinite(x.value)).map((x) => ({ labels: x.labels, values: [x.value] }));
      done += 1;
      progress?.(done, names.length, name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
  return out;
}

/** Run the named figures over a window, `parallel` queries at a time, reporting progress. */
export async function collect(
  src: Source, s: Selectors, w: Window, names: readonly QueryName[], parallel = 4,
  progress?: (done: number, total: number, name: string) => void,
): Promise<Partial<Collected>> {
  const queries = reportQueries(s, true);
  const step = promDuration(w.stepSeconds * 1000);
  const out: Partial<Collected> = {};
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      out[name] = await bucketed(src, queries[name].replaceAll(ANY_STEP, step), w);
      done += 1;
      progress?.(done, names.length, name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
  return out;
}
