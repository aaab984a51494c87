// A broken upstream is marked down within one cycle with the right reason, its data is dropped, and
// every other target keeps serving; counters never go backwards; memory stays bounded.
import { getEventListeners } from 'node:events';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline } from '../src/collectors/deadline.ts';
import { SCRAPE_WORKER_HEAP_MB } from '../src/collectors/scrape-pool.ts';
import { recognisers } from '../src/collectors/recognisers.ts';
import { findKind, TARGET_KIND_IDS } from '../src/kinds/index.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, one, seriesOf, Upstreams } from './support/upstream.ts';
import type { Handler, Series } from './support/upstream.ts';

const L4 = thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom');
const TRITON = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
const SGLANG = thirdpartyText('sglang/sglang_docs_production_metrics_example.prom');
const HOST = 'i-030791dc5a37cd257';
const MAX_BODY = 256 * 1024;

let up: Upstreams;
beforeAll(async () => {
  up = await Upstreams.start();
});
afterAll(async () => {
  await up.close();
});

/** The L4 scrape with its energy counter (mJ) replaced. */
const l4At = (mj: number) => L4.replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${mj}`);
/** The Triton vLLM scrape with its generation counter replaced. */
const tritonAt = (tokens: number | string) => TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${tokens}`);

function fixtureHandler(text: () => string): Handler {
  return (_req, res) => {
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(text());
  };
}

const FAULTS: [string, string, Handler][] = [
  ['connection reset before an answer', 'connect', (req) => req.socket.destroy()],
  ['slow past the timeout', 'timeout', (_req, res) => { setTimeout(() => res.end(TRITON), 3000).unref(); }],
  ['HTTP 503', 'http_status', (_req, res) => { res.statusCode = 503; res.end('overloaded\n'); }],
  ['HTTP 404', 'http_status', (_req, res) => { res.statusCode = 404; res.end('not found\n'); }],
  ['garbage', 'parse', (_req, res) => { res.end('<html><body>502 Bad Gateway</body></html>\n'); }],
  ['truncated body (connection closed before Content-Length)', 'truncated', (_req, res) => {
    res.setHeader('Content-Length', String(Buffer.byteLength(TRITON)));
    res.write(TRITON.slice(0, 200));
    setTimeout(() => res.socket?.destroy(), 20).unref();
  }],
  ['larger than limits.maxBodyBytes', 'too_large', (_req, res) => { res.end(TRITON + `# ${'x'.repeat(MAX_BODY)}\n`); }],
  ['invalid UTF-8', 'parse', (_req, res) => { res.end(Buffer.concat([Buffer.from(TRITON), Buffer.from('vllm:num_requests_running{model="\xff\xfe"} 1\n', 'latin1')])); }],
  ['NaN token counter', 'invalid_value', (_req, res) => { res.end(tritonAt('NaN')); }],
  ['+Inf token counter', 'invalid_value', (_req, res) => { res.end(tritonAt('+Inf')); }],
  ['-Inf token counter', 'invalid_value', (_req, res) => { res.end(tritonAt('-Inf')); }],
  ['more series than limits.maxSeriesPerTarget', 'too_many_series', (_req, res) => {
    res.end(Array.from({ length: 600 }, (_, i) => `filler{i="${i}"} 1\n`).join(''));
  }],
  // Issue 12: a series with more labels than limits.maxLabelsPerSeries (was: accepted and parsed in
  // O(labels²); 100k labels took 27 s on the serving thread while the target showed up).
  ['a series with more labels than limits.maxLabelsPerSeries', 'too_many_labels', (_req, res) => {
    res.end(`${TRITON}wide{${Array.from({ length: 200 }, (_, i) => `l${i}="v"`).join(',')}} 1\n`);
  }],
  ['a label value longer than limits.maxLabelLength', 'label_too_long', (_req, res) => {
    res.end(`${TRITON}long{v="${'x'.repeat(5000)}"} 1\n`);
  }],
  ['gzip body that is not gzip', 'parse', (_req, res) => { res.setHeader('Content-Encoding', 'gzip'); res.end(TRITON); }],
];

interface Rig {
  run(): Promise<Series[]>;
  lines: { level: string; msg: string }[];
}

