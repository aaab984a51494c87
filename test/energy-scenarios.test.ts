// The ledger under the ordinary mishaps of a real fleet (issue 17): each scenario has a truth computed
// by hand from docs/methodology.md (§9 for gaps, resets, switches, moves and restarts) or from physics,
// and the derived series must match it within 0.5 % (the restart within one interval's energy).
//
// | # | scenario                                                         | series                         | truth                |
// | 1 | TP engine's placement 2 → 1 → 2 GPUs for one tick                | generated tokens               | 100,000              |
// | 2 | NVML counter resets (driver reload), NVML stays down, dcgm answers | GPU energy over 200 s        | 78,000 J             |
// | 3 | dcgm-exporter samples every 30 s, exporter ticks every 5 s       | idle energy (60 W × 180 s)     | 10,800 J             |
// | 4 | one MIG slice's activity missing for a tick (truly 0.9)          | that slice / its neighbour     | 9,058.44 / 2,584.42 J|
// | 5 | A100 MIG read through NVML only (no activity), busy at 250 W     | unallocated energy             | 0 J, 25,000 J marked idle_power_unknown |
// | 6 | dcgm scrape fails 3 ticks, two engines share the GPU             | model A / model B energy       | 9,000 / 7,000 J      |
// | 7 | token scrape fails 3 ticks while energy continues                | model energy; tokens/J         | 32,000 J; 0.25       |
// | 8 | engine moves GPU 0 → 1 → 0 within the retention window           | generated tokens               | 600                  |
// | 9 | exporter restarts, 15 s down                                     | GPU energy over the restart    | 50,000 J             |
// | 10| engine on a single-slice MIG GPU placed without gpuInstanceId    | model energy                   | 20,000 J             |
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectError } from '../src/collectors/collector.ts';
import type { Collector, CollectResult } from '../src/collectors/collector.ts';
import { createVllmCollector } from '../src/collectors/vllm.ts';
import { parseEnergyConfig } from '../src/energy/config.ts';
import type { EnergyConfigInput } from '../src/energy/config.ts';
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { Placement } from '../src/energy/placement.ts';
import type { BoardReading, EngineReading, LedgerSample, SliceReading } from '../src/energy/tick.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';
import { Exporter } from '../src/exporter/exporter.ts';
import type { Scheduled } from '../src/exporter/exporter.ts';
import { memoryLog, seriesOf, Upstreams } from './support/upstream.ts';
import type { Series } from './support/upstream.ts';

const A100 = 'NVIDIA A100-SXM4-40GB';
const H100 = 'NVIDIA H100 80GB HBM3';
const T0 = 1_780_000_000;

