import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { BoardReading, EngineReading, LedgerSample, Tick } from '../src/energy/tick.ts';
import { tokenwattMetrics } from '../src/catalog/tokenwatt.ts';

const A100 = 'NVIDIA A100-SXM4-40GB';

function value(samples: LedgerSample[], name: string, match: Record<string, string> = {}): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length === 0) throw new Error(`no ${name} ${JSON.stringify(match)}`);
  return hits.reduce((a, s) => a + s.value, 0);
}

function board(over: Partial<BoardReading> = {}): BoardReading {
  return { host: 'h', gpu: '0', uuid: 'GPU-0', model: A100, energyJoules: 0, slices: [], ...over };
}

function engine(over: Partial<EngineReading> = {}): EngineReading {
  return { model_name: 'llama', engine: '0', namespace: '', pod: '', host: 'h', gpu: '0', generationTokens: 0, promptTokens: 0, ...over };
}

describe('EnergyLedger on a whole GPU', () => {
  const ledger = new EnergyLedger({ idlePowerWatts: { [A100]: 60 } });
  ledger.observe({ timestampS: 1000, boards: [board({ energyJoules: 5000 })], engines: [engine({ generationTokens: 100, promptTokens: 50 })] });
  const first = ledger.samples();
  ledger.observe({ timestampS: 1010, boards: [board({ energyJoules: 7000 })], engines: [engine({ generationTokens: 300, promptTokens: 150 })] });
  const s = ledger.samples();

  it('the first observation only sets baselines', () => {
    expect(value(first, 'tokenwatt_gpu_energy_joules_total')).toBe(0);
    expect(value(first, 'tokenwatt_model_generation_tokens_total')).toBe(0);
  });

  it('splits a 2000 J interval into idle 60 W × 10 s = 600 J and active 1400 J, all to the one engine', () => {
    expect(value(s, 'tokenwatt_gpu_energy_joules_total')).toBe(2000);
    expect(value(s, 'tokenwatt_slice_energy_joules_total', { state: 'idle', gpu_profile: 'whole' })).toBe(600);
    expect(value(s, 'tokenwatt_slice_energy_joules_total', { state: 'active' })).toBe(1400);
    expect(value(s, 'tokenwatt_unallocated_energy_joules_total')).toBe(0);
    expect(value(s, 'tokenwatt_model_energy_joules_total', { model_name: 'llama', gpu_uuid: 'GPU-0' })).toBe(2000);
    expect(value(s, 'tokenwatt_model_generation_tokens_total')).toBe(200);
    expect(value(s, 'tokenwatt_model_prompt_tokens_total')).toBe(100);
    expect(value(s, 'tokenwatt_model_tokens_per_joule', { window: '300s' })).toBeCloseTo(0.1, 12);
    expect(value(s, 'tokenwatt_gpu_idle_power_watts', { origin: 'configured' })).toBe(60);
  });

  it('costs and CO2e with the documented defaults (4.10 $/GPU-h, 0.13 $/kWh, PUE 1.2, 475 g/kWh)', () => {
    // capacity 4.10 × 10/3600 = 0.011388…; energy 2000 J = 5.555…e-4 kWh × 1.2 × 0.13 = 8.6667e-5 $;
    // CO2e 5.555…e-4 × 1.2 × 475 = 0.31667 g; per 1M tokens (0.0113889 + 0.0000867) / 200 × 1e6 = 57.3778.
    expect(value(s, 'tokenwatt_gpu_cost_total', { component: 'capacity', currency: 'USD' })).toBeCloseTo(0.0113888889, 9);
    expect(value(s, 'tokenwatt_gpu_cost_total', { component: 'energy' })).toBeCloseTo(8.6667e-5, 9);
    expect(value(s, 'tokenwatt_gpu_co2e_grams_total')).toBeCloseTo(0.316667, 6);
    expect(value(s, 'tokenwatt_model_co2e_grams_total')).toBeCloseTo(0.316667, 6);
    expect(value(s, 'tokenwatt_model_cost_per_million_tokens')).toBeCloseTo(57.3778, 3);
    expect(value(s, 'tokenwatt_grid_intensity_grams_per_kwh', { source: 'config' })).toBe(475);
  });

  it('uses only catalog names and exactly the catalog labels of each', () => {
    const defs = new Map<string, readonly string[]>(tokenwattMetrics.map((d) => [d.name, d.labels]));
    for (const x of s) {
      expect(defs.has(x.name), x.name).toBe(true);
      expect(Object.keys(x.labels).sort(), x.name).toEqual([...defs.get(x.name)!].sort());
    }
  });
});

