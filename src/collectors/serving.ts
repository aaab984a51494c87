// Every serving kind's collector (vLLM, SGLang, ...: src/kinds/) shares everything but the recogniser: read the engine's token counters
// and place each engine on a GPU or MIG slice (static table first, then dcgm-exporter's Kubernetes pod
// mapping; src/energy/placement.ts). An engine that cannot be placed feeds nothing to the ledger: its
// tokens would have no GPU to divide energy with. That is logged once per engine, not every cycle.
import type { BoardReading, EngineReading, LedgerSample } from '../energy/tick.ts';
import type { Placement } from '../energy/placement.ts';
import type { ServingKindId } from '../kinds/index.ts';
import type { ServingView } from '../recognise/types.ts';
import type { Collector, CollectResult } from './collector.ts';
import { scrapeAndRecognise } from './upstream.ts';
import type { UpstreamDeps, UpstreamTarget } from './upstream.ts';

export interface ServingTarget extends UpstreamTarget {
  /** The served model, for engines whose metrics name none (TGI, llama.cpp: their view's model is ''). */
  model?: string;
  namespace?: string;
  pod?: string;
  /** GPU index → UUID on `ServingDeps.host`, for a server that names its GPUs by UUID only (Triton). */
  gpus?: Record<string, string>;
}

export interface ServingDeps extends UpstreamDeps {
  /** The exporter's `host`: where the GPUs a server reports by UUID (ServingView.gpus) are. */
  host?: string;
  /** Where an engine runs; undefined when neither the static table nor the pod mapping says. */
  /** The GPUs or MIG slices the engine runs on (several for tensor parallelism); empty when unknown. */
  place(engine: { url: string; model: string; namespace?: string; pod?: string }): Placement[];
}

/** What tokenwatt_engine_info needs beyond the reading: which server, target and how it was placed. */
export interface EngineMeta {
  server: ServingKindId;
  target: string;
  mapping: Placement['mapping'];
}

/** Side table from an engine reading to its meta (readings are the ledger's plain records). */
export const engineMeta = new WeakMap<EngineReading, EngineMeta>();

export function createServingCollector(
  kind: ServingKindId,
  target: ServingTarget,
  deps: ServingDeps,
  counterNames: ReadonlySet<string>,
): Collector {
  const warned = new Set<string>();
  const unplaced = new Map<string, number>();
  const zeroEnergy = new Map<string, number>();
  const indexOf = new Map(Object.entries(target.gpus ?? {}).map(([index, uuid]) => [uuid, index]));
  const warnOnce = (key: string, msg: string, fields: Record<string, unknown>) => {
    if (warned.has(key)) return;
    warned.add(key);
    deps.log('warn', msg, { collector: kind, target: target.name, ...fields });
  };
  return {
    kind,
    name: `${kind}/${target.name}`,
    async collect(signal): Promise<CollectResult> {
      const { view, series } = await scrapeAndRecognise<ServingView>(target, deps.limits, signal, counterNames, kind);
      const engines: EngineReading[] = [];
      const samples: LedgerSample[] = [];
      for (const named of view.engines) {
        const e = named.model === '' && target.model !== undefined ? { ...named, model: target.model } : named;
        if (e.model === '') {
          warnOnce(`nomodel\0${e.engine}`, 'engine names no model in its metrics; set the target\'s model (targets[].model); left out of the energy ledger', { engine: e.engine });
          continue;
        }
        if (e.missing && e.missing.length > 0) {
          warnOnce(`missing\0${e.model}\0${e.engine}`, 'engine serves no token counters; left out of the energy ledger', { model: e.model, engine: e.engine, missing: e.missing });
          continue;
        }
        let placements: Placement[];
        try {
          placements = deps.place({ url: target.url, model: e.model, ...(target.namespace !== undefined && { namespace: target.namespace }), ...(target.pod !== undefined && { pod: target.pod }) });
        } catch (err) {
          warnOnce(`ambiguous\0${e.model}`, (err as Error).message, { model: e.model });
          continue;
        }
        if (placements.length === 0) {
          // The pod mapping comes from dcgm-exporter, which may answer after this target in the first
          // cycle: say it only once the engine has gone unplaced twice.
          const key = `unplaced\0${e.model}\0${e.engine}`;
          const misses = (unplaced.get(key) ?? 0) + 1;
          unplaced.set(key, misses);
          if (misses >= 2) warnOnce(key, 'engine has no placement (add a placement entry for its url or model, or set the target\'s namespace/pod); left out of the energy ledger', { model: e.model, engine: e.engine });
          // Loud beside the figures: tokenwatt_engine_placed 0 with no host or GPU (alert TokenwattEngineUnplaced).
          samples.push({ name: 'tokenwatt_engine_placed', labels: { model_name: e.model, engine: e.engine, namespace: target.namespace ?? '', pod: target.pod ?? '', host: '', gpu: '', gpu_instance_id: '' }, value: 0 });
          continue;
        }
        // A tensor-parallel engine runs on all its GPUs at once: one reading per GPU, each with the
        // engine's whole counters and one counterKey, so the ledger reads the counters once and
        // apportions each increase to the GPUs it runs on now (a placement change mints nothing).
        const counterKey = JSON.stringify([kind, target.name, e.model, e.engine]);
        for (const placement of placements) {
          const reading: EngineReading = {
            model_name: e.model,
            engine: e.engine,
            namespace: target.namespace ?? '',
            pod: target.pod ?? '',
            host: placement.host,
            gpu: placement.gpu,
            ...(placement.gpuInstanceId !== undefined && { gpuInstanceId: placement.gpuInstanceId }),
            counterKey,
            generationTokens: e.generationTokens,
            promptTokens: e.promptTokens,
          };
          engineMeta.set(reading, { server: kind, target: target.name, mapping: placement.mapping });
          engines.push(reading);
        }
      }
      const boardsByUuid = view.gpus?.flatMap((g): BoardReading[] => {
        // A counter at 0 on a GPU that draws power counts nothing: Triton shows 0 for a GPU without an
        // energy counter (before Volta; a real 22.07 scrape of a P100 reads 0 J at 32.8 W), and at its
        // own start. No board then (a frozen 0 would read as an idle GPU); said once it holds for two scrapes.
        if (g.energyJoules === 0 && (g.powerWatts ?? 0) > 0) {
          const n = (zeroEnergy.get(g.uuid) ?? 0) + 1;
          zeroEnergy.set(g.uuid, n);
          if (n >= 2) warnOnce(`zero-energy\0${g.uuid}`, 'GPU energy counter reads 0 while the GPU draws power: no energy counter on this GPU (before Volta); its energy is not counted from this source', { uuid: g.uuid, powerWatts: g.powerWatts });
          return [];
        }
        zeroEnergy.delete(g.uuid);
        const index = indexOf.get(g.uuid);
        return [{
          host: deps.host ?? '', gpu: index ?? '', uuid: g.uuid, model: '', energyJoules: g.energyJoules,
          ...(g.powerWatts !== undefined && g.utilization !== undefined && { powerWatts: g.powerWatts }),
          ...(g.powerLimitWatts !== undefined && { powerLimitWatts: g.powerLimitWatts }),
          ...(g.utilization !== undefined && { activity: g.utilization }),
          slices: [],
        }];
      });
      return { samples, engines, series, ...(boardsByUuid && boardsByUuid.length > 0 && { boardsByUuid }) };
    },
  };
}