function total(samples: (LedgerSample | Series)[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

function board(over: Partial<BoardReading> & { energyJoules: number }): BoardReading {
  return { host: 'h', gpu: '0', uuid: 'GPU-0', model: H100, slices: [], ...over };
}

function engine(over: Partial<EngineReading>): EngineReading {
  return { model_name: 'llama', engine: '0', namespace: '', pod: '', host: 'h', gpu: '0', generationTokens: 0, promptTokens: 0, ...over };
}

function slice(id: string, profile: string, g: number, m: number, activity: number | undefined): SliceReading {
  return { gpuInstanceId: id, profile, computeSlices: g, memorySlices: m, activity: activity ?? 0, ...(activity === undefined && { activityUnknown: true as const }) };
}

/** A collector that returns what `next()` says each run (boards or a failure). */
function fakeCollector(kind: Collector['kind'], name: string, next: () => CollectResult | Error): Scheduled {
  const collector: Collector = {
    kind,
    name: `${kind}/${name}`,
    async collect() {
      const r = next();
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return { collector, url: '', target: name, intervalMs: 5000, timeoutMs: 4000 };
}

function exporterOf(scheduled: Scheduled[], energy: EnergyConfigInput = {}, extra: { stateFile?: string } = {}) {
  const { log, lines } = memoryLog();
  const exporter = new Exporter(scheduled, parseEnergyConfig(energy), 5000, log, extra);
  return { exporter, lines };
}

const VLLM = (tokens: number) =>
  `# TYPE vllm:generation_tokens_total counter\nvllm:generation_tokens_total{model_name="m",engine="0"} ${tokens}\n` +
  `# TYPE vllm:prompt_tokens_total counter\nvllm:prompt_tokens_total{model_name="m",engine="0"} ${tokens * 2}\n`;

describe('scenario table (issue 17)', () => {
  let up: Upstreams;
  beforeAll(async () => {
    up = await Upstreams.start();
  });
  afterAll(async () => {
    await up.close();
  });

  /** vLLM over loopback placed by `placeAt(tick)`, two whole H100s drawing 400 W, ticks 5 s apart. */
  async function movingEngine(path: string, ticks: number, tokensPerTick: number, placeAt: (i: number) => string[]) {
    let i = 0;
    up.text(path, () => VLLM(i * tokensPerTick));
    const limits = parseExporterConfig({ nvml: 'off' }).limits;
    const { log } = memoryLog();
    const vllm = createVllmCollector({ name: 'tp', url: up.url(path), timeoutMs: 2000 }, {
      limits, log, place: () => placeAt(i).map((gpu): Placement => ({ host: 'h', gpu, mapping: 'static' })),
    });
    const boards = fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: ['0', '1'].map((gpu) => board({ gpu, uuid: `GPU-${gpu}`, energyJoules: 1e6 + 2000 * i })) }));
    const { exporter } = exporterOf([boards, { collector: vllm, url: up.url(path), target: 'tp', intervalMs: 5000, timeoutMs: 2000 }]);
    for (i = 0; i <= ticks; i++) await exporter.runCycle((T0 + 5 * i) * 1000);
    return seriesOf(exporter.metrics.text);
  }

  it('1: a tensor-parallel engine whose placement goes 2 → 1 → 2 GPUs for one tick neither mints nor loses tokens', async () => {
    // 100 ticks × 1000 tokens after the baseline: 100,000 generated tokens, however they are placed.
    const s = await movingEngine('/tp', 100, 1000, (i) => (i === 50 ? ['0'] : ['0', '1']));
    expect(total(s, 'tokenwatt_model_generation_tokens_total')).toBeCloseTo(100_000, 6);
    expect(total(s, 'tokenwatt_model_prompt_tokens_total')).toBeCloseTo(200_000, 6);
  });

  it('8: an engine moving GPU 0 → 1 → 0 within the retention window counts each token once', async () => {
    // 6 ticks after the baseline × 100 tokens = 600.
    const s = await movingEngine('/move', 6, 100, (i) => (i >= 2 && i <= 3 ? ['1'] : ['0']));
    expect(total(s, 'tokenwatt_model_generation_tokens_total')).toBeCloseTo(600, 9);
  });

  it('2: NVML counter reset then NVML down while dcgm-exporter answers: the board energy keeps flowing', async () => {
    // 390 W for 200 s = 78,000 J. The counter stood at 50 MJ; the driver reload resets it right after the
    // reading at t=95 (so no energy falls between the last pre-reset reading and the reset); NVML fails
    // from then on, dcgm-exporter reads the same counter.
    let t = 0;
    const counter = () => (t <= 95 ? 50e6 + 390 * t : 390 * (t - 95));
    const nvml = fakeCollector('nvml', 'local', () => (t <= 95 ? { samples: [], boards: [board({ energyJoules: counter() })] } : new CollectError('nvml', 'driver reloaded')));
    const dcgm = fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: [board({ energyJoules: counter() })] }));
    const { exporter, lines } = exporterOf([nvml, dcgm]);
    for (t = 0; t <= 200; t += 5) await exporter.runCycle((T0 + t) * 1000);
    const s = seriesOf(exporter.metrics.text);
    expect(total(s, 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(78_000, 6);
    expect(lines.some((l) => l.level === 'info' && /switch/.test(l.msg))).toBe(true);
  });

  it('3: dcgm-exporter sampling every 30 s under a 5 s exporter interval changes resolution, not idle energy', () => {
    // Idle at 60 W (configured) for 180 s: 10,800 J idle, 0 active.
    const ledger = new EnergyLedger({ idlePowerWatts: { [H100]: 60 } });
    for (let t = 0; t <= 180; t += 5) {
      const sampled = Math.floor(t / 30) * 30;
      ledger.observe({ timestampS: T0 + t, boards: [board({ energyJoules: 1e6 + 60 * sampled, activity: 0 })], engines: [] });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_slice_energy_joules_total', { state: 'idle' })).toBeCloseTo(10_800, 6);
    expect(total(s, 'tokenwatt_slice_energy_joules_total', { state: 'active' })).toBeCloseTo(0, 6);
  });

  it('4: a MIG slice whose activity is missing for one tick keeps its last known activity (marked)', () => {
    // A100, 250 W, idle 60 W configured, 10 intervals of 5 s: per interval ΔE 1250, idle 300, active 950.
    // 3g.20gb at 0.9 and 2g.10gb at 0.3: act×w 2.7/7 and 0.6/7, active shares 2.7/3.3 and 0.6/3.3.
    // 3g: 300×3/7 + 950×2.7/3.3 = 905.844 J; ×10 = 9,058.44 J. 2g: 300×2/7 + 950×0.6/3.3 = 258.442; ×10 = 2,584.42 J.
    const ledger = new EnergyLedger({ idlePowerWatts: { [A100]: 60 } });
    for (let i = 0; i <= 10; i++) {
      const missing = i === 5;
      ledger.observe({
        timestampS: T0 + 5 * i,
        boards: [board({ model: A100, energyJoules: 1e6 + 1250 * i, slices: [slice('1', '3g.20gb', 3, 4, missing ? undefined : 0.9), slice('2', '2g.10gb', 2, 2, 0.3)] })],
        engines: [],
      });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_slice_energy_joules_total', { gpu_instance_id: '1' })).toBeCloseTo(9058.44, 1);
    expect(total(s, 'tokenwatt_slice_energy_joules_total', { gpu_instance_id: '2' })).toBeCloseTo(2584.42, 1);
    expect(total(s, 'tokenwatt_estimated_energy_joules_total', { reason: 'activity_unknown' })).toBeCloseTo(1250, 6);
  });

  it('5: an A100 MIG read through NVML only never learns busy power as idle power; the unknown idle power is marked', () => {
    // 250 W for 100 s, activity unknown on both slices, no idle power configured. By §3 idle power is
    // unknown, so idle = 0 and unallocated capacity (2/7) gets 0 J; all 25,000 J are marked idle_power_unknown.
    // (Learning 250 W as idle would give unallocated 2/7 × 25,000 = 7,143 J.)
    const ledger = new EnergyLedger({});
    for (let i = 0; i <= 20; i++) {
      ledger.observe({
        timestampS: T0 + 5 * i,
        boards: [board({ model: A100, energyJoules: 1e6 + 1250 * i, powerWatts: 250, slices: [slice('1', '3g.20gb', 3, 4, undefined), slice('2', '2g.10gb', 2, 2, undefined)] })],
        engines: [],
      });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_unallocated_energy_joules_total')).toBe(0);
    expect(total(s, 'tokenwatt_gpu_idle_power_watts', { origin: 'learned' })).toBe(0);
    expect(total(s, 'tokenwatt_estimated_energy_joules_total', { reason: 'idle_power_unknown' })).toBeCloseTo(25_000, 6);
  });

  it('6: a dcgm gap of 3 ticks: its energy goes to the two engines by the tokens they made over the gap', () => {
    // 400 W (2000 J per 5 s), idle 100 W. Intervals 0-5, 5-10, 30-35, 35-40: A 100 and B 100 tokens, 2000 J
    // split evenly: A 4000, B 4000. Board missing at t=15, 20, 25; back at 30 with 8000 J over 10-30, during
    // which A made 100+900+900+100 = 2000 and B 100+100+100+900 = 1200 tokens: A 5000, B 3000.
    // Truth: A 9,000 J, B 7,000 J.
    const ledger = new EnergyLedger({ idlePowerWatts: { [H100]: 100 } });
    const perInterval: [number, number][] = [[100, 100], [100, 100], [100, 100], [900, 100], [900, 100], [100, 900], [100, 100], [100, 100]];
    let a = 0;
    let b = 0;
    for (let i = 0; i <= 8; i++) {
      if (i > 0) {
        a += perInterval[i - 1]![0];
        b += perInterval[i - 1]![1];
      }
      const boards = i >= 3 && i <= 5 ? [] : [board({ energyJoules: 1e6 + 2000 * i, activity: 1 })];
      ledger.observe({ timestampS: T0 + 5 * i, boards, engines: [engine({ model_name: 'A', generationTokens: a }), engine({ model_name: 'B', generationTokens: b })] });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_model_energy_joules_total', { model_name: 'A' })).toBeCloseTo(9000, 6);
    expect(total(s, 'tokenwatt_model_energy_joules_total', { model_name: 'B' })).toBeCloseTo(7000, 6);
  });

  it('7: a token scrape failing 3 ticks while energy continues: the engine still gets the energy of the gap', () => {
    // One engine alone on a whole H100, 400 W over 80 s = 32,000 J; 500 tokens per 5 s = 8,000 tokens; 0.25 tokens/J.
    const ledger = new EnergyLedger({ idlePowerWatts: { [H100]: 100 } });
    for (let i = 0; i <= 16; i++) {
      const engines = i >= 6 && i <= 8 ? [] : [engine({ generationTokens: 500 * i })];
      ledger.observe({ timestampS: T0 + 5 * i, boards: [board({ energyJoules: 1e6 + 2000 * i, activity: 1 })], engines });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_model_energy_joules_total')).toBeCloseTo(32_000, 6);
    expect(total(s, 'tokenwatt_model_tokens_per_joule')).toBeCloseTo(0.25, 9);
  });

  it('9: an exporter restart 15 s long loses no energy: the state file carries the last readings and totals', async () => {
    // 1000 W. Exporter A ticks t=0..50 and stops; B starts at t=65 with A's state file and ticks to t=100.
    // Energy from A's last tick (50) to B's last (100): 50,000 J.
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-state-'));
    const stateFile = join(dir, 'ledger.json');
    let t = 0;
    const boards = () => fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: [board({ energyJoules: 1e6 + 1000 * t })] }));
    const a = exporterOf([boards()], {}, { stateFile }).exporter;
    for (t = 0; t <= 50; t += 5) await a.runCycle((T0 + t) * 1000);
    const before = total(seriesOf(a.metrics.text), 'tokenwatt_gpu_energy_joules_total');
    const b = exporterOf([boards()], {}, { stateFile }).exporter;
    for (t = 65; t <= 100; t += 5) await b.runCycle((T0 + t) * 1000);
    const after = total(seriesOf(b.metrics.text), 'tokenwatt_gpu_energy_joules_total');
    // Prometheus's increase over the restart: a counter that went down counts from 0 again.
    const increase = after >= before ? after - before : after;
    expect(Math.abs(increase - 50_000)).toBeLessThanOrEqual(5000);
  });

  it('9b: a corrupt state file is refused loudly and the ledger starts clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-state-'));
    const stateFile = join(dir, 'ledger.json');
    writeFileSync(stateFile, '{"version": 1, "oops"');
    const { exporter, lines } = exporterOf([fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: [board({ energyJoules: 1e6 })] }))], {}, { stateFile });
    await exporter.runCycle(T0 * 1000);
    expect(lines.some((l) => l.level === 'error' && /state file/.test(l.msg))).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBeGreaterThan(0);
  });

  it('10: an engine placed on a single-slice MIG GPU without gpuInstanceId gets that slice\'s energy', () => {
    // A100 with one 7g.40gb slice, 400 W over 50 s: 20,000 J, all to the one engine on it.
    const ledger = new EnergyLedger({ idlePowerWatts: { [A100]: 60 } });
    for (let i = 0; i <= 10; i++) {
      ledger.observe({
        timestampS: T0 + 5 * i,
        boards: [board({ model: A100, energyJoules: 1e6 + 2000 * i, slices: [slice('0', '7g.40gb', 7, 8, 0.8)] })],
        engines: [engine({ generationTokens: 100 * i })],
      });
    }
    const s = ledger.samples();
    expect(total(s, 'tokenwatt_model_energy_joules_total')).toBeCloseTo(20_000, 6);
    expect(total(s, 'tokenwatt_engine_placed', { model_name: 'llama' })).toBe(1);
  });
});

