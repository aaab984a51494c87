// What the four HTTP collectors (vllm, sglang, dcgm, kepler) share: the target they read, the limits,
// one read-check-recognise step, and a check that the counters tokenwatt feeds to the ledger are real numbers. A NaN or ±Inf energy
// or token counter is refused (reason invalid_value) rather than passed on: the ledger would refuse the
// whole tick, or a 0 would look like a counter reset.
import type { MetricFamily } from '../exposition/types.ts';
import type { AuthConfig, UpstreamTls } from './http-auth.ts';
import { scrapeTarget } from './http-target.ts';
import type { Limits } from './http-target.ts';
import { RecogniseError } from '../recognise/samples.ts';
import { redactUrl } from './redact.ts';
import { lookupSeries } from '../catalog/index.ts';

/** The samples a recogniser can read: series the catalog knows (recognise/samples.ts looks them up the same way). */
const inCatalog = (name: string): boolean => lookupSeries(name) !== undefined;
import { CollectError } from './collector.ts';
import { scrapeInWorker } from './scrape-pool.ts';
import type { Log } from '../log.ts';

export interface UpstreamTarget {
  /** The `target` label and /api/targets name. */
  name: string;
  url: string;
  timeoutMs: number;
  auth?: AuthConfig;
  tls?: UpstreamTls;
}

export interface UpstreamDeps {
  limits: Limits;
  log: Log;
}

/** Throws CollectError('invalid_value') when a sample named in `names` is not a finite number >= 0. */
export function requireCounters(families: MetricFamily[], names: ReadonlySet<string>, url: string): void {
  for (const f of families) {
    for (const s of f.samples) {
      if (!names.has(s.name)) continue;
      if (!Number.isFinite(s.value) || s.value < 0) {
        throw new CollectError('invalid_value', `${url}: ${s.name}${JSON.stringify(s.labels)} is ${s.value}; a counter must be a finite number >= 0`);
      }
    }
  }
}

/**
 * Read a target, refuse non-finite counters among `counters`, and recognise what it serves with the
 * recogniser of `kind` (src/kinds/). Runs on the scrape worker (scrape-pool.ts), so the body and its
 * parse never sit in the serving thread's heap; the view comes back as a structured-clone copy, which
 * also shares no string with the body (a slice of a body would pin all of it). A scrape that is not the
 * configured kind of upstream fails with reason `recognise`.
 */
export async function scrapeAndRecognise<V>(target: UpstreamTarget, limits: Limits, signal: AbortSignal, counters: ReadonlySet<string>, kind: string): Promise<{ view: V; series: number }> {
  const { view, series } = await scrapeInWorker(target, limits, signal, counters, kind);
  return { view: view as V, series };
}

/** scrapeAndRecognise for a collector that needs only the series count (the view stays in the worker). */
export async function scrapeAndCheck(target: UpstreamTarget, limits: Limits, signal: AbortSignal, kind: string): Promise<{ series: number }> {
  const { series } = await scrapeInWorker(target, limits, signal, new Set(), kind, false);
  return { series };
}

/** What the worker runs for scrapeAndRecognise: read, check the counters, recognise. */
export async function readAndRecognise<V>(
  target: UpstreamTarget,
  limits: Limits,
  signal: AbortSignal,
  counters: ReadonlySet<string>,
  recognise: (families: MetricFamily[]) => V,
): Promise<{ view: V; series: number }> {
  const { families, series } = await scrapeTarget(target, limits, signal, inCatalog);
  requireCounters(families, counters, redactUrl(target.url));
  try {
    return { view: recognise(families), series };
  } catch (err) {
    if (err instanceof RecogniseError) throw new CollectError('recognise', `${redactUrl(target.url)}: ${err.message}`);
    throw err;
  }
}
