// The exporter soak (issue 12): a real `tokenwatt exporter` process over a simulated GPU node plus
// hostile upstreams, scraped by concurrent loopback scrapers for a bounded time. Reports /metrics
// latency (p50/p99), errors, RSS (max and slope over the second half), whether any derived counter ever
// decreased, how long a target that goes down takes to show tokenwatt_collector_up 0, and each hostile
// target's state. The scrapers run on a worker thread (bench/soak-scrapers.mjs), first at a fixed rate
// (each scraper one request every periodMs) and then, for the last saturationS seconds, as fast as
// answers come; each phase's latency is reported apart. Used by bench/soak.bench.ts (10 minutes, the
// dense node) and test/soak.test.ts (60 s, a small node, behaviour only).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { parseExposition } from '../src/exposition/parse.ts';
import { thirdpartyText } from '../test/support/thirdparty.ts';
import { procStat, simNode, sleep } from './node-sim.ts';

export interface SoakOptions {
  durationS: number;
  scrapers: number;
  /** Each scraper starts one request every periodMs (0: as fast as answers come). */
  periodMs: number;
  /** The last this-many seconds of durationS: scrapers as fast as answers come (saturation), reported apart. Default 0. */
  saturationS?: number;
  intervalS: number;
  /** vLLM engines on the simulated node (56: the dense node) and Kepler pods. */
  engines: number;
  keplerPods: number;
  /** Node arguments before `exporter` (the entry and its flags). */
  entry: string[];
  /** How long the flapping target stays up, then down. */
  flapS: number;
}

/** What each hostile upstream should come to: down with this reason, or up (heavy but valid). */
export const HOSTILE_EXPECT: Record<string, string> = {
  'slow-body': 'timeout', hang: 'timeout', garbage: 'parse', endless: 'too_large', 'gzip-bomb': 'too_large',
  'wide-labels': 'too_many_labels', 'bad-utf8': 'parse', reset: 'connect', 'long-label': 'label_too_long',
  'many-series': 'up', halving: 'up',
};

const MAX_BODY = 8 * 1024 * 1024;

