// The worked example of docs/methodology.md §8 (reference fleet, one hour), fed to the ledger as 60
// one-minute ticks. Every expected figure below was worked out by hand in that section.
import { describe, expect, it } from 'vitest';
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { LedgerSample, Tick } from '../src/energy/tick.ts';

const A100 = 'NVIDIA A100-SXM4-40GB';
const T0 = 1_790_000_000;

function tick(k: number): Tick {
  const f = k / 60; // fraction of the hour
  return {
    timestampS: T0 + 60 * k,
    boards: [
      { host: 'node-a', gpu: '0', uuid: 'GPU-a', model: A100, energyJoules: 5e7 + 900_000 * f, activity: 0.7, slices: [] },
      {
        host: 'node-a', gpu: '1', uuid: 'GPU-b', model: A100, energyJoules: 8e7 + 720_000 * f,
        slices: [
          { gpuInstanceId: '3', profile: '2g.10gb', computeSlices: 2, memorySlices: 2, activity: 0.6 },
          { gpuInstanceId: '2', profile: '3g.20gb', computeSlices: 3, memorySlices: 4, activity: 0.8 },
        ],
      },
    ],
    engines: [
      { model_name: 'Llama-2-7b-chat-hf', engine: '0', namespace: 'llm', pod: 'llama7b-0', host: 'node-a', gpu: '0', generationTokens: 4_500_000 * f, promptTokens: 0 },
      { model_name: 'Llama-2-7B-Chat-GPTQ', engine: '0', namespace: 'llm', pod: 'llama7b-gptq-0', host: 'node-a', gpu: '1', gpuInstanceId: '3', generationTokens: 1_200_000 * f, promptTokens: 0 },
      { model_name: 'Llama-2-13B-chat-GPTQ', engine: '0', namespace: 'llm', pod: 'llama13b-gptq-0', host: 'node-a', gpu: '1', gpuInstanceId: '2', generationTokens: Math.round(1_000_000 * f), promptTokens: 0 },
    ],
  };
}

function get(s: LedgerSample[], name: string, match: Record<string, string>): number {
  const hit = s.filter((x) => x.name === name && Object.entries(match).every(([k, v]) => x.labels[k] === v));
  if (hit.length !== 1) throw new Error(`${hit.length} series for ${name} ${JSON.stringify(match)}`);
  return hit[0]!.value;
}

describe('methodology worked example: the reference fleet over one hour', () => {
  const ledger = new EnergyLedger({ idlePowerWatts: { [A100]: 60 }, windowSeconds: 3600 });
  for (let k = 0; k <= 60; k++) ledger.observe(tick(k));
  const s = ledger.samples();
  const g0 = { gpu_uuid: 'GPU-a' };
  const g1 = { gpu_uuid: 'GPU-b' };
  const s2g = { gpu_uuid: 'GPU-b', gpu_profile: '2g.10gb' };
  const s3g = { gpu_uuid: 'GPU-b', gpu_profile: '3g.20gb' };
  const close = (actual: number, expected: number, digits: number) => expect(actual).toBeCloseTo(expected, digits);

  it('energy: board, idle/active, slices and unallocated', () => {
    close(get(s, 'tokenwatt_gpu_energy_joules_total', g0), 900_000, 4);
    close(get(s, 'tokenwatt_gpu_energy_joules_total', g1), 720_000, 4);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...g0, state: 'idle' }), 216_000, 4);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...g0, state: 'active' }), 684_000, 4);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...s2g, state: 'idle' }), 61_714.2857, 3);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...s2g, state: 'active' }), 168_000, 3);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...s3g, state: 'idle' }), 92_571.4286, 3);
    close(get(s, 'tokenwatt_slice_energy_joules_total', { ...s3g, state: 'active' }), 336_000, 3);
    close(get(s, 'tokenwatt_unallocated_energy_joules_total', g1), 61_714.2857, 3);
    close(get(s, 'tokenwatt_model_energy_joules_total', { model_name: 'Llama-2-7B-Chat-GPTQ' }), 229_714.2857, 3);
    close(get(s, 'tokenwatt_model_energy_joules_total', { model_name: 'Llama-2-13B-chat-GPTQ' }), 428_571.4286, 3);
  });

  it('tokens per joule over the hour', () => {
    close(get(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'Llama-2-7b-chat-hf', window: '3600s' }), 5.0, 6);
    close(get(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'Llama-2-7B-Chat-GPTQ' }), 5.2239, 4);
    close(get(s, 'tokenwatt_model_tokens_per_joule', { model_name: 'Llama-2-13B-chat-GPTQ' }), 2.3333, 4);
  });

  it('cost: model totals, per 1M tokens, idle and unallocated', () => {
    close(get(s, 'tokenwatt_model_cost_total', { model_name: 'Llama-2-7b-chat-hf' }), 4.139, 6);
    close(get(s, 'tokenwatt_model_cost_total', { model_name: 'Llama-2-7B-Chat-GPTQ' }), 1.181383, 6);
    close(get(s, 'tokenwatt_model_cost_total', { model_name: 'Llama-2-13B-chat-GPTQ' }), 1.775714, 6);
    close(get(s, 'tokenwatt_model_cost_per_million_tokens', { model_name: 'Llama-2-7b-chat-hf' }), 0.9198, 4);
    close(get(s, 'tokenwatt_model_cost_per_million_tokens', { model_name: 'Llama-2-7B-Chat-GPTQ' }), 0.9845, 4);
    close(get(s, 'tokenwatt_model_cost_per_million_tokens', { model_name: 'Llama-2-13B-chat-GPTQ' }), 1.7757, 4);
    close(get(s, 'tokenwatt_idle_cost_total', { ...g0 }), 1.23936, 6);
    close(get(s, 'tokenwatt_idle_cost_total', s2g), 0.471246, 6);
    close(get(s, 'tokenwatt_idle_cost_total', s3g), 0.35544, 6);
    close(get(s, 'tokenwatt_unallocated_cost_total', g1), 1.174103, 6);
    // Slices + unallocated = GPU: 4.10 $ capacity + 0.2 kWh × 0.156 $ = 4.1312 $.
    close(get(s, 'tokenwatt_gpu_cost_total', { ...g1, component: 'capacity' }) + get(s, 'tokenwatt_gpu_cost_total', { ...g1, component: 'energy' }), 4.1312, 9);
  });

  it('CO2e', () => {
    close(get(s, 'tokenwatt_gpu_co2e_grams_total', g0), 142.5, 6);
    close(get(s, 'tokenwatt_gpu_co2e_grams_total', g1), 114, 6);
    close(get(s, 'tokenwatt_model_co2e_grams_total', { model_name: 'Llama-2-7B-Chat-GPTQ' }), 36.371, 3);
    close(get(s, 'tokenwatt_model_co2e_grams_total', { model_name: 'Llama-2-13B-chat-GPTQ' }), 67.857, 3);
  });
});
