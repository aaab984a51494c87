// llama.cpp's llama-server as an upstream kind (src/kinds/llamacpp/): a real /metrics (ik_llama.cpp
// PR #695, llama.cpp names) is recognised, `inspect --kind llamacpp` prints the engines shape, and
// through the exporter its tokens per joule is its tokens over its GPU's energy from dcgm-exporter.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import { recognisers } from '../src/recognise/index.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';

const CPP_PATH = 'llamacpp/sample1_ik_llama_cpp_pr695_metrics.prom';
const CPP = thirdpartyText(CPP_PATH);
const L4 = thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom');
const L4_HOST = 'i-030791dc5a37cd257';

async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  try {
    return { code: await main(['inspect', ...args]), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('llama.cpp recognition', () => {
  it('reads the prompt and predicted counters, requests processing/deferred and (older builds) KV-cache usage', () => {
    expect(recognisers.llamacpp(parseExposition(CPP, { format: 'text' })).engines).toEqual([
      { model: '', engine: '0', generation: 'v1', promptTokens: 6886, generationTokens: 3469, kvCacheUsage: 0.491063, running: 0, waiting: 0 },
    ]);
  });

  it('inspect --kind llamacpp --model names the model; without it the model is left out', async () => {
    const file = new URL(`fixtures/thirdparty/${CPP_PATH}`, import.meta.url).pathname;
    const named = await inspect('--kind', 'llamacpp', '--model', 'smollm2-Q4_K_M', file);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.out).engines[0]).toMatchObject({ model: 'smollm2-Q4_K_M', promptTokens: 6886, generationTokens: 3469 });
    expect(JSON.parse((await inspect('--kind', 'llamacpp', file)).out).engines[0]).not.toHaveProperty('model');
    const notCpp = await inspect('--kind', 'llamacpp', new URL('fixtures/thirdparty/dcgm/sample1_l4_kops_full_scrape.prom', import.meta.url).pathname);
    expect(notCpp.code).toBe(1);
    expect(notCpp.err).toMatch(/no llama\.cpp series/);
  });
});

describe('llama.cpp through the exporter', () => {
  let up: Upstreams;
  beforeAll(async () => { up = await Upstreams.start(); });
  afterAll(async () => { await up.close(); });

  it("tokens per joule is its generated tokens over its whole GPU's energy from the dcgm counter", async () => {
    let i = 0;
    const readings: number[] = [];
    up.text('/cpp/dcgm', () => L4.replace(/^(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) (\d+)$/gm, (_m, head: string, v: string) => {
      readings[i] = Number(v) + i * 350_000; // 70 W over 5 s
      return `${head} ${readings[i]}`;
    }));
    up.text('/cpp/metrics', () => CPP.replace('llamacpp:tokens_predicted_total 3469', `llamacpp:tokens_predicted_total ${3469 + 100 * i}`));
    const model = 'smollm2-Q4_K_M';
    const { exporter } = exporterFrom({
      targets: [
        { kind: 'dcgm', name: 'l4', url: up.url('/cpp/dcgm') },
        { kind: 'llamacpp', name: 'smollm', url: up.url('/cpp/metrics'), model },
      ],
      placement: [{ model, host: L4_HOST, gpu: '0' }],
    });
    for (i = 0; i < 5; i++) await exporter.runCycle(Date.UTC(2026, 5, 1) + i * 5000);
    const s = seriesOf(exporter.metrics.text);
    const board = one(s, 'tokenwatt_gpu_energy_joules_total', { host: L4_HOST, gpu: '0' });
    expect(board).toBeCloseTo((readings[4]! - readings[0]!) / 1000, 6);
    const joules = one(s, 'tokenwatt_model_energy_joules_total', { model_name: model });
    expect(joules).toBeCloseTo(board, 6);
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: model })).toBe(400);
    expect(one(s, 'tokenwatt_model_tokens_per_joule', { model_name: model })).toBeCloseTo(400 / joules, 6);
    expect(find(s, 'tokenwatt_engine_info', { model_name: model })[0]!.labels).toMatchObject({ server: 'llamacpp', target: 'smollm' });
  });
});
