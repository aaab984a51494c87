// Kepler: checked and recognised (either generation); its joules feed nothing to the GPU ledger.
import { keplerMetrics } from '../catalog/kepler.ts';
import { createKeplerCollector } from '../collectors/kepler.ts';
import { recogniseKepler } from '../recognise/kepler.ts';
import type { KeplerView } from '../recognise/types.ts';
import { kepler as scrape } from '../../scrape-configs/kepler.ts';
import type { ReadKind } from './types.ts';

export const kepler: ReadKind<'kepler', KeplerView> = {
  id: 'kepler',
  title: 'Kepler',
  metrics: keplerMetrics,
  scrape,
  inspect: {
    recognise: recogniseKepler,
    json: '{"generation":"legacy"|"rewrite","nodes":[{"node","joulesByZone"}],"pods":[{"namespace","pod","joules",...}]}',
  },
  // Read for its health only (Prometheus scrapes Kepler itself for the dashboards): every 30 s rather
  // than every cycle. Its text is the node's largest (~1.5 MB at 1,000 pods, a third of a dense node's
  // upstream bytes), so at a 5 s cycle this is most of what reading it cost.
  target: { placed: false, defaultIntervalMs: 30_000, create: (target, deps) => createKeplerCollector(target, { limits: deps.limits, log: deps.log }) },
};
