// Weeks of tokenwatt data for `tokenwatt report` tests and its benchmark, backfilled into a real
// Prometheus with `promtool tsdb create-blocks-from openmetrics` (a live fleet would take weeks).
// The series are the exporter's own (names and labels as src/catalog/tokenwatt.ts declares them and
// the exporter serves them, plus `up` and vLLM's e2e latency histogram), for the fleet shape of the
// fleet benchmark (bench/fleet/spec.ts, issue 11): 8×H100 hosts, GPUs 0-3 whole (a 70B model tensor
// parallel over 0-1, an 8B model on 2 and 3), GPUs 4-7 in MIG (3g.40gb + 2g.20gb + 2g.20gb; GPU 7
// leaves its last 2g unallocated). Values follow a daily load curve, at a chosen sample interval.
// Counters are accumulated exactly, so a test can compare the report with PromQL over them.
// Faults: an exporter restart (counters back to 0), an outage (no samples, up = 0, then a restart),
// and a model swapped in mid-period.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FleetDataOptions {
  hosts: number;
  /** Unix seconds; samples at start, start + step, ... < end. */
  start: number;
  end: number;
  stepSeconds: number;
  cluster?: string;
  /** Host 0's exporter restarts at these times: its counters start again from 0. */
  restarts?: number[];
  /** Host 0's exporter is down in [from, to): no tokenwatt samples, up = 0; it restarts at `to`. */
  outage?: { from: number; to: number };
  /** From `at`, host 0's GPU 3 serves `model` instead of its 8B. */
  swap?: { at: number; model: string };
  /** Load of times before this is scaled by `earlierLoad` (so the previous period differs). */
  changeAt?: number;
  earlierLoad?: number;
}

const H100 = 'NVIDIA H100 80GB HBM3';
const LATENCY_LE = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];
const IDLE_W = 70;
const MAX_W = 700;
const PRICE_PER_GPU_HOUR = 4;
const KWH_PRICE = 0.12;
const PUE = 1.3;
const GRID = 475;

export interface Engine { model: string; tpj: number; latencyMedian: number; gpus: number[]; instance?: number; profile?: string; weight: number; load: number; swapTo?: string }

export function hostEngines(): Engine[] {
  const mig = [
    [['Qwen/Qwen2.5-7B-Instruct', 1.6], ['meta-llama/Llama-3.2-3B-Instruct', 3.1], ['meta-llama/Llama-3.2-1B-Instruct', 5.2]],
    [['mistralai/Mistral-7B-Instruct-v0.3', 1.5], ['microsoft/Phi-3-mini-4k-instruct', 2.8], ['Qwen/Qwen2.5-1.5B-Instruct', 4.4]],
    [['google/gemma-2-9b-it', 1.2], ['Qwen/Qwen2.5-3B-Instruct', 3.0], ['meta-llama/Llama-3.2-3B-Instruct', 3.1]],
    [['Qwen/Qwen2.5-7B-Instruct', 1.6], ['HuggingFaceTB/SmolLM2-1.7B-Instruct', 4.0]],
  ] as const;
  const profiles = [['3g.40gb', 2, 3 / 7], ['2g.20gb', 3, 2 / 7], ['2g.20gb', 4, 2 / 7]] as const;
  const engines: Engine[] = [
    { model: 'meta-llama/Llama-3.1-70B-Instruct', tpj: 0.35, latencyMedian: 14, gpus: [0, 1], weight: 1, load: 0.8 },
    { model: 'meta-llama/Llama-3.1-8B-Instruct', tpj: 2.4, latencyMedian: 5, gpus: [2], weight: 1, load: 0.7 },
    { model: 'meta-llama/Llama-3.1-8B-Instruct', tpj: 2.4, latencyMedian: 5, gpus: [3], weight: 1, load: 0.6 },
  ];
  mig.forEach((models, k) => models.forEach(([model, tpj], m) => {
    const [profile, instance, weight] = profiles[m]!;
    engines.push({ model, tpj, latencyMedian: 3 + 4 / tpj, gpus: [4 + k], instance, profile, weight, load: 0.5 + 0.1 * m });
  }));
  return engines;
}

/** Fraction of requests with latency ≤ le for a log-normal around `median` (sigma 0.6). */
function cdf(le: number, median: number): number {
  const z = Math.log(le / median) / 0.6;
  return 0.5 * (1 + erf(z / Math.SQRT2));
}
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** A deterministic 0..1 noise per (host, time). */
function noise(h: number, t: number): number {
  const x = Math.sin(h * 12.9898 + t * 0.000078233) * 43758.5453;
  return x - Math.floor(x);
}

