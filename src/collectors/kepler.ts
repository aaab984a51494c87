// Kepler's /metrics: checked and recognised (either generation), so the exporter reports whether Kepler
// answers and with how many series. Kepler's own CPU/pod joules are not re-exported (Prometheus scrapes
// Kepler directly) and feed nothing to the GPU ledger: Kepler's GPU energy is active-only and
// experimental (domain notes §4), while the ledger takes the board counter from NVML or DCGM.
import { scrapeTarget } from '../exporter/http-target.ts';
import { recogniseKepler, RecogniseError } from '../recognise/index.ts';
import { CollectError } from './collector.ts';
import type { Collector, CollectResult } from './collector.ts';
import type { UpstreamDeps, UpstreamTarget } from './upstream.ts';

export function createKeplerCollector(target: UpstreamTarget, deps: UpstreamDeps): Collector {
  return {
    kind: 'kepler',
    name: `kepler/${target.name}`,
    async collect(signal): Promise<CollectResult> {
      const { families, series } = await scrapeTarget(target, deps.limits, signal);
      try {
        recogniseKepler(families);
      } catch (err) {
        if (err instanceof RecogniseError) throw new CollectError('recognise', `${target.url}: ${err.message}`);
        throw err;
      }
      return { samples: [], series };
    },
  };
}
