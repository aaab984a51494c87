
import type { Collector, CollectResult } from './collector.ts';
import { scrapeAndCheck } from './upstream.ts';
import type { UpstreamDeps, UpstreamTarget } from './upstream.ts';


export function createKeplerCollector(target: UpstreamTarget, deps: UpstreamDeps): Collector {
  return {
    kind: 'kepler',
    name: `kepler/${target.name}`,
    async collect(signal): Promise<CollectResult> {
      // Kepler feeds nothing to the ledger: its read is checked (parsed, recognised as Kepler) and
      // counted, and its view (a record per pod, ~160 KB at 1,000 pods) never leaves the worker.
      const { series } = await scrapeAndCheck(target, deps.limits, signal, 'kepler');
      return { samples: [], series };
    },
  };
}
