// Hugging Face TGI as an upstream kind (src/kinds/tgi/): a real TGI scrape (Datadog's integration
// test payload, TGI 3.3.x) is recognised (tokens from the token histograms' _sum, no model in the metrics), `inspect --kind tgi`
// prints the engines shape, and through the exporter a TGI engine's tokens per joule is its tokens over
// the energy of the slice it is placed on, reconciled with dcgm-exporter's board counter.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import { recognisers } from '../src/recognise/index.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';

const TGI_FILE = new URL('fixtures/thirdparty/tgi/sample1_tgi_datadog_integration_payload_excerpt.prom', import.meta.url);
/** Its '...' elision lines dropped (they mark bucket lines left out of the excerpt). */
const TGI = thirdpartyText('tgi/sample1_tgi_datadog_integration_payload_excerpt.prom');
const A30 = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');
const A30_HOST = 'yg-data-k8s-gpu-a30-node-test-test0003.mt';

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

describe('TGI recognition', () => {
  it('reads tokens from the _sum of the token histograms, running and waiting from batch and queue size', () => {
    const view = recognisers.tgi(parseExposition(TGI, { format: 'text' }));
    // From the scrape: tgi_request_input_length_sum 662, tgi_request_generated_tokens_sum 3423 (109 requests),
    // tgi_batch_current_size 0, tgi_queue_size 0.
    expect(view.engines).toEqual([{ model: '', engine: '0', generation: 'v1', promptTokens: 662, generationTokens: 3423, running: 0, waiting: 0 }]);
  });

  it('says which token counter is missing rather than reporting 0 tokens as real', () => {
    const noGenerated = TGI.split('\n').filter((l) => !l.includes('tgi_request_generated_tokens')).join('\n');
    expect(recognisers.tgi(parseExposition(noGenerated, { format: 'text' })).engines[0]!.missing).toEqual(['generationTokens']);
  });

  it('inspect --kind tgi prints the engines shape; the model is left out unless --model gives it', async () => {
    // inspect reads the file as it is: its '...' elision lines are dropped for it, as they are not exposition.
    const file = join(await mkdtemp(join(tmpdir(), 'tokenwatt-tgi-')), 'tgi.prom');
    await writeFile(file, TGI);
    const plain = await inspect('--kind', 'tgi', file);
    expect(plain.code).toBe(0);
    const engine = (JSON.parse(plain.out) as { engines: Record<string, unknown>[] }).engines[0]!;
    expect(engine).not.toHaveProperty('model');
    expect(engine).toMatchObject({ engine: '0', promptTokens: 662, generationTokens: 3423, running: 0, waiting: 0 });
    expect(engine).not.toHaveProperty('kvCacheUsage');
    const named = await inspect('--kind', 'tgi', '--model', 'teknium/OpenHermes-2.5-Mistral-7B', file);
    expect(JSON.parse(named.out).engines[0].model).toBe('teknium/OpenHermes-2.5-Mistral-7B');
    // The file itself, elisions and all, is refused with the line named rather than half read.
    expect((await inspect('--kind', 'tgi', TGI_FILE.pathname)).code).not.toBe(0);
  });

  it('refuses an exposition with no tgi_ series (exit 1, naming what it looked for)', async () => {
    const r = await inspect('--kind', 'tgi', new URL('fixtures/thirdparty/dcgm/sample1_l4_kops_full_scrape.prom', import.meta.url).pathname);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no TGI series \(tgi_\*\)/);
  });
});

describe('TGI through the exporter', () => {
  let up: Upstreams;
  beforeAll(async () => { up = await Upstreams.start(); });
  afterAll(async () => { await up.close(); });

  it("tokens per joule is the engine's generated tokens over its slice's energy, and the slices add up to the board counter", async () => {
    const deltas = [0, 1_250_000, 2_800_000, 4_100_001, 5_650_123];
    let i = 0;
    const boardMj: number[] = [];
    up.text('/tgi/dcgm', () => A30.replace(/^(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="0"[^}]*\}) (\d+)$/gm, (_m, head: string, v: string) => {
      boardMj[i] = Number(v) + deltas[i]!;
      return `${head} ${Number(v) + deltas[i]!}`;
    }));
    // 300 generated and 700 prompt tokens per 5 s cycle.
    up.text('/tgi/metrics', () => TGI.replace('tgi_request_generated_tokens_sum 3423', `tgi_request_generated_tokens_sum ${3423 + 300 * i}`)
      .replace('tgi_request_input_length_sum 662', `tgi_request_input_length_sum ${662 + 700 * i}`));
    const model = 'HuggingFaceH4/zephyr-7b-beta';
    const { exporter } = exporterFrom({
      targets: [
        { kind: 'dcgm', name: 'a30', url: up.url('/tgi/dcgm') },
        { kind: 'tgi', name: 'zephyr', url: up.url('/tgi/metrics'), model },
      ],
      placement: [{ model, host: A30_HOST, gpu: '0', gpuInstanceId: '3' }],
      energy: { idlePowerWatts: { 'NVIDIA A30': 30 } },
    });
    const t0 = Date.UTC(2026, 5, 1);
    for (i = 0; i < deltas.length; i++) await exporter.runCycle(t0 + i * 5000);
    const s = seriesOf(exporter.metrics.text);
    const board = one(s, 'tokenwatt_gpu_energy_joules_total', { host: A30_HOST, gpu: '0' });
    expect(board).toBeCloseTo((boardMj.at(-1)! - boardMj[0]!) / 1000, 6);
    const slices = find(s, 'tokenwatt_slice_energy_joules_total', { host: A30_HOST, gpu: '0' }).reduce((a, x) => a + x.value, 0);
    expect(slices + one(s, 'tokenwatt_unallocated_energy_joules_total', { host: A30_HOST, gpu: '0' })).toBeCloseTo(board, 6);
    const generated = one(s, 'tokenwatt_model_generation_tokens_total', { model_name: model });
    expect(generated).toBe(1200);
    expect(one(s, 'tokenwatt_model_prompt_tokens_total', { model_name: model })).toBe(2800);
    const joules = one(s, 'tokenwatt_model_energy_joules_total', { model_name: model });
    expect(joules).toBeCloseTo(find(s, 'tokenwatt_slice_energy_joules_total', { gpu: '0', gpu_instance_id: '3' }).reduce((a, x) => a + x.value, 0), 6);
    expect(joules).toBeGreaterThan(0);
    expect(find(s, 'tokenwatt_engine_info', { model_name: model })[0]!.labels).toMatchObject({ server: 'tgi', target: 'zephyr', mapping: 'static' });
    const tpj = one(s, 'tokenwatt_model_tokens_per_joule', { model_name: model });
    // The window (default 5 min) holds the whole run: tokens per joule is the totals' ratio.
    expect(tpj).toBeCloseTo(generated / joules, 6);
  });

  it('an engine whose target names no model is logged once and left out of the ledger', async () => {
    up.text('/tgi/nomodel', TGI);
    const { exporter, lines } = exporterFrom({ targets: [{ kind: 'tgi', name: 'anon', url: up.url('/tgi/nomodel') }] });
    for (let k = 0; k < 3; k++) await exporter.runCycle(Date.UTC(2026, 5, 1) + k * 5000);
    expect(find(seriesOf(exporter.metrics.text), 'tokenwatt_engine_info')).toEqual([]);
    expect(lines.filter((l) => /names no model/.test(l.msg))).toHaveLength(1);
  });
});
