// Which catalog series are high-cardinality at fleet scale: those that multiply with the fleet by
// more than one series per GPU. At 32 hosts of 8 GPUs with 15 engines each, one serving histogram
// is ~480 engines x ~30 buckets, one dcgm-exporter field one series per GPU *and* per MIG instance.
// A dashboard panel reads these only through a recorded series (src/catalog/recording.ts, rules/);
// the build refuses a panel query over one unless the target is marked a drill-down
// (src/build/grafana/lint.ts).
import { allMetrics } from './index.ts';
import type { MetricDef } from './types.ts';

/** Sources whose series are per cluster, per node or per GPU at most (or recorded aggregates). */
const LOW_SOURCES = new Set(['recording', 'prometheus', 'node']);
/** Labels that make a tokenwatt or Kepler series one per engine, MIG slice, pod or container. */
const FINE_LABELS = ['model_name', 'engine', 'gpu_instance_id', 'pod', 'pod_id', 'pod_name', 'container_id', 'container_name'];

/**
 * High-cardinality: every histogram or summary (one series per bucket), every series of a serving
 * engine or GPU exporter (vLLM, SGLang, dcgm-exporter and kinds added later: one per engine or per
 * GPU/MIG instance), and tokenwatt or Kepler series labelled per engine, slice, pod or container.
 */
export function isHighCardinality(def: MetricDef): boolean {
  if (LOW_SOURCES.has(def.source)) return false;
  if (def.type === 'histogram' || def.type === 'summary') return true;
  if (def.source === 'tokenwatt' || def.source === 'kepler') return def.labels.some((l) => FINE_LABELS.includes(l));
  return true;
}

/** The list the build check uses, by catalog name. */
export const HIGH_CARDINALITY_SERIES: ReadonlySet<string> = new Set(allMetrics.filter(isHighCardinality).map((d) => d.name));