/** dcgm (L4) + sglang healthy, a vllm target at `path` whose handler the test swaps; energy +1000 J per cycle. */
function rig(path: string, interval = 2): Rig {
  let mj = 4742776;
  let t = Date.UTC(2026, 0, 1);
  up.on(`${path}/dcgm`, fixtureHandler(() => l4At((mj += 1_000_000))));
  up.on(`${path}/sglang`, fixtureHandler(() => SGLANG));
  const { exporter, lines } = exporterFrom({
    interval,
    limits: { maxBodyBytes: MAX_BODY, maxSeriesPerTarget: 500 },
    targets: [
      { kind: 'dcgm', name: 'dcgm', url: up.url(`${path}/dcgm`) },
      { kind: 'vllm', name: 'flaky', url: up.url(`${path}/vllm`), timeout: 1 },
      { kind: 'sglang', name: 'sglang', url: up.url(`${path}/sglang`) },
    ],
    placement: [
      { model: 'vllm_model', host: HOST, gpu: '0' },
      { model: 'meta-llama/Llama-3.1-8B-Instruct', host: HOST, gpu: '0' },
    ],
  });
  return {
    lines,
    async run() {
      await exporter.runCycle((t += interval * 1000));
      return seriesOf(exporter.metrics.text);
    },
  };
}

describe('one failing target among healthy ones', () => {
  it.each(FAULTS)('%s: down with reason %s within one cycle; the others keep serving', async (_what, reason, fault) => {
    const path = `/f${FAULTS.findIndex((f) => f[2] === fault)}`;
    const r = rig(path);
    up.on(`${path}/vllm`, fixtureHandler(() => TRITON));
    const first = await r.run();
    await r.run();
    const before = await r.run();
    expect(one(before, 'tokenwatt_collector_up', { target: 'flaky' })).toBe(1);
    expect(find(before, 'tokenwatt_collector_errors_total', { target: 'flaky' })).toEqual([]);
    expect(find(before, 'tokenwatt_engine_info', { model_name: 'vllm_model' })).toHaveLength(1);
    expect(first.length).toBeGreaterThan(0);

    up.on(`${path}/vllm`, fault);
    const after = await r.run();
    expect(one(after, 'tokenwatt_collector_up', { collector: 'vllm', target: 'flaky' })).toBe(0);
    expect(one(after, 'tokenwatt_collector_errors_total', { target: 'flaky', reason })).toBe(1);
    expect(find(after, 'tokenwatt_collector_errors_total', { target: 'flaky' })).toHaveLength(1);
    expect(one(after, 'tokenwatt_collector_series', { target: 'flaky' })).toBe(0);
    // The others: up, no errors, and the GPU's energy still counts 1000 J per cycle.
    for (const target of ['dcgm', 'sglang']) {
      expect(one(after, 'tokenwatt_collector_up', { target })).toBe(1);
      expect(find(after, 'tokenwatt_collector_errors_total', { target })).toEqual([]);
    }
    expect(one(after, 'tokenwatt_gpu_energy_joules_total', { host: HOST }) - one(before, 'tokenwatt_gpu_energy_joules_total', { host: HOST })).toBeCloseTo(1000, 6);
    expect(one(after, 'tokenwatt_model_generation_tokens_total', { model_name: 'meta-llama/Llama-3.1-8B-Instruct' })).toBe(0);
    // Counters of the failed engine hold their value: nothing goes backwards.
    for (const name of ['tokenwatt_model_generation_tokens_total', 'tokenwatt_model_energy_joules_total', 'tokenwatt_model_cost_total']) {
      const b = find(before, name, { model_name: 'vllm_model' });
      const a = find(after, name, { model_name: 'vllm_model' });
      expect(a.map((s) => s.value)).toEqual(b.map((s) => s.value));
    }
    // Two more failing cycles: still down, errors counted, one log line for the transition only.
    await r.run();
    const later = await r.run();
    expect(one(later, 'tokenwatt_collector_errors_total', { target: 'flaky', reason })).toBe(3);
    expect(r.lines.filter((l) => l.msg === 'collector failed')).toHaveLength(1);

    // It recovers in one cycle.
    up.on(`${path}/vllm`, fixtureHandler(() => TRITON));
    const back = await r.run();
    expect(one(back, 'tokenwatt_collector_up', { target: 'flaky' })).toBe(1);
    expect(one(back, 'tokenwatt_collector_errors_total', { target: 'flaky', reason })).toBe(3);
  });

  it('a target nobody listens on: connect refused, reason connect', async () => {
    const { exporter } = exporterFrom({ targets: [{ kind: 'kepler', name: 'gone', url: 'http://127.0.0.1:1/metrics' }] });
    await exporter.runCycle(1_000_000);
    const s = seriesOf(exporter.metrics.text);
    expect(one(s, 'tokenwatt_collector_up', { target: 'gone' })).toBe(0);
    expect(one(s, 'tokenwatt_collector_errors_total', { target: 'gone', reason: 'connect' })).toBe(1);
    expect(exporter.targets[0]).toMatchObject({ kind: 'kepler', name: 'gone', up: false, reason: 'connect', lastSuccess: null });
    expect(exporter.targets[0]!.lastError).toContain('ECONNREFUSED');
  });
});