describe('EnergyLedger details', () => {
  it('learns idle power as the lowest power seen at zero activity when none is configured', () => {
    const l = new EnergyLedger();
    l.observe({ timestampS: 0, boards: [board({ energyJoules: 0, powerWatts: 90, activity: 0 })], engines: [] });
    l.observe({ timestampS: 10, boards: [board({ energyJoules: 800, powerWatts: 80, activity: 0 })], engines: [] });
    l.observe({ timestampS: 20, boards: [board({ energyJoules: 3800, powerWatts: 50, activity: 0.9 })], engines: [] });
    const s = l.samples();
    // 50 W came with activity 0.9, so it is not idle; learned 80 W. Interval 1: idle min(80·10, 800)=800;
    // interval 2: idle 800, active 3000 − 800 = 2200.
    expect(value(s, 'tokenwatt_gpu_idle_power_watts', { origin: 'learned' })).toBe(80);
    expect(value(s, 'tokenwatt_slice_energy_joules_total', { state: 'idle' })).toBe(1600);
    expect(value(s, 'tokenwatt_slice_energy_joules_total', { state: 'active' })).toBe(2200);
  });

  it('shares a whole GPU among engines by generated tokens', () => {
    const l = new EnergyLedger({ idlePowerWatts: { [A100]: 0 } });
    const tick = (t: number, e: number, a: number, b: number): Tick => ({
      timestampS: t,
      boards: [board({ energyJoules: e })],
      engines: [engine({ model_name: 'a', generationTokens: a }), engine({ model_name: 'b', generationTokens: b })],
    });
    l.observe(tick(0, 0, 0, 0));
    l.observe(tick(10, 1000, 300, 100));
    const s = l.samples();
    expect(value(s, 'tokenwatt_model_energy_joules_total', { model_name: 'a' })).toBe(750);
    expect(value(s, 'tokenwatt_model_energy_joules_total', { model_name: 'b' })).toBe(250);
  });

  it('tokens/J and cost per 1M tokens cover only the configured window', () => {
    const l = new EnergyLedger({ idlePowerWatts: { [A100]: 0 }, windowSeconds: 20 });
    [0, 100, 300, 600].forEach((tokens, k) => l.observe({ timestampS: 10 * k, boards: [board({ energyJoules: 1000 * k })], engines: [engine({ generationTokens: tokens })] }));
    const s = l.samples();
    // Window (10, 30]: tokens 600 − 100 = 500, energy 2000 J → 0.25 tokens/J (the first interval has dropped out).
    expect(value(s, 'tokenwatt_model_tokens_per_joule', { window: '20s' })).toBeCloseTo(0.25, 12);
    // Cost over the window: 2 × (4.10 × 10/3600 + 1000/3.6e6 × 1.2 × 0.13) = 0.0228644 $; / 500 × 1e6 = 45.7289.
    expect(value(s, 'tokenwatt_model_cost_per_million_tokens', { window: '20s' })).toBeCloseTo(45.7289, 3);
  });

  it('drops the series of an engine or GPU unseen for retentionSeconds, and only then', () => {
    const l = new EnergyLedger({ retentionSeconds: 100 });
    const gpu1 = board({ gpu: '1', uuid: 'GPU-1' });
    l.observe({ timestampS: 0, boards: [board(), gpu1], engines: [engine({ pod: 'old' })] });
    l.observe({ timestampS: 100, boards: [board()], engines: [engine({ pod: 'new' })] });
    const pods = () => new Set(l.samples().filter((x) => x.name === 'tokenwatt_model_generation_tokens_total').map((x) => x.labels.pod));
    const gpus = () => new Set(l.samples().filter((x) => x.name === 'tokenwatt_gpu_energy_joules_total').map((x) => x.labels.gpu));
    // Last seen at 0; at t = 100 that is exactly the retention: still kept.
    expect(pods()).toEqual(new Set(['old', 'new']));
    expect(gpus()).toEqual(new Set(['0', '1']));
    l.observe({ timestampS: 101, boards: [board()], engines: [engine({ pod: 'new' })] });
    expect(pods()).toEqual(new Set(['new']));
    expect(gpus()).toEqual(new Set(['0']));
  });

  it('takes a driver reload (energy counter goes down and stays down) as a reset, once the next reading confirms it', () => {
    const l = new EnergyLedger();
    l.observe({ timestampS: 0, boards: [board({ energyJoules: 1e6 })], engines: [] });
    l.observe({ timestampS: 10, boards: [board({ energyJoules: 1e6 + 500 })], engines: [] });
    l.observe({ timestampS: 20, boards: [board({ energyJoules: 300 })], engines: [] });
    expect(value(l.samples(), 'tokenwatt_gpu_energy_joules_total')).toBe(500);
    l.observe({ timestampS: 30, boards: [board({ energyJoules: 700 })], engines: [] });
    // 500 + the 700 J counted since the reset.
    expect(value(l.samples(), 'tokenwatt_gpu_energy_joules_total')).toBe(1200);
    expect(value(l.samples(), 'tokenwatt_estimated_energy_joules_total', { reason: 'reset' })).toBe(700);
  });

  it('drops a counter that halves every third reading as implausible: the total matches its healthy twin (issue 12)', () => {
    // 400 W for 300 s read every 5 s; the faulty upstream reports half its value on every third reading.
    const healthy = new EnergyLedger();
    const faulty = new EnergyLedger();
    for (let i = 0; i <= 60; i++) {
      const e = 5e6 + 2000 * i;
      healthy.observe({ timestampS: 5 * i, boards: [board({ energyJoules: e })], engines: [engine({ generationTokens: 25_600 + 40 * i })] });
      const glitch = i % 3 === 2;
      faulty.observe({ timestampS: 5 * i, boards: [board({ energyJoules: glitch ? e / 2 : e })], engines: [engine({ generationTokens: glitch ? (25_600 + 40 * i) / 2 : 25_600 + 40 * i })] });
    }
    const h = value(healthy.samples(), 'tokenwatt_gpu_energy_joules_total');
    expect(h).toBe(120_000);
    expect(Math.abs(value(faulty.samples(), 'tokenwatt_gpu_energy_joules_total') - h) / h).toBeLessThan(0.01);
    const ht = value(healthy.samples(), 'tokenwatt_model_generation_tokens_total');
    expect(Math.abs(value(faulty.samples(), 'tokenwatt_model_generation_tokens_total') - ht) / ht).toBeLessThan(0.01);
    expect(value(faulty.samples(), 'tokenwatt_ledger_dropped_readings_total', { counter: 'energy', reason: 'implausible' })).toBe(20);
  });

  it('drops an energy increase above the power limit × margin × the time it covers, and a token increase above maxTokensPerSecond', () => {
    const l = new EnergyLedger({ maxTokensPerSecond: 1000 });
    l.observe({ timestampS: 0, boards: [board({ energyJoules: 1e6, powerLimitWatts: 400 })], engines: [engine({ generationTokens: 0 })] });
    // 10 s at most 400 W × 2 = 8000 J; 1e9 J is a glitch. 1000 tokens/s × 10 s = 10,000; 1e7 is one.
    l.observe({ timestampS: 10, boards: [board({ energyJoules: 1e9, powerLimitWatts: 400 })], engines: [engine({ generationTokens: 1e7 })] });
    l.observe({ timestampS: 20, boards: [board({ energyJoules: 1e6 + 6000, powerLimitWatts: 400 })], engines: [engine({ generationTokens: 5000 })] });
    const s = l.samples();
    expect(value(s, 'tokenwatt_gpu_energy_joules_total')).toBe(6000);
    expect(value(s, 'tokenwatt_model_generation_tokens_total')).toBe(5000);
    expect(value(s, 'tokenwatt_ledger_dropped_readings_total', { counter: 'energy' })).toBe(1);
    expect(value(s, 'tokenwatt_ledger_dropped_readings_total', { counter: 'generation_tokens' })).toBe(1);
  });

  it('uses a grid intensity fed with the tick', () => {
    const l = new EnergyLedger({ pue: 1 });
    l.observe({ timestampS: 0, boards: [board({ energyJoules: 0 })], engines: [] });
    l.observe({ timestampS: 3600, boards: [board({ energyJoules: 3.6e6 })], engines: [], gridIntensityGramsPerKwh: 100 });
    const s = l.samples();
    expect(value(s, 'tokenwatt_gpu_co2e_grams_total')).toBe(100);
    expect(value(s, 'tokenwatt_grid_intensity_grams_per_kwh', { source: 'feed' })).toBe(100);
    expect(s.some((x) => x.name === 'tokenwatt_grid_intensity_grams_per_kwh' && x.labels.source === 'config')).toBe(false);
  });

  it('refuses a bad tick whole, naming the field, and keeps its state', () => {
    const l = new EnergyLedger();
    l.observe({ timestampS: 0, boards: [board({ energyJoules: 0 })], engines: [engine()] });
    const before = l.samples();
    const mig = (ids: string[]) => ids.map((id) => ({ gpuInstanceId: id, profile: '3g.20gb', computeSlices: 3, memorySlices: 4, activity: 0.5 }));
    expect(() => l.observe({ timestampS: 10, boards: [board({ energyJoules: 100 })], engines: [engine({ generationTokens: Number.NaN })] })).toThrow(/engines\[0\].*generationTokens/);
    expect(() => l.observe({ timestampS: 10, boards: [board({ energyJoules: 100, slices: mig(['1', '1']) })], engines: [] })).toThrow(/slices\[1\]\.gpuInstanceId: '1' appears twice/);
    expect(() => l.observe({ timestampS: 10, boards: [board({ energyJoules: 100, slices: mig(['1', '2', '3']) })], engines: [] })).toThrow(/9 compute and 12 memory slices/);
    expect(() => l.observe({ timestampS: 10, boards: [board(), board()], engines: [] })).toThrow(/same board twice/);
    expect(() => l.observe({ timestampS: -1, boards: [], engines: [] })).toThrow(/timestampS: went backwards/);
    expect(l.samples()).toEqual(before);
  });

  it('rejects a bad config naming the field', () => {
    expect(() => new EnergyLedger({ pue: 0.5 })).toThrow(/pue/);
    expect(() => new EnergyLedger({ priceBasis: 'spot', gpuPrices: { X: { onDemand: 1 } } })).toThrow(/gpuPrices\.X\.spot/);
  });
});

