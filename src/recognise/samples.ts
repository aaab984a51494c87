// Shared by the recognisers: find samples by their series name whatever the exposition format
// (text keeps `_total` in a counter's family name, OpenMetrics drops it; sample names are the same).
import { lookupSeries } from '../catalog/index.ts';
import type { MetricDef, Source } from '../catalog/index.ts';
import type { MetricFamily, Sample } from '../exposition/types.ts';

/** Samples grouped by their own name (`foo_total`, `foo_bucket`…), in input order. */
export type SampleIndex = ReadonlyMap<string, readonly Sample[]>;

export function indexSamples(families: readonly MetricFamily[]): SampleIndex {
  const index = new Map<string, Sample[]>();
  for (const family of families) {
    for (const sample of family.samples) {
      const list = index.get(sample.name);
      if (list) list.push(sample);
      else index.set(sample.name, [sample]);
    }
  }
  return index;
}

/**
 * Every sample whose series the catalog attributes to `source`, with its catalog entry. `labelSets`:
 * only samples whose label sets may differ; a histogram's `_bucket` samples are its `_count` sample's
 * labels plus `le`, so they are skipped where the `_count` is there (engine discovery: most of a vLLM
 * scrape is buckets, and walking them was a sixth of the scrape worker's time on a dense node).
 */
export function* catalogSamples(index: SampleIndex, source: Source, o: { labelSets?: boolean } = {}): Generator<[Sample, MetricDef]> {
  for (const [name, samples] of index) {
    if (o.labelSets && name.endsWith('_bucket') && index.has(`${name.slice(0, -'_bucket'.length)}_count`)) continue;
    const def = lookupSeries(name);
    if (def?.source !== source) continue;
    for (const sample of samples) yield [sample, def];
  }
}

/** A recogniser's verdict on input it cannot make sense of; names the series and label at fault. */
export class RecogniseError extends Error {}
