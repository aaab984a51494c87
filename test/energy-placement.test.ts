import { describe, expect, it } from 'vitest';
import { placeEngine, placeKubernetes, placeStatic, StaticPlacementSchema } from '../src/energy/placement.ts';
import type { DcgmView } from '../src/recognise/types.ts';

// The reference fleet (domain notes §1): GPU0 whole, GPU1 MIG 2g.10gb (instance 3) + 3g.20gb (instance 2).
const dcgm: DcgmView = {
  gpus: [
    { host: 'node-a', gpu: '0', uuid: 'GPU-a', model: 'NVIDIA A100-SXM4-40GB', migInstances: [], pod: { namespace: 'llm', pod: 'llama7b-0' } },
    {
      host: 'node-a', gpu: '1', uuid: 'GPU-b', model: 'NVIDIA A100-SXM4-40GB',
      migInstances: [
        { gpuInstanceId: '3', profile: '2g.10gb', computeSlices: 2, memorySlices: 2, pod: { namespace: 'llm', pod: 'llama7b-gptq-0' } },
        { gpuInstanceId: '2', profile: '3g.20gb', computeSlices: 3, memorySlices: 4, pod: { namespace: 'llm', pod: 'llama13b-gptq-0' } },
      ],
    },
  ],
};

describe('engine placement', () => {
  it('finds a pod on a whole GPU or on its MIG instance through dcgm-exporter pod labels', () => {
    expect(placeKubernetes(dcgm, { namespace: 'llm', pod: 'llama7b-0' })).toEqual([{ host: 'node-a', gpu: '0', mapping: 'kubernetes' }]);
    expect(placeKubernetes(dcgm, { namespace: 'llm', pod: 'llama13b-gptq-0' })).toEqual([{ host: 'node-a', gpu: '1', gpuInstanceId: '2', mapping: 'kubernetes' }]);
    expect(placeKubernetes(dcgm, { namespace: 'other', pod: 'llama7b-0' })).toEqual([]);
  });

  it('prefers the static table, URL over model, and rejects an ambiguous model', () => {
    const table = [
      StaticPlacementSchema.parse({ model: 'llama', host: 'h', gpu: '0' }),
      StaticPlacementSchema.parse({ url: 'http://h:8001/metrics', host: 'h', gpu: '1', gpuInstanceId: '3' }),
    ];
    expect(placeStatic(table, { url: 'http://h:8001/metrics', model: 'llama' })).toEqual([{ host: 'h', gpu: '1', gpuInstanceId: '3', mapping: 'static' }]);
    expect(placeStatic(table, { url: 'http://h:8000/metrics', model: 'llama' })).toEqual([{ host: 'h', gpu: '0', mapping: 'static' }]);
    expect(placeEngine({ url: 'u', model: 'x', namespace: 'llm', pod: 'llama7b-0' }, table, dcgm)).toEqual([{ host: 'node-a', gpu: '0', mapping: 'kubernetes' }]);
    expect(placeEngine({ url: 'u', model: 'x' }, table, dcgm)).toEqual([]);
    const twice = [...table, StaticPlacementSchema.parse({ model: 'llama', host: 'h', gpu: '2' })];
    expect(() => placeStatic(twice, { url: 'u', model: 'llama' })).toThrow(/model 'llama'/);
    expect(() => StaticPlacementSchema.parse({ host: 'h', gpu: '0' })).toThrow(/url or model/);
  });

  it('a tensor-parallel entry places the engine on every GPU it lists; a MIG slice cannot span GPUs', () => {
    const table = [StaticPlacementSchema.parse({ url: 'http://h:8000/metrics', host: 'h', gpu: ['0', '1', '2', '3'] })];
    expect(placeStatic(table, { url: 'http://h:8000/metrics', model: 'llama-70b' }).map((p) => p.gpu)).toEqual(['0', '1', '2', '3']);
    expect(() => StaticPlacementSchema.parse({ model: 'm', host: 'h', gpu: ['0', '1'], gpuInstanceId: '2' })).toThrow(/cannot go with several GPUs/);
    expect(() => StaticPlacementSchema.parse({ model: 'm', host: 'h', gpu: ['0', '0'] })).toThrow(/listed twice/);
    expect(() => StaticPlacementSchema.parse({ model: 'm', host: 'h', gpu: [] })).toThrow();
  });
});