type Labels = Record<string, string>;
const fmt = (l: Labels) => `{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/**
 * Write the OpenMetrics file, streaming tick by tick (promtool 2.42 accepts families interleaved
 * when no TYPE line declares them; every series is then of unknown type, which PromQL does not mind).
 */
export async function writeFleetData(file: string, o: FleetDataOptions): Promise<{ samples: number; series: number }> {
  const cluster = o.cluster ?? 'bench';
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve) => { if (out.write(s)) resolve(); else out.once('drain', resolve); });
  let chunk: string[] = [];
  const seen = new Set<string>();
  const put = (name: string, labels: Labels, t: number, v: number) => {
    const line = `${name}${fmt(labels)}`;
    if (seen.size < 2_000_000) seen.add(line);
    chunk.push(`${line} ${+v.toPrecision(12)} ${t}`);
  };
  let samples = 0;
  for (let h = 0; h < o.hosts; h++) {
    const host = `h100-node-${String(h + 1).padStart(3, '0')}`;
    const instance = `${host}:9464`;
    const base = { cluster, job: 'tokenwatt', instance };
    const gpuLabels = (g: number): Labels => ({ ...base, host, gpu: String(g), gpu_uuid: `GPU-${String(h).padStart(4, '0')}-${g}`, gpu_model: H100 });
    const engines = hostEngines();
    // Cumulative values since the exporter (re)started; reset on restart.
    let acc = new Map<string, number>();
    const bump = (key: string, by: number) => { const v = (acc.get(key) ?? 0) + by; acc.set(key, v); return v; };
    const restarts = h === 0 ? [...(o.restarts ?? [])] : [];
    let prev: number | null = null;
    for (let t = o.start; t < o.end; t += o.stepSeconds) {
      const down = h === 0 && o.outage !== undefined && t >= o.outage.from && t < o.outage.to;
      put('up', { job: 'tokenwatt', instance, cluster }, t, down ? 0 : 1);
      samples++;
      if (down) { prev = null; continue; }
      if (prev === null || restarts.some((r) => r > prev! && r <= t)) {
        // (Re)start: the first reading only sets a baseline, as the exporter's ledger does.
        acc = new Map();
        prev = t;
        for (const r of restarts) if (r <= t) restarts.splice(restarts.indexOf(r), 1);
      }
      const dt = t - prev;
      prev = t;
      const day = 0.55 + 0.35 * Math.sin((2 * Math.PI * (t % 86_400)) / 86_400) + 0.1 * (noise(h, t) - 0.5);
      const scale = o.changeAt !== undefined && t < o.changeAt ? (o.earlierLoad ?? 1) : 1;
      const emit = (name: string, labels: Labels, key: string, by: number) => { put(name, labels, t, bump(`${name}${key}`, by)); samples++; };
      // Per GPU: board energy = sum of its slices (+ unallocated under MIG).
      for (let g = 0; g < 8; g++) {
        const gl = gpuLabels(g);
        const onGpu = engines.filter((e) => e.gpus.includes(g));
        let board = 0;
        let activeBoard = 0;
        let allocated = 0;
        for (const e of onGpu) {
          const util = Math.min(1, Math.max(0, e.load * day * scale));
          const idleJ = IDLE_W * e.weight * dt;
          const activeJ = (MAX_W - IDLE_W) * e.weight * util * dt;
          board += idleJ + activeJ;
          activeBoard += activeJ;
          allocated += e.weight;
          const sl: Labels = { ...gl, ...(e.instance !== undefined ? { gpu_instance_id: String(e.instance) } : {}), gpu_profile: e.profile ?? 'whole' };
          const sk = fmt(sl);
          const kwh = (idleJ + activeJ) / 3.6e6;
          const capacity = (PRICE_PER_GPU_HOUR * e.weight * dt) / 3600;
          const energyCost = kwh * PUE * KWH_PRICE;
          emit('tokenwatt_slice_energy_joules_total', { ...sl, state: 'idle' }, sk, idleJ);
          emit('tokenwatt_slice_energy_joules_total', { ...sl, state: 'active' }, sk + 'a', activeJ);
          emit('tokenwatt_slice_cost_total', { ...sl, component: 'capacity', currency: 'USD' }, sk + 'c', capacity);
          emit('tokenwatt_slice_cost_total', { ...sl, component: 'energy', currency: 'USD' }, sk + 'e', energyCost);
          emit('tokenwatt_idle_cost_total', { ...sl, currency: 'USD' }, sk, capacity * (1 - util) + (idleJ / 3.6e6) * PUE * KWH_PRICE);
          const swapped = h === 0 && g === 3 && o.swap !== undefined && t >= o.swap.at;
          const model = swapped ? o.swap!.model : e.model;
          const ml: Labels = { ...sl, model_name: model, namespace: 'llm', engine: '0' };
          const mk = fmt(ml);
          // A tensor-parallel engine is entered on each of its GPUs with an equal share of its tokens.
          const tokens = activeJ * e.tpj * (swapped ? 1.3 : 1);
          emit('tokenwatt_model_energy_joules_total', ml, mk, idleJ + activeJ);
          emit('tokenwatt_model_generation_tokens_total', ml, mk, tokens);
          emit('tokenwatt_model_prompt_tokens_total', ml, mk, tokens * 2);
          emit('tokenwatt_model_cost_total', { ...ml, currency: 'USD' }, mk, capacity + energyCost);
          emit('tokenwatt_model_co2e_grams_total', ml, mk, kwh * PUE * GRID);
          if (g === e.gpus[0]) {
            // vLLM's own series (job vllm): requests of ~250 generated tokens, e2e latency histogram.
            const vl: Labels = { cluster, job: 'vllm', instance: `${host}:${8000 + engines.indexOf(e)}`, model_name: model, host };
            const vk = fmt(vl);
            const requests = (tokens * e.gpus.length) / 250;
            const cum = bump(`req${vk}`, requests);
            for (const le of [...LATENCY_LE, Infinity]) {
              put('vllm:e2e_request_latency_seconds_bucket', { ...vl, le: le === Infinity ? '+Inf' : le.toFixed(1) }, t, Math.floor(cum * (le === Infinity ? 1 : cdf(le, e.latencyMedian))));
            }
            put('vllm:e2e_request_latency_seconds_count', vl, t, Math.floor(cum));
            samples += LATENCY_LE.length + 2;
          }
        }
        const unallocW = g >= 4 ? 1 - allocated : 0;
        const unallocJ = IDLE_W * unallocW * dt;
        board += unallocJ;
        const kwh = board / 3.6e6;
        emit('tokenwatt_gpu_energy_joules_total', gl, fmt(gl), board);
        emit('tokenwatt_gpu_cost_total', { ...gl, component: 'capacity', currency: 'USD' }, fmt(gl) + 'c', (PRICE_PER_GPU_HOUR * dt) / 3600);
        emit('tokenwatt_gpu_cost_total', { ...gl, component: 'energy', currency: 'USD' }, fmt(gl) + 'e', kwh * PUE * KWH_PRICE);
        emit('tokenwatt_gpu_co2e_grams_total', gl, fmt(gl), kwh * PUE * GRID);
        emit('tokenwatt_unallocated_energy_joules_total', gl, fmt(gl), unallocJ);
        emit('tokenwatt_unallocated_cost_total', { ...gl, currency: 'USD' }, fmt(gl), (PRICE_PER_GPU_HOUR * unallocW * dt) / 3600 + (unallocJ / 3.6e6) * PUE * KWH_PRICE);
        if (g < 4) { put('tokenwatt_gpu_utilization_ratio', gl, t, activeBoard / Math.max(1, (MAX_W - IDLE_W) * dt)); samples++; }
      }
      put('tokenwatt_grid_intensity_grams_per_kwh', { ...base, source: 'config' }, t, GRID);
      samples++;
      if (chunk.length > 20_000) { await write(`${chunk.join('\n')}\n`); chunk = []; }
    }
  }
  if (chunk.length > 0) await write(`${chunk.join('\n')}\n`);
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { samples, series: seen.size };
}

/** Backfill an OpenMetrics file into TSDB blocks under `dataDir` (promtool from Debian's prometheus). */
export async function backfill(file: string, dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  try {
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=720h', file, dataDir], { maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error("promtool not found: install it with 'apt-get install -y prometheus' (scripts/debian-deps.sh does)");
    throw new Error(`promtool create-blocks-from openmetrics failed: ${e.stderr ?? e.message}`);
  }
}

export const blocksDir = (dir: string) => join(dir, 'data');
