// Kepler's /metrics: checked and recognised (either generation), so the exporter reports whether Kepler
// answers and with how many series. Kepler's own CPU/pod joules are not re-exported (Prometheus scrapes
// Kepler directly) and feed nothing to the GPU ledger: Kepler's GPU energy is active-only and
// experimental (domain notes §4), while the ledger takes the board counter from NVML or DCGM.
import { recogniseKepler } from '../recognise/kepler.ts';
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
      const { series } = await scrapeAndRecognise(target, deps.limits, signal, NO_COUNTERS, recogniseKepler);
      return { samples: [], series };
    },
  };
}
