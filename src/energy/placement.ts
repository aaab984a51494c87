// Where a serving engine runs: which GPU (and MIG instance) its tokens and energy belong to.
// Two sources: a static table (bare metal / Docker: the operator knows which GPU each server got)
// and, on Kubernetes, dcgm-exporter's pod mapping (the `pod`/`namespace` labels it puts on the GPU or
// MIG instance a pod was given), matched to the serving pod.
import { z } from 'zod';
import type { DcgmView } from '../recognise/types.ts';

export const StaticPlacementSchema = z
  .object({
    /** The engine's /metrics URL as scraped; the most specific key. */
    url: z.string().min(1).optional(),
    /** Served model name (vLLM `model_name`), used when no entry names the URL. */
    model: z.string().min(1).optional(),
    host: z.string().min(1),
    /** GPU index, or the list of GPUs a tensor-parallel engine spans (e.g. ["0", "1", "2", "3"]). */
    gpu: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** NVML GPU-instance id (dcgm-exporter GPU_I_ID) of the MIG slice; absent for a whole GPU. */
    gpuInstanceId: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => p.url !== undefined || p.model !== undefined, { message: 'a placement needs url or model' })
  .refine((p) => !(Array.isArray(p.gpu) && p.gpu.length > 1 && p.gpuInstanceId !== undefined), { message: 'gpuInstanceId names one MIG slice: it cannot go with several GPUs', path: ['gpuInstanceId'] })
  .refine((p) => !Array.isArray(p.gpu) || new Set(p.gpu).size === p.gpu.length, { message: 'a GPU is listed twice', path: ['gpu'] });

export type StaticPlacement = z.infer<typeof StaticPlacementSchema>;

export interface Placement {
  host: string;
  gpu: string;
  gpuInstanceId?: string;
  /** How it was learned: the `mapping` label of tokenwatt_engine_info. */
  mapping: 'static' | 'kubernetes';
}

/**
 * Place an engine from the static table: an entry naming its URL wins, else the one entry naming its
 * model. Two entries for the same model and no URL to tell them apart is a config error (which GPU
 * would get the tokens?), reported naming the model. A tensor-parallel engine gets one placement per
 * GPU it spans; none found is an empty list.
 */
export function placeStatic(table: StaticPlacement[], engine: { url: string; model: string }): Placement[] {
  const byUrl = table.filter((p) => p.url === engine.url);
  const candidates = byUrl.length > 0 ? byUrl : table.filter((p) => p.url === undefined && p.model === engine.model);
  if (candidates.length > 1) {
    throw new Error(`placement: ${candidates.length} entries match ${byUrl.length > 0 ? `url '${engine.url}'` : `model '${engine.model}'`}; give each engine its url`);
  }
  const p = candidates[0];
  if (!p) return [];
  const gpus = Array.isArray(p.gpu) ? p.gpu : [p.gpu];
  return gpus.map((gpu) => ({ host: p.host, gpu, ...(p.gpuInstanceId ? { gpuInstanceId: p.gpuInstanceId } : {}), mapping: 'static' as const }));
}

/**
 * Place a serving pod from dcgm-exporter's Kubernetes mapping: the whole GPUs and MIG instances whose
 * pod/namespace labels name it. A tensor-parallel pod holds several GPUs, so this returns all of them,
 * in GPU order (the exporter gives each its share of the engine's tokens).
 */
export function placeKubernetes(dcgm: DcgmView, pod: { namespace: string; pod: string }): Placement[] {
  const same = (p?: { namespace: string; pod: string }) => p !== undefined && p.namespace === pod.namespace && p.pod === pod.pod;
  const out: Placement[] = [];
  for (const g of dcgm.gpus) {
    if (g.migInstances.length === 0) {
      if (same(g.pod)) out.push({ host: g.host, gpu: g.gpu, mapping: 'kubernetes' });
      continue;
    }
    for (const mi of g.migInstances) {
      if (same(mi.pod)) out.push({ host: g.host, gpu: g.gpu, gpuInstanceId: mi.gpuInstanceId, mapping: 'kubernetes' });
    }
  }
  return out.sort((a, b) => (a.host + '\0' + a.gpu + '\0' + (a.gpuInstanceId ?? '')).localeCompare(b.host + '\0' + b.gpu + '\0' + (b.gpuInstanceId ?? '')));
}

/** Static table first (an operator's word beats inference), then the Kubernetes mapping. Empty: unplaced. */
export function placeEngine(
  engine: { url: string; model: string; namespace?: string; pod?: string },
  table: StaticPlacement[],
  dcgm?: DcgmView,
): Placement[] {
  const fixed = placeStatic(table, engine);
  if (fixed.length > 0) return fixed;
  if (dcgm && engine.namespace && engine.pod) return placeKubernetes(dcgm, { namespace: engine.namespace, pod: engine.pod });
  return [];
}
