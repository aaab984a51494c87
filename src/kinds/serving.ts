// A serving engine kind from its few particulars: the shared serving collector (token counters,
// placement; src/collectors/serving.ts), the standard `inspect` shape, and the counters checked
// before they reach the ledger (the current names and every older name the catalog records).
import { catalog, olderNames } from '../catalog/index.ts';
import { createServingCollector } from '../collectors/serving.ts';
import type { MetricFamily } from '../exposition/types.ts';
import type { ServingView } from '../recognise/types.ts';
import type { ServingKindId } from './index.ts';
import type { KindServing, ServingKind, UpstreamKind } from './types.ts';

/** The JSON every serving kind prints under `inspect` (fields an engine does not serve are left out). */
export const ENGINES_JSON = '{"engines":[{"model","engine","generation":"v0"|"v1","promptTokens","generationTokens","kvCacheUsage",...}]}';

/** The token counter names a serving kind feeds to the ledger, under every name the catalog knows. */
export function ledgerCounters(serving: Pick<KindServing, 'promptTokens' | 'generationTokens' | 'gpuEnergy'>): Set<string> {
  const names = [serving.promptTokens, serving.generationTokens, ...(serving.gpuEnergy ? [serving.gpuEnergy] : [])];
  return new Set(names.flatMap((n) => (catalog.has(n) ? [n, ...olderNames(n)] : [n])));
}

export function defineServingKind<Id extends string>(spec: Omit<UpstreamKind<Id>, 'inspect' | 'target' | 'serving'> & {
  recognise(families: MetricFamily[]): ServingView;
  serving: KindServing;
  /** The printed shape where it differs from ENGINES_JSON (Triton adds its GPUs). */
  json?: string;
}): ServingKind<Id> {
  const { recognise, json, ...kind } = spec;
  let counters: Set<string> | undefined;
  return {
    ...kind,
    inspect: { recognise, json: json ?? ENGINES_JSON },
    target: {
      placed: true,
      create(target, deps) {
        counters ??= ledgerCounters(spec.serving);
        // The id is a ServingKindId once the kind is listed in the registry, which is the only way it runs.
        return createServingCollector(spec.id as string as ServingKindId, target, deps, counters);
      },
    },
  };
}