function hostileRoutes(): Map<string, http.RequestListener> {
  const triton = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
  const l4 = thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom');
  const wide = `m{${Array.from({ length: 100_000 }, (_, i) => `l${i}="v"`).join(',')}} 1\n`;
  const many = `${triton}${Array.from({ length: 100_000 }, (_, i) => `filler_series{i="${i}"} ${i}\n`).join('')}`;
  const bomb = gzipSync(Buffer.alloc(MAX_BODY * 2, 'a'));
  let halving = 4_742_776;
  let halvingScrapes = 0;
  const r = new Map<string, http.RequestListener>();
  r.set('/h/slow-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const t = setInterval(() => res.write('#'), 200);
    res.on('close', () => clearInterval(t));
  });
  r.set('/h/hang', () => {});
  r.set('/h/garbage', (_req, res) => res.end('<html><body>502 Bad Gateway</body></html>\n'));
  r.set('/h/endless', (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => { while (res.write(chunk)) { /* until the socket pushes back */ } };
    res.on('drain', pump);
    pump();
  });
  r.set('/h/gzip-bomb', (_req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end(bomb); });
  r.set('/h/wide-labels', (_req, res) => res.end(wide));
  r.set('/h/long-label', (_req, res) => res.end(`${triton}x{v="${'y'.repeat(100_000)}"} 1\n`));
  r.set('/h/bad-utf8', (_req, res) => res.end(Buffer.concat([Buffer.from(triton), Buffer.from('x{v="\xff\xfe"} 1\n', 'latin1')])));
  r.set('/h/reset', (req) => req.socket.destroy());
  r.set('/h/many-series', (_req, res) => res.end(many));
  // An energy counter (mJ) that grows 1 kJ a scrape but halves every third one.
  r.set('/h/halving', (_req, res) => {
    halving = ++halvingScrapes % 3 === 0 ? Math.floor(halving / 2) : halving + 1_000_000;
    res.end(l4.replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${halving}`));
  });
  return r;
}

export interface PhaseResult {
  name: string;
  scrapers: number;
  periodMs: number;
  durationS: number;
  requests: number;
  errors: number;
  requestsPerS: number;
  latencyMs: { p50: number | null; p90: number | null; p99: number | null; max: number };
}

export async function soak(o: SoakOptions) {
  const node = simNode(1, '/node', o.engines, o.keplerPods);
  const routes = new Map<string, http.RequestListener>(node.routes.map(([p, f]) => [p, (_req, res) => {
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(f());
  }]));
  for (const [p, h] of hostileRoutes()) routes.set(p, h);
  // The flapping target: a Triton vLLM scrape, up for flapS, then HTTP 503 for flapS, and so on.
  const triton = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
  let flapDown = false;
  routes.set('/h/flappy', (_req, res) => {
    if (flapDown) { res.statusCode = 503; res.end('down\n'); } else res.end(triton);
  });
  const upstream = http.createServer((req, res) => {
    const h = routes.get(req.url ?? '');
    if (!h) { res.statusCode = 404; res.end(); return; }
    h(req, res);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-soak-'));
  const config = join(dir, 'tokenwatt.yaml');
  const hostile = [...Object.keys(HOSTILE_EXPECT), 'flappy'];
  const kindOf = (name: string) => (name === 'halving' ? 'dcgm' : 'vllm');
  writeFileSync(config, [
    `listen: 127.0.0.1:${port}`, `interval: ${o.intervalS}s`, 'nvml: off', 'logLevel: error',
    `limits: {maxBodyBytes: ${MAX_BODY}}`, 'targets:', ...node.targets(base),
    ...hostile.map((h) => `  - {kind: ${kindOf(h)}, name: ${h}, url: "${base}/h/${h}"}`),
    'placement:', ...node.placement(base),
  ].join('\n') + '\n');

  const child = spawn(process.execPath, [...o.entry, 'exporter', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000); });
  let exit: number | null | undefined;
  child.once('exit', (code) => { exit = code; });
  const url = `http://127.0.0.1:${port}/metrics`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.scrapers + 2 });
  const get = (headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    }).on('error', reject);
  });
  try {
    for (let i = 0; ; i++) {
      if (exit !== undefined) throw new Error(`exporter exited (${exit}) before ready: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (i > 600) throw new Error(`exporter not ready after 120 s: ${stderr}`);
      await sleep(200);
    }
    const t0 = performance.now();
    const end = t0 + o.durationS * 1000;
    const saturationS = Math.min(o.saturationS ?? 0, o.durationS);
    const phases = [
      { name: 'fixedRate', scrapers: o.scrapers, periodMs: o.periodMs, durationS: o.durationS - saturationS },
      ...(saturationS > 0 ? [{ name: 'saturation', scrapers: o.scrapers, periodMs: 0, durationS: saturationS }] : []),
    ].filter((p) => p.durationS > 0);
    const worker = new Worker(new URL('./soak-scrapers.mjs', import.meta.url), { workerData: { url, phases } });
    const phaseResults: PhaseResult[] = [];
    const scraped = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: PhaseResult | 'done') => { if (m === 'done') resolve(); else phaseResults.push(m); });
      worker.once('error', reject);
      worker.once('exit', () => resolve());
    });
    child.once('exit', () => worker.postMessage('stop'));
    // Checker: counters never decrease; the flapping target's down transitions are seen in time.
    const last = new Map<string, number>();
    let decreases = 0;
    const decreased: string[] = [];
    const downDelays: number[] = [];
    let downSince: number | undefined;
    const rss: { s: number; mb: number }[] = [];
    const checker = async () => {
      let flapAt = t0 + o.flapS * 1000;
      while (performance.now() < end && exit === undefined) {
        const now = performance.now();
        if (now >= flapAt) {
          flapDown = !flapDown;
          if (flapDown) downSince = now;
          flapAt += o.flapS * 1000;
        }
        try {
          rss.push({ s: (now - t0) / 1000, mb: procStat(child.pid!).rssMb });
          const r = await get();
          for (const f of parseExposition(r.body, { format: 'text' })) {
            if (f.type === 'counter' && f.name.startsWith('tokenwatt_')) {
              for (const x of f.samples) {
                const key = `${x.name}${JSON.stringify(x.labels)}`;
                const prev = last.get(key);
                if (prev !== undefined && x.value < prev) { decreases++; if (decreased.length < 5) decreased.push(`${key}: ${prev} -> ${x.value}`); }
                last.set(key, x.value);
              }
            }
            if (f.name === 'tokenwatt_collector_up' && downSince !== undefined) {
              const flappy = f.samples.find((x) => x.labels.target === 'flappy');
              if (flappy?.value === 0) { downDelays.push((performance.now() - downSince) / 1000); downSince = undefined; }
            }
          }
        } catch {
          // a scrape error is counted by the scrapers
        }
        await sleep(250);
      }
    };
    await Promise.all([checker(), scraped]);
    await worker.terminate();
    const errors = phaseResults.reduce((a, p) => a + p.errors, 0);
    const requests = phaseResults.reduce((a, p) => a + p.requests, 0);
    const fixed = phaseResults.find((p) => p.name === 'fixedRate');
    const saturation = phaseResults.find((p) => p.name === 'saturation');
    const alive = exit === undefined;
    const targets = alive
      ? ((await fetch(`http://127.0.0.1:${port}/api/targets`).then((r) => r.json())) as { targets: { name: string; up: boolean; reason: string | null }[] }).targets
      : [];
    // The exporter's own view (prom-client): GC pauses by kind and event-loop lag, which explain a long tail.
    const runtime: Record<string, number> = {};
    if (alive) {
      for (const f of parseExposition((await get()).body, { format: 'text' })) {
        if (f.name === 'nodejs_gc_duration_seconds') {
          for (const x of f.samples) if (x.name.endsWith('_sum') || x.name.endsWith('_count')) runtime[`gc_${x.labels.kind}_${x.name.endsWith('_sum') ? 'seconds' : 'count'}`] = Number(x.value.toFixed(3));
        }
        if (f.name.startsWith('nodejs_eventloop_lag_') && f.name.endsWith('_seconds')) runtime[f.name.slice('nodejs_'.length)] = Number(f.samples[0]!.value.toFixed(4));
        // The serving thread's heap at the end (the scrape worker's is apart: RSS minus these is mostly it).
        if (['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'].includes(f.name)) runtime[`${f.name.slice('nodejs_'.length, -'_bytes'.length)}_mb`] = Number((f.samples[0]!.value / 2 ** 20).toFixed(1));
      }
    }
    const state = (name: string) => { const t = targets.find((x) => x.name === name); return t === undefined ? 'missing' : t.up ? 'up' : t.reason ?? 'down'; };
    const half = rss.filter((r) => r.s >= o.durationS / 2);
    return {
      durationS: o.durationS, scrapers: o.scrapers, periodMs: o.periodMs, saturationS, intervalS: o.intervalS,
      node: { engines: o.engines, keplerPods: o.keplerPods, targets: node.routes.length },
      hostile: Object.fromEntries(hostile.filter((h) => h !== 'flappy').map((h) => [h, { expected: HOSTILE_EXPECT[h], got: state(h) }])),
      healthyTargetsUp: targets.filter((t) => !hostile.includes(t.name) && t.up).length,
      alive,
      ...(!alive && { exitCode: exit, stderrTail: stderr.slice(-2000) }),
      requests,
      errors,
      /** The fixed-rate phase's latency (each scraper one request every periodMs). */
      latencyMs: fixed?.latencyMs ?? { p50: null, p90: null, p99: null, max: 0 },
      fixedRate: fixed ?? null,
      saturation: saturation ?? null,
      rssMb: { max: Number(Math.max(...rss.map((r) => r.mb)).toFixed(1)), secondHalfSlopeMbPerMin: Number((slope(half) * 60).toFixed(2)) },
      counters: { checked: last.size, decreases, decreased },
      exporterRuntime: runtime,
      downDetectionS: { transitions: downDelays.length, max: downDelays.length ? Number(Math.max(...downDelays).toFixed(2)) : null, intervalS: o.intervalS },
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    agent.destroy();
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  }
}

export function slope(points: { s: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const ms = points.reduce((a, p) => a + p.s, 0) / n;
  const mm = points.reduce((a, p) => a + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) { num += (p.s - ms) * (p.mb - mm); den += (p.s - ms) ** 2; }
  return den === 0 ? 0 : num / den;
}
