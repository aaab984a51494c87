// dcgm-exporter: board energy, power and MIG slices for the ledger, and the Kubernetes pod mapping
// that places serving pods on their GPUs.
import { dcgmMetrics } from '../catalog/dcgm.ts';
import { createDcgmCollector } from '../collectors/dcgm.ts';
import { recogniseDcgm } from '../recognise/dcgm.ts';
import type { DcgmView } from '../recognise/types.ts';
import { dcgmExporter as scrape } from '../../scrape-configs/dcgm-exporter.ts';
import type { ReadKind } from './types.ts';

export const dcgm: ReadKind<'dcgm', DcgmView> = {
  id: 'dcgm',
  title: 'dcgm-exporter',
  metrics: dcgmMetrics,
  scrape,
  inspect: {
    recognise: recogniseDcgm,
    json: '{"gpus":[{"host","gpu","uuid","model","energyJoules","powerWatts","migInstances":[{"gpuInstanceId","profile","computeSlices","memorySlices",...}],...}]}',
  },
  target: {
    placed: false,
    create: (target, deps) => createDcgmCollector(target, { limits: deps.limits, log: deps.log, onView: deps.onPodMapping }),
  },
};