// ---- properties on random fleets ----

const PROFILES = [['1g.5gb', 1, 1], ['1g.10gb', 1, 2], ['2g.10gb', 2, 2], ['3g.20gb', 3, 4], ['4g.20gb', 4, 4], ['7g.40gb', 7, 8]] as const;

interface Layout { boards: { mig: { profile: string; g: number; m: number }[] | null; engines: number[] }[] }

/** Random fleet: 1–3 A100s, each whole (1–3 engines) or MIG with fitting slices (0–2 engines each). */
const layoutArb: fc.Arbitrary<Layout> = fc
  .array(fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...PROFILES), { maxLength: 7 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 7, maxLength: 7 })), { minLength: 1, maxLength: 3 })
  .map((bs) => ({
    boards: bs.map(([isMig, profiles, engineCounts]) => {
      if (!isMig) return { mig: null, engines: [1 + (engineCounts[0]! % 3)] };
      let g = 0;
      let m = 0;
      const mig = [];
      for (const [profile, pg, pm] of profiles) {
        if (g + pg > 7 || m + pm > 8) continue;
        g += pg;
        m += pm;
        mig.push({ profile, g: pg, m: pm });
      }
      return { mig, engines: mig.map((_, i) => engineCounts[i]!) };
    }),
  }));

interface Step { dt: number; energy: number[]; reset: boolean[]; activity: number[]; tokens: number[]; tokenReset: boolean[] }

