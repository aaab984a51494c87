// dcgm-exporter's /metrics → board readings (energy counter, power, MIG slices and their activity) for
// the energy ledger. The recogniser already reads each board value once per GPU (never summed over the
// MIG instances that repeat it, dcgm-exporter #317). A GPU without an energy field gives no board:
// energy only ever comes from a counter. The view is also handed to `onView` for the Kubernetes pod
// mapping that places vLLM/SGLang pods (placement.ts).
import { metric } from '../catalog/index.ts';
import type { BoardReading } from '../energy/tick.ts';
import type { DcgmView } from '../recognise/types.ts';
import type { Collector, CollectResult } from './collector.ts';
import { scrapeAndRecognise } from './upstream.ts';
import type { UpstreamDeps, UpstreamTarget } from './upstream.ts';

const COUNTERS = new Set([metric('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION').name, metric('DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL').name]);

export interface DcgmDeps extends UpstreamDeps {
  onView?(view: DcgmView): void;
}

export function createDcgmCollector(target: UpstreamTarget, deps: DcgmDeps): Collector {
  const fallbackHost = new URL(target.url).hostname;
  const warned = new Set<string>();
  return {
    kind: 'dcgm',
    name: `dcgm/${target.name}`,
    async collect(signal): Promise<CollectResult> {
      const { view, series } = await scrapeAndRecognise<DcgmView>(target, deps.limits, signal, COUNTERS, 'dcgm');
      deps.onView?.(view);
      const boards: BoardReading[] = [];
      for (const g of view.gpus) {
        const host = g.host || fallbackHost;
        if (g.energyJoules === undefined) {
          const key = `${host}\0${g.gpu}`;
          if (!warned.has(key)) {
            warned.add(key);
            deps.log('warn', 'GPU exports no energy counter (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION); no joules for it', { collector: 'dcgm', target: target.name, host, gpu: g.gpu });
          }
          continue;
        }
        const mig = g.migInstances.length > 0;
        // Idle power is learned from power at zero activity; without activity readings for every slice
        // a busy GPU would look idle, so power is then left out.
        const activityKnown = mig ? g.migInstances.every((m) => m.grEngineActive !== undefined) : g.grEngineActive !== undefined;
        boards.push({
          host,
          gpu: g.gpu,
          uuid: g.uuid,
          model: g.model,
          energyJoules: g.energyJoules,
          ...(g.powerWatts !== undefined && Number.isFinite(g.powerWatts) && g.powerWatts >= 0 && activityKnown && { powerWatts: g.powerWatts }),
          ...(!mig && g.grEngineActive !== undefined && Number.isFinite(g.grEngineActive) && { activity: clamp01(g.grEngineActive) }),
          slices: g.migInstances.map((m) => ({
            gpuInstanceId: m.gpuInstanceId,
            profile: m.profile,
            computeSlices: m.computeSlices,
            memorySlices: m.memorySlices,
            activity: m.grEngineActive !== undefined && Number.isFinite(m.grEngineActive) ? clamp01(m.grEngineActive) : 0,
            ...(!(m.grEngineActive !== undefined && Number.isFinite(m.grEngineActive)) && { activityUnknown: true as const }),
          })),
        });
      }
      return { samples: [], boards, series };
    },
  };
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
