// The metric catalog: every upstream and tokenwatt series name, declared once.
// Dashboards, rules and collectors import names from here; the build rejects any other name.
import { dcgmMetrics } from './dcgm.ts';
import { keplerMetrics } from './kepler.ts';
import { prometheusMetrics } from './prometheus.ts';
import { recordingMetrics } from './recording.ts';
import { sglangMetrics } from './sglang.ts';
import { tokenwattMetrics } from './tokenwatt.ts';
import type { MetricDef } from './types.ts';
import { vllmMetrics } from './vllm.ts';
import { tgiMetrics, tgiRecordedMetrics } from '../kinds/tgi/metrics.ts';
import { llamacppMetrics, llamacppRecordedMetrics } from '../kinds/llamacpp/metrics.ts';
import { tritonMetrics, tritonRecordedMetrics } from '../kinds/triton/metrics.ts';

export type { MetricDef, MetricType, Source, GpuScope } from './types.ts';

export const allMetrics: readonly MetricDef[] = [
  ...vllmMetrics, ...sglangMetrics, ...dcgmMetrics, ...keplerMetrics,
  ...tokenwattMetrics, ...recordingMetrics, ...prometheusMetrics, ...tgiMetrics, ...tgiRecordedMetrics,
  ...llamacppMetrics, ...llamacppRecordedMetrics, ...tritonMetrics, ...tritonRecordedMetrics,
];

function index(defs: readonly MetricDef[]): ReadonlyMap<string, MetricDef> {
  const map = new Map<string, MetricDef>();
  for (const def of defs) {
    if (map.has(def.name)) throw new Error(`metric catalog: ${def.name} is declared twice`);
    map.set(def.name, def);
  }
  return map;
}

export const catalog: ReadonlyMap<string, MetricDef> = index(allMetrics);

/** The definition of a catalog name; throws on a name the catalog does not hold. */
export function metric(name: string): MetricDef {
  const def = catalog.get(name);
  if (!def) throw new Error(`metric '${name}' is not in the catalog (src/catalog/)`);
  return def;
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * Resolve a series name as it appears in a query or a scrape (`foo_bucket`, `foo_count`,
 * `foo_created`) to its catalog entry, or undefined when the catalog does not know it.
 */
export function lookupSeries(series: string): MetricDef | undefined {
  const exact = catalog.get(series);
  if (exact) return exact;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!series.endsWith(suffix)) continue;
    const def = catalog.get(series.slice(0, -suffix.length));
    if (def && (def.type === 'histogram' || def.type === 'summary')) return def;
  }
  // prometheus_client adds `_created` next to every counter and histogram.
  if (series.endsWith('_created')) {
    const base = series.slice(0, -'_created'.length);
    return catalog.get(`${base}_total`) ?? catalog.get(base);
  }
  return undefined;
}

/** The old names a series replaced (vllm:gpu_cache_usage_perc for vllm:kv_cache_usage_perc...). */
export function olderNames(name: string): string[] {
  metric(name);
  return allMetrics.filter((d) => d.replacedBy === name && d.type === metric(name).type).map((d) => d.name);
}

/** True for dcgm-exporter whole-GPU values that are repeated on every MIG instance. */
export function isBoardScoped(name: string): boolean {
  return lookupSeries(name)?.scope === 'board';
}
