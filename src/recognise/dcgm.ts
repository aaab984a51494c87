// dcgm-exporter's /metrics → one DcgmGpu per physical GPU, with its MIG instances.
//
// Identity: host + gpu index + UUID. The host is `Hostname` (every release so far) or `hostname`
// (main). UUID alone is not enough: redacted scrapes print one placeholder for every GPU.
// Board series (catalog scope 'board': power, energy, clocks…) are repeated on each MIG instance of
// a GPU (dcgm-exporter #317); they are read once per GPU as the max over its series, never summed.
// Energy: DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION in mJ → J; DCGM 4.6's joules field where the mJ one
// is absent. A field the GPU does not support has no series, so its property stays absent.
// MIG: a series with a non-empty GPU_I_ID belongs to that instance; GPU_I_PROFILE gives its slices
// (mig-profile.ts). Per-instance: DCGM_FI_PROF_GR_ENGINE_ACTIVE and the pod mapping
// (pod/namespace/container; empty strings mean no pod).
import { metric } from '../catalog/index.ts';
import type { MetricFamily, Sample } from '../exposition/types.ts';
import { migGeometry, parseMigProfile } from './mig-profile.ts';
import { catalogSamples, indexSamples, RecogniseError } from './samples.ts';
import type { DcgmGpu, DcgmView, MigInstance } from './types.ts';

const ENERGY_MJ = metric('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION').name;
const ENERGY_J = metric('DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL').name;
const POWER_W = metric('DCGM_FI_DEV_POWER_USAGE').name;
const GR_ACTIVE = metric('DCGM_FI_PROF_GR_ENGINE_ACTIVE').name;

interface GpuAcc {
  gpu: DcgmGpu;
  energyMj?: number;
  energyJ?: number;
  instances: Map<string, MigInstance>;
}

export function recogniseDcgm(families: MetricFamily[]): DcgmView {
  const gpus = new Map<string, GpuAcc>();
  for (const [sample, def] of catalogSamples(indexSamples(families), 'dcgm')) {
    const acc = gpuOf(gpus, sample);
    const instanceId = sample.labels.GPU_I_ID ?? '';
    const instance = instanceId === '' ? undefined : instanceOf(acc, instanceId, sample);
    const pod = podOf(sample);
    if (pod) {
      if (instance) instance.pod ??= pod;
      else acc.gpu.pod ??= pod;
    }
    const v = sample.value;
    if (Number.isNaN(v)) continue;
    switch (def.name) {
      case ENERGY_MJ: acc.energyMj = Math.max(acc.energyMj ?? v, v); break;
      case ENERGY_J: acc.energyJ = Math.max(acc.energyJ ?? v, v); break;
      case POWER_W: acc.gpu.powerWatts = Math.max(acc.gpu.powerWatts ?? v, v); break;
      case GR_ACTIVE:
        if (instance) instance.grEngineActive = v;
        else acc.gpu.grEngineActive = v;
        break;
    }
  }
  const out: DcgmGpu[] = [];
  for (const { gpu: g, energyMj, energyJ, instances } of gpus.values()) {
    // Built afresh so that properties print in the documented order (tokenwatt inspect).
    const energy = energyMj !== undefined ? energyMj / 1000 : energyJ;
    const gpu: DcgmGpu = {
      host: g.host, gpu: g.gpu, uuid: g.uuid, model: g.model,
      ...(energy !== undefined && { energyJoules: energy }),
      ...(g.powerWatts !== undefined && { powerWatts: g.powerWatts }),
      ...(g.grEngineActive !== undefined && { grEngineActive: g.grEngineActive }),
      ...(g.pod && { pod: g.pod }),
      migInstances: [...instances.values()].sort((a, b) => compareIds(a.gpuInstanceId, b.gpuInstanceId)),
    };
    const geometry = gpu.migInstances.length > 0 ? migGeometry(gpu.model) : undefined;
    if (geometry) gpu.migGeometry = geometry;
    out.push(gpu);
  }
  out.sort((a, b) => a.host.localeCompare(b.host) || compareIds(a.gpu, b.gpu) || a.uuid.localeCompare(b.uuid));
  return { gpus: out };
}

function gpuOf(gpus: Map<string, GpuAcc>, sample: Sample): GpuAcc {
  const l = sample.labels;
  const host = l.Hostname || l.hostname || '';
  const gpu = l.gpu ?? '';
  const uuid = l.UUID ?? '';
  const key = `${host}\u0000${gpu}\u0000${uuid}`;
  let acc = gpus.get(key);
  if (!acc) {
    acc = { gpu: { host, gpu, uuid, model: l.modelName ?? '', migInstances: [] }, instances: new Map() };
    gpus.set(key, acc);
  } else if (acc.gpu.model === '' && l.modelName) {
    acc.gpu.model = l.modelName;
  }
  return acc;
}

function instanceOf(acc: GpuAcc, id: string, sample: Sample): MigInstance {
  const known = acc.instances.get(id);
  if (known) return known;
  const profile = sample.labels.GPU_I_PROFILE ?? '';
  const slices = parseMigProfile(profile, acc.gpu.model || (sample.labels.modelName ?? ''));
  if (!slices) {
    throw new RecogniseError(
      `${sample.name}: GPU_I_PROFILE '${profile}' of GPU_I_ID ${id} on gpu ${acc.gpu.gpu} of host '${acc.gpu.host}' ` +
        `is not a MIG profile name (expected <g>g.<n>gb, e.g. 3g.40gb)`,
    );
  }
  const instance: MigInstance = { gpuInstanceId: id, profile, ...slices };
  acc.instances.set(id, instance);
  return instance;
}

function podOf(sample: Sample): MigInstance['pod'] | undefined {
  const { pod, namespace, container } = sample.labels;
  if (!pod) return undefined;
  return container ? { namespace: namespace ?? '', pod, container } : { namespace: namespace ?? '', pod };
}

/** Numeric order for numeric ids ("2" before "10"), string order otherwise. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
