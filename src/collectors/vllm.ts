// vLLM's /metrics → engine token counters for the energy ledger (see serving.ts for placement).
// The upstream series themselves are not re-exported: Prometheus scrapes vLLM directly.
import { allMetrics } from '../catalog/index.ts';
import type { Collector } from './collector.ts';
import { createServingCollector } from './serving.ts';
import type { ServingDeps, ServingTarget } from './serving.ts';

/** The token counters under every name vLLM has used (current and pre-rename). */
const COUNTERS = new Set(allMetrics.filter((d) => d.source === 'vllm' && /^vllm:(prompt|generation)_tokens_total$/.test(d.name)).map((d) => d.name));

export function createVllmCollector(target: ServingTarget, deps: ServingDeps): Collector {
  return createServingCollector('vllm', target, deps, COUNTERS);
}
