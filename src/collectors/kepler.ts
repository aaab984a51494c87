
import type { Collector, CollectResult } from './collector.ts';
import { scrapeAndRecognise } from './upstream.ts';
import type { UpstreamDeps, UpstreamTarget } from './upstream.ts';

/** Kepler feeds nothing to the ledger, so no counter of it is checked beyond the parse. */
const NO_COUNTERS: ReadonlySet<string> = new Set();

export function createKeplerCollector(target: UpstreamTarget, deps: UpstreamDeps): Collector {
  return {
    kind: 'kepler',
    name: `kepler/${target.name}`,
    async collect(signal): Promise<CollectResult> {
      const { series } = await scrapeAndRecognise(target, deps.limits, signal, NO_COUNTERS, 'kepler');
      return { samples: [], series };
    },
  };
}