function stepArb(n: number): fc.Arbitrary<Step> {
  const arr = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: n, maxLength: n });
  return fc.record({
    dt: fc.double({ min: 0.5, max: 60, noNaN: true }),
    energy: arr(fc.double({ min: 0, max: 40000, noNaN: true })),
    reset: arr(fc.boolean()),
    activity: arr(fc.double({ min: 0, max: 1, noNaN: true })),
    tokens: arr(fc.integer({ min: 0, max: 5000 })),
    tokenReset: arr(fc.boolean()),
  });
}

/** Turn a layout and steps into ticks; raw counters follow the step increments, going down on a reset. */
function ticksOf(layout: Layout, steps: Step[]): Tick[] {
  const energy = layout.boards.map(() => 1e6);
  const nEngines = layout.boards.reduce((n, b) => n + b.engines.reduce((a, c) => a + c, 0), 0);
  const tokens = new Array<number>(nEngines).fill(1000);
  const ticks: Tick[] = [];
  let t = 1_700_000_000;
  [{ dt: 0, energy: [], reset: [], activity: [], tokens: [], tokenReset: [] } as Step, ...steps].forEach((step, k) => {
    t += step.dt;
    const boards: BoardReading[] = [];
    const engines: EngineReading[] = [];
    let ei = 0;
    layout.boards.forEach((b, bi) => {
      if (k > 0) energy[bi] = step.reset[bi % step.reset.length] ? step.energy[bi % step.energy.length]! : energy[bi]! + step.energy[bi % step.energy.length]!;
      const act = (i: number) => step.activity[(bi + i) % Math.max(1, step.activity.length)] ?? 0.5;
      boards.push({
        host: `h${bi % 2}`, gpu: String(bi), uuid: `GPU-${bi}`, model: A100, energyJoules: energy[bi]!, powerWatts: 100, activity: b.mig?.length ? undefined : act(0),
        slices: (b.mig ?? []).map((s, si) => ({ gpuInstanceId: String(si + 1), profile: s.profile, computeSlices: s.g, memorySlices: s.m, activity: act(si) })),
      });
      const places = b.mig ? b.mig.map((_, si) => String(si + 1)) : [undefined];
      places.forEach((instance, pi) => {
        for (let j = 0; j < b.engines[pi]!; j++) {
          if (k > 0) {
            const inc = step.tokens[ei % step.tokens.length]!;
            tokens[ei] = step.tokenReset[ei % step.tokenReset.length] ? inc : tokens[ei]! + inc;
          }
          engines.push(engine({ model_name: `m${ei}`, host: `h${bi % 2}`, gpu: String(bi), gpuInstanceId: instance, generationTokens: tokens[ei]!, promptTokens: 2 * tokens[ei]! }));
          ei++;
        }
      });
    });
    ticks.push({ timestampS: t, boards, engines });
  });
  return ticks;
}