describe('NaN and ±Inf where they do no harm, and where they would', () => {
  it('a NaN gauge leaves the target up; a NaN or +Inf energy counter takes dcgm down (invalid_value) while vLLM keeps counting', async () => {
    let mj = 4_742_776;
    let energyLine = (v: number) => String(v);
    let tokens = 16;
    up.on('/nan/dcgm', fixtureHandler(() => L4
      .replace(/(DCGM_FI_DEV_POWER_USAGE\{[^}]*\}) [\d.]+/, '$1 NaN')
      .replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${energyLine((mj += 1_000_000))}`)));
    up.on('/nan/vllm', fixtureHandler(() => `${tritonAt((tokens += 10))}vllm:num_requests_running{model="vllm_model",version="1"} NaN\n`));
    const { exporter } = exporterFrom({
      targets: [{ kind: 'dcgm', name: 'dcgm', url: up.url('/nan/dcgm') }, { kind: 'vllm', name: 'vllm', url: up.url('/nan/vllm') }],
      placement: [{ model: 'vllm_model', host: HOST, gpu: '0' }],
    });
    let t = 0;
    const run = async () => {
      await exporter.runCycle((t += 5000));
      return seriesOf(exporter.metrics.text);
    };
    await run();
    let s = await run();
    expect(one(s, 'tokenwatt_collector_up', { target: 'dcgm' })).toBe(1);
    expect(one(s, 'tokenwatt_collector_up', { target: 'vllm' })).toBe(1);
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(1000, 9);
    // A NaN power reading is not used to learn idle power (it stays unset), and nothing is NaN downstream.
    expect(s.filter((x) => x.name.startsWith('tokenwatt_')).every((x) => !Number.isNaN(x.value))).toBe(true);

    for (const bad of ['NaN', '+Inf']) {
      energyLine = () => bad;
      s = await run();
      expect(one(s, 'tokenwatt_collector_up', { target: 'dcgm' })).toBe(0);
      expect(one(s, 'tokenwatt_collector_up', { target: 'vllm' })).toBe(1);
      expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(1000, 9);
    }
    expect(one(s, 'tokenwatt_collector_errors_total', { target: 'dcgm', reason: 'invalid_value' })).toBe(2);
    energyLine = String;
    s = await run();
    expect(one(s, 'tokenwatt_collector_up', { target: 'dcgm' })).toBe(1);
    // Back: the two missed intervals are counted from the last good reading (3 × 1000 J since).
    expect(one(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(4000, 9);
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(40);
  });
});

describe('counters never go backwards', () => {
  it('a vLLM restart (its counter drops from 1016 to 6, then 9) adds 9 tokens once the next reading confirms it, not -1010', async () => {
    const r = rig('/reset');
    let tokens = 16;
    up.on('/reset/vllm', fixtureHandler(() => tritonAt(tokens)));
    await r.run();
    tokens = 1016;
    const s1 = await r.run();
    expect(one(s1, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(1000);
    tokens = 6;
    const s2 = await r.run();
    // A drop is held one reading (a glitch that comes back is not a reset; methodology §9).
    expect(one(s2, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(1000);
    expect(one(s2, 'tokenwatt_collector_up', { target: 'flaky' })).toBe(1);
    tokens = 9;
    const s3 = await r.run();
    expect(one(s3, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(1009);
  });

  it('a driver reload (the energy counter drops and stays down) counts from zero once the next reading confirms it', async () => {
    let mj = 5_000_000;
    let t = 0;
    up.on('/reload/dcgm', fixtureHandler(() => l4At(mj)));
    const { exporter } = exporterFrom({ targets: [{ kind: 'dcgm', url: up.url('/reload/dcgm') }] });
    const energy = async () => {
      await exporter.runCycle((t += 5000));
      return one(seriesOf(exporter.metrics.text), 'tokenwatt_gpu_energy_joules_total');
    };
    expect(await energy()).toBe(0);
    mj = 7_000_000;
    expect(await energy()).toBe(2000);
    mj = 300_000; // reloaded: 300 J since; held until the next reading confirms the drop
    expect(await energy()).toBe(2000);
    mj = 1_300_000;
    expect(await energy()).toBe(3300);
  });
});

describe('memory stays bounded', () => {
  it('an endless body is cut at maxBodyBytes every cycle, and failing cycles add no series', async () => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    up.on('/endless/vllm', (_req, res: http.ServerResponse) => {
      res.setHeader('Content-Type', 'text/plain');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    const r = rig('/endless');
    up.on('/endless/vllm', up.handlers.get('/endless/vllm')!);
    await r.run();
    const sizes: number[] = [];
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 20; i++) sizes.push((await r.run()).length);
    const grown = process.memoryUsage().rss - rss0;
    expect(new Set(sizes).size).toBe(1);
    // 21 reads of an endless stream: each stops near the 256 KiB limit (plus what sat in socket buffers).
    expect(sent / 21).toBeLessThan(MAX_BODY + 8 * 1024 * 1024);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const s = await r.run();
    expect(one(s, 'tokenwatt_collector_errors_total', { target: 'flaky', reason: 'too_large' })).toBe(22);
  });
});

describe('the scrape worker (reads run off the serving thread)', () => {
  it('runs the same recogniser as each kind\'s inspect, for every kind the exporter reads', () => {
    for (const id of TARGET_KIND_IDS) expect([id, recognisers[id]]).toEqual([id, findKind(id)!.inspect!.recognise]);
    expect(Object.keys(recognisers).sort()).toEqual([...TARGET_KIND_IDS].sort());
  });
  it('a body that outgrows the worker\'s heap ends the worker, not the exporter: that read fails with reason worker, and the next cycle reads again', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let endless = true;
    up.on('/oom/vllm', (_req, res: http.ServerResponse) => {
      if (!endless) return fixtureHandler(() => TRITON)(_req, res);
      res.setHeader('Content-Type', 'text/plain');
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    let t = Date.UTC(2026, 0, 1);
    up.on('/oom/dcgm', fixtureHandler(() => l4At(4742776)));
    const { exporter, lines } = exporterFrom({
      interval: 30,
      // Far past the worker's heap: the body is held until the heap, not this limit, gives out.
      limits: { maxBodyBytes: 8 * SCRAPE_WORKER_HEAP_MB * 1024 * 1024, maxSeriesPerTarget: 500 },
      targets: [
        { kind: 'dcgm', name: 'dcgm', url: up.url('/oom/dcgm') },
        { kind: 'vllm', name: 'flaky', url: up.url('/oom/vllm'), timeout: 30 },
      ],
      placement: [{ model: 'vllm_model', host: HOST, gpu: '0' }],
    });
    await exporter.runCycle((t += 30_000));
    const failed = seriesOf(exporter.metrics.text);
    expect(one(failed, 'tokenwatt_collector_up', { target: 'flaky' })).toBe(0);
    expect(one(failed, 'tokenwatt_collector_errors_total', { target: 'flaky', reason: 'worker' })).toBe(1);
    expect(lines.some((l) => JSON.stringify(l).includes('out of memory'))).toBe(true);
    endless = false;
    await exporter.runCycle((t += 30_000));
    const after = seriesOf(exporter.metrics.text);
    expect(one(after, 'tokenwatt_collector_up', { target: 'flaky' })).toBe(1);
    expect(one(after, 'tokenwatt_collector_up', { target: 'dcgm' })).toBe(1);
  }, 60_000);
});

describe('deadline (what each collector run is bounded by)', () => {
  it('fires on time or with the outer signal, and lets go of the outer signal when disposed', async () => {
    const outer = new AbortController();
    const runs = Array.from({ length: 100 }, () => deadline(outer.signal, 10_000));
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(100);
    for (const r of runs) r.dispose();
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);

    const quick = deadline(outer.signal, 20);
    await new Promise((r) => setTimeout(r, 60));
    expect([quick.signal.aborted, quick.expired]).toEqual([true, true]);
    quick.dispose();

    const cancelled = deadline(outer.signal, 10_000);
    outer.abort();
    expect([cancelled.signal.aborted, cancelled.expired]).toEqual([true, false]);
    cancelled.dispose();
  });
});
