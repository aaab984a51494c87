// The shape of one catalog entry. Every series name that a dashboard, rule or collector uses
// is declared exactly once as a MetricDef (see src/catalog/index.ts).
import type { KindId } from '../kinds/index.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'info' | 'summary';

/**
 * Who exposes the series: an upstream kind of the registry (src/kinds/index.ts), `recording` (tokenwatt's
 * own recording rules, level:metric:operations) or `prometheus` (Prometheus's own series).
 */
export type Source = KindId | 'recording' | 'prometheus';

/**
 * dcgm-exporter only. `board`: a whole-GPU value that dcgm-exporter repeats on every MIG instance
 * of the GPU (power, energy, clocks, temperatures...): never sum it over MIG series.
 * `instance`: a per-GPU-instance value under MIG (profiling ratios, framebuffer).
 */
export type GpuScope = 'board' | 'instance';

export interface MetricDef {
  /** The series name as exposed (counters include `_total`; histograms are the base name). */
  name: string;
  type: MetricType;
  /**
   * The unit of the value: a Prometheus base unit (seconds, joules, watts, bytes, celsius, ratio)
   * or a count noun (tokens, requests) or the upstream's own (mJ, MiB, MHz, percent).
   */
  unit: string;
  /** Grafana's unit id for a panel that plots the value as is (or its rate, for counters). */
  grafanaUnit: string;
  help: string;
  labels: readonly string[];
  source: Source;
  /** dcgm-exporter fields: whether the value is the whole board's, repeated on MIG instances. */
  scope?: GpuScope;
  /** Upstream version that introduced the name, where it matters. */
  since?: string;
  /** For a renamed or removed upstream series: its replacement and the deprecation timeline. */
  replacedBy?: string;
  deprecated?: string;
  hidden?: string;
  removed?: string;
  /**
   * Where the name, type and labels were checked upstream: file and commit (and release where known),
   * e.g. `vllm/v1/metrics/loggers.py @ 3168f587`.
   */
  checked?: string;
  /** Off by default upstream (dcgm-exporter profiling/ECC fields, Kepler GPU): say so where used. */
  optional?: boolean;
}

export function defineMetrics<const T extends readonly MetricDef[]>(defs: T): T {
  return defs;
}
