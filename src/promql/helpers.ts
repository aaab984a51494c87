// Query builders on top of the catalog. Every name passes through metric(), so a query cannot
// name a series the catalog does not hold; version tolerance and MIG safety live here, once.
import { metric, olderNames } from '../catalog/index.ts';

/** Label matchers: a ready string (`job="x", model_name=~"$model"`) or a record of equality matchers. */
export type Matchers = string | Record<string, string>;

function matcherText(m: Matchers | undefined): string {
  if (m === undefined) return '';
  if (typeof m === 'string') return m;
  return Object.entries(m).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
}

/** `name{matchers}` for a catalog name. */
export function sel(name: string, matchers?: Matchers, suffix = ''): string {
  metric(name);
  const m = matcherText(matchers);
  return m ? `${name}${suffix}{${m}}` : `${name}${suffix}`;
}

/** The current name and the older names it replaced (newest first). */
export function namesOf(name: string): string[] {
  return [name, ...olderNames(name)];
}

/**
 * Version-tolerant instant selector: `(new{m} or old{m})`. Where old and new are both served
 * (vLLM 0.9.2-0.10), `or` keeps the new series; with only one, that one is used.
 */
export function anyName(name: string, matchers?: Matchers): string {
  const names = namesOf(name);
  if (names.length === 1) return sel(name, matchers);
  return `(${names.map((n) => sel(n, matchers)).join(' or ')})`;
}

/** `rate(counter[w])`, version-tolerant. `w` defaults to Grafana's $__rate_interval. */
export function rateOf(name: string, matchers?: Matchers, window = '$__rate_interval', fn: 'rate' | 'increase' = 'rate'): string {
  const def = metric(name);
  const suffix = def.type === 'histogram' ? '_count' : '';
  const parts = namesOf(name).map((n) => `${fn}(${sel(n, matchers, suffix)}[${window}])`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`;
}

/** `sum by (...) (rate(...))` of a counter, version-tolerant. */
export function sumRate(name: string, by: readonly string[], matchers?: Matchers, window = '$__rate_interval'): string {
  return `sum by (${by.join(', ')}) (${rateOf(name, matchers, window)})`;
}

/** histogram_quantile over a (possibly renamed) histogram, aggregated by `by` plus `le`. */
export function histogramQuantile(q: number, name: string, by: readonly string[], matchers?: Matchers, window = '$__rate_interval'): string {
  const def = metric(name);
  if (def.type !== 'histogram') throw new Error(`histogramQuantile: ${name} is a ${def.type}, not a histogram`);
  const buckets = namesOf(name).map((n) => `rate(${sel(n, matchers, '_bucket')}[${window}])`);
  const inner = buckets.length === 1 ? buckets[0]! : `(${buckets.join(' or ')})`;
  return `histogram_quantile(${q}, sum by (${['le', ...by].join(', ')}) (${inner}))`;
}

/** The labels that identify one physical GPU (real scrapes redact UUIDs to one string, so all three). */
export const BOARD_KEY = ['host', 'gpu', 'UUID'] as const;

/**
 * MIG-safe board aggregation: dcgm-exporter repeats whole-GPU values (power, energy, clocks) on
 * every MIG instance, so collapse them to one series per physical GPU before any sum. `host` is
 * set at ingest from dcgm-exporter's own `Hostname`/`hostname` label (metric_relabel_configs in
 * scrape-configs/), so no query relabels it.
 */
export function boardMax(expr: string, extra: readonly string[] = []): string {
  return `max by (${[...BOARD_KEY, ...extra].join(', ')}) (${expr})`;
}

/**
 * Board power in watts from dcgm-exporter's energy counter (mJ), one series per physical GPU.
 * Energy is always measured from the counter: rate() handles driver-reload resets.
 */
export function boardWattsFromEnergy(matchers?: Matchers, window = '$__rate_interval'): string {
  return `(${boardMax(`rate(${sel('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', matchers)}[${window}])`)} / 1000)`;
}

/** Board energy in joules over a window, one series per physical GPU. */
export function boardJoules(matchers: Matchers | undefined, window: string): string {
  return `(${boardMax(`increase(${sel('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', matchers)}[${window}])`)} / 1000)`;
}

/** Lines a fleet-wide panel draws at most at a time (topk/bottomk): readable, and the data sent to Grafana stays the same size whatever the fleet. */
export const FLEET_TOP_K = 10;

/**
 * At each step, the `k` series of `expr` with the highest (`topk`) or lowest (`bottomk`) value: a
 * panel over one series per GPU, slice or target draws `k` lines at a time instead of hundreds (a
 * series leaves the panel while it is out of the top `k`). Choosing a host or GPU in the variables
 * ranks within it, so a host's own GPUs all show. Per step, not over the range (`@ end()` would keep
 * the same lines but join every series at every step: several times the cost at 32 hosts).
 */
export function topAtEachStep(expr: string, by: 'topk' | 'bottomk' = 'topk', k = FLEET_TOP_K): string {
  return `${by}(${k}, ${expr})`;
}