const stepsArb = fc.array(stepArb(8), { minLength: 1, maxLength: 6 });

/** The generated steps draw up to 80 kW: these properties are about the split, not plausibility (§9). */
const LOOSE = { defaultPowerLimitWatts: 1e6 };

function byKey(samples: LedgerSample[]): Map<string, number> {
  return new Map(samples.map((s) => [`${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`, s.value]));
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('EnergyLedger properties', () => {
  it('conserves energy per GPU: slices (idle + active) + unallocated = board energy to 1e-9 relative', () => {
    fc.assert(
      fc.property(layoutArb, stepsArb, fc.constantFrom('compute', 'memory', 'max'), (layout, steps, basis) => {
        const l = new EnergyLedger({ ...LOOSE, sliceWeightBasis: basis as 'compute' });
        for (const tick of ticksOf(layout, steps)) l.observe(tick);
        const s = l.samples();
        for (const b of s.filter((x) => x.name === 'tokenwatt_gpu_energy_joules_total')) {
          const onGpu = (x: LedgerSample) => x.labels.gpu_uuid === b.labels.gpu_uuid;
          const slices = s.filter((x) => x.name === 'tokenwatt_slice_energy_joules_total' && onGpu(x)).reduce((a, x) => a + x.value, 0);
          const unalloc = s.find((x) => x.name === 'tokenwatt_unallocated_energy_joules_total' && onGpu(x))!.value;
          expect(Math.abs(slices + unalloc - b.value)).toBeLessThanOrEqual(1e-9 * Math.max(b.value, 1e-300));
        }
      }),
      { numRuns: 80 },
    );
  });

  it('never lets an output counter decrease or vanish, across upstream energy and token resets', () => {
    fc.assert(
      fc.property(layoutArb, stepsArb, (layout, steps) => {
        const l = new EnergyLedger(LOOSE);
        let before = new Map<string, number>();
        for (const tick of ticksOf(layout, steps)) {
          l.observe(tick);
          const now = byKey(l.samples().filter((x) => x.name.endsWith('_total')));
          for (const [k, v] of before) {
            expect(now.has(k), k).toBe(true);
            expect(now.get(k)!, k).toBeGreaterThanOrEqual(v);
          }
          before = now;
        }
      }),
      { numRuns: 80 },
    );
  });

  it('gives identical results whatever order a tick lists boards, slices and engines in', () => {
    fc.assert(
      fc.property(layoutArb, stepsArb, fc.integer({ min: 1, max: 1e6 }), (layout, steps, seed) => {
        const a = new EnergyLedger(LOOSE);
        const b = new EnergyLedger(LOOSE);
        for (const tick of ticksOf(layout, steps)) {
          a.observe(tick);
          b.observe({
            ...tick,
            boards: shuffled(tick.boards, seed).map((x) => ({ ...x, slices: shuffled(x.slices, seed + 1) })),
            engines: shuffled(tick.engines, seed + 2),
          });
        }
        expect(b.samples()).toEqual(a.samples());
      }),
      { numRuns: 100 },
    );
  });

  // What is invariant when a tick is skipped (t0,t1,t2 observed as t0,t2), with idle power fixed, activity
  // and layout constant and idle never capped: every GPU/slice/unallocated energy counter, token counters,
  // capacity and energy costs, CO2e, idle cost, and model energy where one engine holds a slice. NOT
  // invariant: the split among several engines of one slice (a ratio of sums is not a sum of ratios),
  // activity that changes between ticks or is not reported (idle cost then uses the active share), a learned idle power, or a counter reset inside the skipped span.
  it('gives the same totals when an intermediate tick is skipped (where the model allows)', () => {
    fc.assert(
      fc.property(layoutArb, stepArb(8), stepArb(8), (layout0, s1, s2) => {
        const layout = { boards: layout0.boards.map((b) => ({ ...b, engines: b.engines.map((n) => Math.min(n, 1)) })) };
        const idleW = 50;
        // Constant activity, no resets, and more than idle power × dt per interval (a margin over the rounding
        // of dt computed from 1.7e9-second timestamps), so idle is never capped.
        const fix = (s: Step): Step => ({ ...s, reset: s.reset.map(() => false), tokenReset: s.tokenReset.map(() => false), activity: s.activity.map((_, i) => 0.1 + i / 10), energy: s.energy.map((e) => idleW * s.dt * 1.01 + 1 + e) });
        const ticks = ticksOf(layout, [fix(s1), fix(s2)]);
        const cfg = { ...LOOSE, idlePowerWatts: { [A100]: idleW }, windowSeconds: 1e6 };
        const full = new EnergyLedger(cfg);
        const skip = new EnergyLedger(cfg);
        ticks.forEach((t) => full.observe(t));
        [ticks[0]!, ticks[2]!].forEach((t) => skip.observe(t));
        const a = byKey(full.samples());
        const b = byKey(skip.samples());
        expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
        // 1e-9 relative, with a 1e-8 absolute floor: deltas of raw counters near 1e6 J carry ~1e-10 J of
        // rounding, which matters only for series that should be ~0.
        for (const [k, v] of a) expect(Math.abs(b.get(k)! - v), k).toBeLessThanOrEqual(1e-9 * Math.abs(v) + 1e-8);
      }),
      { numRuns: 80 },
    );
  });
});
