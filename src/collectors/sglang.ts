// SGLang's /metrics → engine token counters for the energy ledger (see serving.ts for placement).
import { allMetrics } from '../catalog/index.ts';
import type { Collector } from './collector.ts';
import { createServingCollector } from './serving.ts';
import type { ServingDeps, ServingTarget } from './serving.ts';

const COUNTERS = new Set(allMetrics.filter((d) => d.source === 'sglang' && /^sglang:(prompt|generation)_tokens_total$/.test(d.name)).map((d) => d.name));

export function createSglangCollector(target: ServingTarget, deps: ServingDeps): Collector {
  return createServingCollector('sglang', target, deps, COUNTERS);
}
