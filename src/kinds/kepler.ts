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
  target: { placed: false, create: (target, deps) => createKeplerCollector(target, { limits: deps.limits, log: deps.log }) },
};
