// The report benchmark's data: what the tokenwatt-report recording groups (rules/report.ts) record
// for the 32-host benchmark fleet (test/support/report-fleet.ts's shape), one sample per window
// (1h) for every recorded series, with the same names and labels the rules produce; plus the raw
// `up` of the last minutes (the report's scrape-interval probe reads it). The windows end on the
// hour, as the report's period does, so the report reads no raw counter at all here; with
// windows at another phase it also reads under one window of raw samples at each period's edges
// (docs/report.md, "Query load"), stated beside the result.
import { createWriteStream } from 'node:fs';
import { hostEngines } from '../test/support/report-fleet.ts';

const H100 = 'NVIDIA H100 80GB HBM3';
const LATENCY_LE = ['0.3', '0.5', '0.8', '1.0', '1.5', '2.0', '2.5', '5.0', '10.0', '15.0', '20.0', '30.0', '40.0', '50.0', '60.0', '120.0', '240.0', '480.0', '960.0', '1920.0', '7680.0', '+Inf'];
const IDLE_W = 70;
const MAX_W = 700;

type Labels = Record<string, string>;
const fmt = (name: string, l: Labels) => `${name}{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/** Write `hosts` hosts' recorded series, one sample per window ending in (start, end]. */
export async function writeRecordedData(file: string, o: { hosts: number; start: number; end: number; windowSeconds: number; cluster?: string; rawUpFrom?: number; scrapeSeconds?: number }): Promise<{ samples: number; series: number }> {
  const cluster = o.cluster ?? 'bench';
  const W = o.windowSeconds;
  const out = createWriteStream(file);
  const write = (s: string) => new Promise<void>((resolve) => { if (out.write(s)) resolve(); else out.once('drain', resolve); });
  // Every series once: its name and labels, and its value per window as a function of the load.
  const series: { line: string; value: (load: number) => number }[] = [];
  const add = (name: string, l: Labels, value: (load: number) => number) => series.push({ line: fmt(name, { ...l, job: 'tokenwatt' }), value });
  const models = new Set<string>();
  for (let h = 0; h < o.hosts; h++) {
    const host = `h100-node-${String(h + 1).padStart(3, '0')}`;
    const instance = `${host}:9464`;
    const engines = hostEngines();
    for (let g = 0; g < 8; g++) {
      const gl: Labels = { cluster, host, gpu: String(g), gpu_uuid: `GPU-${String(h).padStart(4, '0')}-${g}`, gpu_model: H100 };
      const on = engines.filter((e) => e.gpus.includes(g));
      let allocated = 0;
      for (const e of on) {
        allocated += e.weight;
        const sl: Labels = { ...gl, ...(e.instance !== undefined ? { gpu_instance_id: String(e.instance) } : {}), gpu_profile: e.profile ?? 'whole' };
        const idleJ = IDLE_W * e.weight * W;
        const activeJ = (l: number) => (MAX_W - IDLE_W) * e.weight * Math.min(1, e.load * l) * W;
        const capacity = (4 * e.weight * W) / 3600;
        const energyCost = (l: number) => ((idleJ + activeJ(l)) / 3.6e6) * 1.3 * 0.12;
        add('slice:tokenwatt_slice_energy_joules:increase_window', { ...sl, state: 'idle' }, () => idleJ);
        add('slice:tokenwatt_slice_energy_joules:increase_window', { ...sl, state: 'active' }, activeJ);
        add('slice:tokenwatt_slice_cost:increase_window', { ...sl, component: 'capacity', currency: 'USD' }, () => capacity);
        add('slice:tokenwatt_slice_cost:increase_window', { ...sl, component: 'energy', currency: 'USD' }, energyCost);
        add('slice:tokenwatt_idle_cost:increase_window', { ...sl, currency: 'USD' }, (l) => capacity * (1 - Math.min(1, e.load * l)));
        const ml: Labels = { cluster, namespace: 'llm', model_name: e.model, host, gpu: gl.gpu!, gpu_uuid: gl.gpu_uuid!, gpu_model: H100, ...(sl.gpu_instance_id ? { gpu_instance_id: sl.gpu_instance_id } : {}), gpu_profile: sl.gpu_profile! };
        models.add(e.model);
        add('model_slice:tokenwatt_model_energy_joules:increase_window', ml, (l) => idleJ + activeJ(l));
        add('model_slice:tokenwatt_model_generation_tokens:increase_window', ml, (l) => activeJ(l) * e.tpj);
        add('model_slice:tokenwatt_model_prompt_tokens:increase_window', ml, (l) => activeJ(l) * e.tpj * 2);
        add('model_slice:tokenwatt_model_cost:increase_window', { ...ml, currency: 'USD' }, (l) => capacity + energyCost(l));
        add('model_slice:tokenwatt_model_co2e_grams:increase_window', ml, (l) => ((idleJ + activeJ(l)) / 3.6e6) * 1.3 * 475);
      }
      const board = (l: number) => on.reduce((a, e) => a + IDLE_W * e.weight * W + (MAX_W - IDLE_W) * e.weight * Math.min(1, e.load * l) * W, 0) + IDLE_W * (g >= 4 ? 1 - allocated : 0) * W;
      add('gpu:tokenwatt_gpu_energy_joules:increase_window', gl, board);
      add('gpu:tokenwatt_gpu_cost:increase_window', { ...gl, component: 'capacity', currency: 'USD' }, () => (4 * W) / 3600);
      add('gpu:tokenwatt_gpu_cost:increase_window', { ...gl, component: 'energy', currency: 'USD' }, (l) => (board(l) / 3.6e6) * 1.3 * 0.12);
      add('gpu:tokenwatt_gpu_co2e_grams:increase_window', gl, (l) => (board(l) / 3.6e6) * 1.3 * 475);
      add('gpu:tokenwatt_unallocated_energy_joules:increase_window', gl, () => IDLE_W * (g >= 4 ? 1 - allocated : 0) * W);
      add('gpu:tokenwatt_unallocated_cost:increase_window', { ...gl, currency: 'USD' }, () => (4 * (g >= 4 ? 1 - allocated : 0) * W) / 3600);
      if (g < 4) add('gpu:tokenwatt_gpu_utilization_ratio:avg_over_time_window', gl, (l) => Math.min(1, 0.7 * l));
    }
    add('instance:tokenwatt_gpu_energy_joules:resets_window', { cluster, instance }, () => 0);
    add('instance:up:count_over_time_window', { cluster, instance }, () => W / (o.scrapeSeconds ?? 15));
    add('instance:up:sum_over_time_window', { cluster, instance }, () => W / (o.scrapeSeconds ?? 15));
    add('source:tokenwatt_grid_intensity_grams_per_kwh:avg_over_time_window', { cluster, source: 'config' }, () => 475);
  }
  // vLLM's histograms by model (summed over its engines on every host, as the rule records them).
  for (const model of models) {
    const n = hostEngines().filter((e) => e.model === model).length * o.hosts;
    for (const le of LATENCY_LE) series.push({ line: fmt('model_name:vllm_e2e_request_latency_seconds_bucket:increase_window', { cluster, namespace: 'llm', model_name: model, le, job: 'vllm' }), value: (l) => n * 100 * l * (le === '+Inf' ? 1 : Math.min(1, Math.log1p(Number(le)) / 4)) });
    series.push({ line: fmt('model_name:vllm_e2e_request_latency_seconds_count:increase_window', { cluster, namespace: 'llm', model_name: model, job: 'vllm' }), value: (l) => n * 100 * l });
  }
  series.push({ line: fmt('job:tokenwatt_report_window:seconds', { cluster, job: 'tokenwatt' }), value: () => W });
  series.push({ line: fmt('job:tokenwatt_report_serving_window:seconds', { cluster, job: 'tokenwatt' }), value: () => W });
  let samples = 0;
  let chunk: string[] = [];
  for (let e = o.start - (o.start % W) + W; e <= o.end; e += W) {
    const load = 0.55 + 0.35 * Math.sin((2 * Math.PI * (e % 86_400)) / 86_400);
    for (const s of series) chunk.push(`${s.line} ${+s.value(load).toPrecision(10)} ${e}`);
    samples += series.length;
    if (chunk.length > 50_000) { await write(`${chunk.join('\n')}\n`); chunk = []; }
  }
  // Raw `up` for the report's scrape-interval probe (its last 10 minutes).
  if (o.rawUpFrom !== undefined) {
    for (let h = 0; h < o.hosts; h++) {
      const line = fmt('up', { cluster, instance: `h100-node-${String(h + 1).padStart(3, '0')}:9464`, job: 'tokenwatt' });
      for (let t = o.rawUpFrom; t <= o.end; t += o.scrapeSeconds ?? 15) { chunk.push(`${line} 1 ${t}`); samples++; }
    }
  }
  await write(`${chunk.join('\n')}\n# EOF\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { samples, series: series.length + (o.rawUpFrom !== undefined ? o.hosts : 0) };
}