describe('around the scenarios', () => {
  it('a state file from another format version, or older than the retention, is refused loudly; a clean start follows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-state-'));
    const stateFile = join(dir, 'ledger.json');
    const boards = () => fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: [board({ energyJoules: 1e6 })] }));
    const a = exporterOf([boards()], {}, { stateFile }).exporter;
    await a.runCycle(T0 * 1000);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8'));
    writeFileSync(stateFile, JSON.stringify({ ...saved, version: 0 }));
    const b = exporterOf([boards()], {}, { stateFile });
    await b.exporter.runCycle((T0 + 5) * 1000);
    expect(b.lines.find((l) => l.level === 'error')?.fields?.error).toMatch(/format version 0/);
    writeFileSync(stateFile, JSON.stringify(saved));
    const c = exporterOf([boards()], {}, { stateFile });
    await c.exporter.runCycle((T0 + 601) * 1000);
    expect(c.lines.find((l) => l.level === 'error')?.fields?.error).toMatch(/more than the ledger's retention/);
  });

  it('a source that lags (dcgm-exporter\'s 30 s sampling) after a switch is waited for, not taken for a reset', async () => {
    // 400 W; NVML fails from t=50; dcgm-exporter's value is up to 30 s old. Energy 0..120 s: 48,000 J.
    let t = 0;
    const nvml = fakeCollector('nvml', 'local', () => (t < 50 ? { samples: [], boards: [board({ energyJoules: 1e6 + 400 * t })] } : new CollectError('nvml', 'down')));
    const dcgm = fakeCollector('dcgm', 'dcgm', () => ({ samples: [], boards: [board({ energyJoules: 1e6 + 400 * Math.floor(t / 30) * 30 })] }));
    const { exporter, lines } = exporterOf([nvml, dcgm]);
    for (t = 0; t <= 120; t += 5) await exporter.runCycle((T0 + t) * 1000);
    expect(total(seriesOf(exporter.metrics.text), 'tokenwatt_gpu_energy_joules_total')).toBeCloseTo(48_000, 6);
    expect(lines.some((l) => l.level === 'info' && /switch/.test(l.msg))).toBe(false);
  });

  it('a MIG GPU whose idle power is unknown says so: idle gauge origin "unknown", a warning, and the energy marked', () => {
    const ledger = new EnergyLedger({});
    for (let i = 0; i <= 2; i++) {
      ledger.observe({ timestampS: T0 + 5 * i, boards: [board({ model: A100, energyJoules: 1e6 + 1250 * i, slices: [slice('1', '3g.20gb', 3, 4, 0.5)] })], engines: [] });
    }
    expect(total(ledger.samples(), 'tokenwatt_gpu_idle_power_watts', { origin: 'unknown' })).toBe(0);
    expect(ledger.samples().some((s) => s.name === 'tokenwatt_gpu_idle_power_watts' && s.labels.origin === 'unknown')).toBe(true);
    expect(ledger.takeNotices().filter((n) => n.level === 'warn' && /idle power/.test(n.msg))).toHaveLength(1);
    expect(total(ledger.samples(), 'tokenwatt_estimated_energy_joules_total', { reason: 'idle_power_unknown' })).toBe(2500);
  });

  it('an engine naming no instance on a MIG GPU with several is placed 0 and warned about, not given a silent 0', () => {
    const ledger = new EnergyLedger({ idlePowerWatts: { [A100]: 60 } });
    for (let i = 0; i <= 2; i++) {
      ledger.observe({
        timestampS: T0 + 5 * i,
        boards: [board({ model: A100, energyJoules: 1e6 + 1250 * i, slices: [slice('1', '3g.20gb', 3, 4, 0.5), slice('2', '2g.10gb', 2, 2, 0.5)] })],
        engines: [engine({ generationTokens: 100 * i })],
      });
    }
    expect(total(ledger.samples(), 'tokenwatt_engine_placed', { gpu_instance_id: '' })).toBe(0);
    expect(ledger.samples().some((s) => s.name === 'tokenwatt_engine_placed')).toBe(true);
    expect(ledger.unplaced()).toEqual([{ model: 'llama', engine: '0', namespace: '', pod: '', host: 'h', gpu: '0', gpuInstanceId: '' }]);
    expect(ledger.takeNotices().filter((n) => n.level === 'warn' && /several MIG instances/.test(n.msg))).toHaveLength(1);
  });
});

