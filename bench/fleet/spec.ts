// The benchmark's fleets: N hosts of 8×H100 each (issue 11), GPUs 0-3 whole (a 70B model tensor
// parallel over 0-1, an 8B model on 2 and on 3), GPUs 4-7 split into MIG slices (3g.40gb + 2g.20gb +
// 2g.20gb, one engine each): 15 vLLM engines per host. Every host serves the same models (replicas),
// as a fleet does; a third of the engines print both old and new vLLM names (a fleet mid-upgrade),
// so the `new or old` handling is exercised on real series.
import { parseFleet } from '../../src/simulate/fleet.ts';
import type { Fleet } from '../../src/simulate/fleet.ts';

const H100 = 'NVIDIA H100 80GB HBM3' as const;
const MIG = [{ profile: '3g.40gb', gpuInstanceId: 2 }, { profile: '2g.20gb', gpuInstanceId: 3 }, { profile: '2g.20gb', gpuInstanceId: 4 }];
/** One model per MIG instance of GPUs 4-7, in the order of MIG above. */
const SLICE_MODELS: [string, number][][] = [
  [['Qwen/Qwen2.5-7B-Instruct', 7.6], ['meta-llama/Llama-3.2-3B-Instruct', 3.2], ['meta-llama/Llama-3.2-1B-Instruct', 1.2]],
  [['mistralai/Mistral-7B-Instruct-v0.3', 7.2], ['microsoft/Phi-3-mini-4k-instruct', 3.8], ['Qwen/Qwen2.5-1.5B-Instruct', 1.5]],
  [['google/gemma-2-9b-it', 9.2], ['Qwen/Qwen2.5-3B-Instruct', 3.1], ['meta-llama/Llama-3.2-3B-Instruct', 3.2]],
  [['Qwen/Qwen2.5-7B-Instruct', 7.6], ['HuggingFaceTB/SmolLM2-1.7B-Instruct', 1.7], ['Qwen/Qwen2.5-0.5B-Instruct', 0.5]],
];

export const hostName = (i: number): string => `h100-node-${String(i + 1).padStart(3, '0')}`;

export function benchFleet(hosts: number, seed = 11): Fleet {
  const spec = {
    seed,
    dcgm: { collectIntervalSeconds: 30 },
    kepler: { generation: 'rewrite', gpu: true },
    diurnalPeriodSeconds: 600,
    hosts: [] as object[],
    servers: [] as object[],
  };
  let n = 0;
  const server = (host: string, model: string, parametersB: number, gpus: number[], rps: number, gpuInstanceId?: number) => ({
    model, parametersB, host, gpus, requestsPerSecond: rps, names: n++ % 3 === 0 ? 'both' : 'v1',
    promptTokens: { mean: 500, max: 4096 }, outputTokens: { mean: 250, max: 2048 }, maxModelLen: 8192,
    ...(gpuInstanceId !== undefined && { gpuInstanceId }),
  });
  for (let h = 0; h < hosts; h++) {
    const name = hostName(h);
    spec.hosts.push({
      name, cpuIdleWatts: 180, cpuMaxWatts: 700,
      gpus: [0, 1, 2, 3, 4, 5, 6, 7].map((g) => (g < 4 ? { model: H100 } : { model: H100, mig: MIG })),
    });
    spec.servers.push(
      // vLLM engine detail at fleet scale: the 70B with a draft model and the MFU and KV residency
      // metrics on, one 8B replica serving LoRA adapters.
      { ...server(name, 'meta-llama/Llama-3.1-70B-Instruct', 70, [0, 1], 2), speculative: { tokens: 4, acceptance: 0.7 }, mfuMetrics: true, kvCacheMetrics: true },
      { ...server(name, 'meta-llama/Llama-3.1-8B-Instruct', 8, [2], 4), lora: { adapters: ['sql-lora', 'support-lora', 'summarise-lora'] } },
      server(name, 'meta-llama/Llama-3.1-8B-Instruct', 8, [3], 4),
    );
    SLICE_MODELS.forEach((models, k) => models.forEach(([model, b], m) => {
      spec.servers.push(server(name, model, b, [4 + k], m === 0 ? 1.5 : 1, MIG[m]!.gpuInstanceId));
    }));
  }
  return parseFleet(spec, `bench fleet of ${hosts} hosts`);
}