describe('a silent engine does not hold its neighbours back', () => {
  it('past gapHoldSeconds, the slice\'s energy goes to the engines that report', () => {
    // Two engines on one whole H100 at 400 W; B is last heard at t=5. gapHoldSeconds 60: the slice's energy is
    // held through t=65 (B heard 60 s before) and from t=70 on A gets it every tick, with what was held.
    const ledger = new EnergyLedger({ idlePowerWatts: { [H100]: 100 } });
    let aAt65 = 0;
    for (let i = 0; i <= 30; i++) {
      const engines = [engine({ model_name: 'A', generationTokens: 100 * i }), ...(i < 2 ? [engine({ model_name: 'B', generationTokens: 100 * i })] : [])];
      ledger.observe({ timestampS: T0 + 5 * i, boards: [board({ energyJoules: 1e6 + 2000 * i, activity: 1 })], engines });
      if (i === 13) aAt65 = total(ledger.samples(), 'tokenwatt_model_energy_joules_total', { model_name: 'A' });
    }
    const s = ledger.samples();
    // Interval 0-5 split 100:100 (A 1000 J); B's 0-5 share 1000 J; everything from 5 s on held, then A's.
    expect(aAt65).toBeCloseTo(1000, 6);
    expect(total(s, 'tokenwatt_model_energy_joules_total', { model_name: 'A' }) + total(s, 'tokenwatt_model_energy_joules_total', { model_name: 'B' })).toBeCloseTo(60_000, 6);
    expect(total(s, 'tokenwatt_model_energy_joules_total', { model_name: 'B' })).toBeCloseTo(1000, 6);
  });
});
