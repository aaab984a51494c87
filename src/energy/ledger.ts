// The energy ledger: turns collection ticks (cumulative board energy counters, MIG slices and their
// activity, engine token counters) into tokenwatt's monotonic energy / token / cost / CO2e counters
// and windowed tokens-per-joule and cost-per-1M-tokens gauges. Energy only ever comes from counter
// differences (counter.ts); the split among slices and engines is the model in attribution.ts.
//
// Determinism: boards, slices and engines are processed in sorted order, so the results do not depend
// on the order a tick lists them in. The first observation of a board or engine only sets baselines.
// A tick is validated whole before any state changes (validate-tick.ts): a refused tick changes nothing.
import { tokenwattMetrics } from '../catalog/tokenwatt.ts';
import { splitBoardEnergy, splitByTokens } from './attribution.ts';
import { parseEnergyConfig, byGpuModel } from './config.ts';
import type { EnergyConfig, EnergyConfigInput } from './config.ts';
import { capacityCost, co2eGrams, energyCost, gpuPricePerHour } from './cost.ts';
import { GuardedCounter, MonotonicCounter } from './counter.ts';
import type { GuardedState } from './counter.ts';
import { migGeometry, sliceWeights } from './mig.ts';
import type { BoardReading, EngineReading, LedgerSample, SliceReading, Tick } from './tick.ts';
import { validateTick } from './validate-tick.ts';
import { CumulativeSeries } from './window.ts';

type Labels = Record<string, string>;

/** An engine's identity labels (its placement adds the slice labels). */
interface EngineId {
  model_name: string;
  engine: string;
  namespace: string;
  pod: string;
}

/** One GPU or MIG slice an engine runs on now. */
interface EnginePlacement {
  /** sliceKey(host, gpu, instance). */
  key: string;
  host: string;
  gpu: string;
  /** MIG instance id ('' for a whole GPU), resolved against the board where the reading named none. */
  instance: string;
}

interface BoardState {
  seenS: number;
  energy: GuardedCounter;
  learnedIdleWatts: number | undefined;
  sliceInfoKeys: string[];
  /** Last activity read per slice ('' for a whole GPU): stands in for a missing one (methodology §9). */
  lastActivity: Record<string, number>;
  /** The first interval after a resume from the state file is marked `restart`. */
  resumed: boolean;
}

interface EngineState {
  seenS: number;
  /** Time of its last reading: a slice waits for the tokens of every engine placed on it (§9). */
  lastReportS: number;
  generation: GuardedCounter;
  prompt: GuardedCounter;
  id: EngineId;
  placements: EnginePlacement[];
}

/**
 * Energy and money of one slice not yet given to its engines: it waits until every engine placed on the
 * slice has reported its tokens up to the same tick, then goes out by the tokens each made since the last
 * hand-out (a gap's energy to the engines that were there, by their tokens over it).
 */
interface Pot {
  touchedS: number;
  energy: number;
  money: number;
  co2: number;
  /** Held over at least one tick (an engine's tokens were missing): what it hands out is marked `gap`. */
  held: boolean;
  tallies: Record<string, { id: EngineId; tokens: number }>;
}

interface ModelWindow {
  touchedS: number;
  tokens: CumulativeSeries;
  energy: CumulativeSeries;
  cost: CumulativeSeries;
}

/** A ledger notice for the exporter's log (the ledger itself does not log). */
export interface LedgerNotice {
  level: 'info' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

/** Reasons a figure is an estimate (tokenwatt_estimated_energy_joules_total{reason}); methodology §9. */
export const ESTIMATE_REASONS = ['activity_unknown', 'idle_power_unknown', 'gap', 'reset', 'source_switch', 'restart'] as const;
export type EstimateReason = (typeof ESTIMATE_REASONS)[number];

/** Persisted ledger state (exporter state file): counters' last readings, pots and output totals. */
export interface LedgerSnapshot {
  lastTickS: number | undefined;
  boards: [string, { seenS: number; energy: GuardedState; learnedIdleWatts?: number; lastActivity: Record<string, number> }][];
  engines: [string, { seenS: number; lastReportS: number; generation: GuardedState; prompt: GuardedState; id: EngineId; placements: EnginePlacement[] }][];
  pots: [string, Pot][];
  slices: [string, { labels: Labels; seenS: number }][];
  counters: [string, { name: string; labels: Labels; value: number; touchedS: number }][];
}

/** Fallback geometry for a MIG GPU whose model name mig.ts does not know: the A100/H100 7 × 8 grid. */
const DEFAULT_GEOMETRY = { computeTotal: 7, memoryTotal: 8 };

export class EnergyLedger {
  readonly config: EnergyConfig;
  private readonly boards = new Map<string, BoardState>();
  private readonly engines = new Map<string, EngineState>();
  private readonly pots = new Map<string, Pot>();
  /** This tick's index: slice key → engines placed there (see settle). */
  private readonly placedOn = new Map<string, EngineState[]>();
  /** Slice labels per sliceKey, and per GPU (gpuKey) the instance ids it had when last read. */
  private readonly sliceLabels = new Map<string, { labels: Labels; seenS: number }>();
  private readonly gpuSlices = new Map<string, { ids: string[]; seenS: number }>();
  // Every output series remembers the tick that last touched it, so series of a GPU, slice or engine
  // unseen for `retentionSeconds` can be dropped (a pod restarted under a new name stops being exported).
  private readonly counters = new Map<string, { name: string; labels: Labels; counter: MonotonicCounter; touchedS: number }>();
  private readonly gauges = new Map<string, LedgerSample & { touchedS: number }>();
  private readonly windows = new Map<string, ModelWindow>();
  private readonly noticeQueue: LedgerNotice[] = [];
  private readonly noticed = new Set<string>();
  private lastTickS: number | undefined;
  /** Time of the tick being observed (stamps every series it touches). */
  private nowS = 0;

  constructor(config: EnergyConfigInput | EnergyConfig = {}) {
    this.config = parseEnergyConfig(config);
  }

  private unplacedNow: Record<string, string>[] = [];

  /** Engine placements of the last tick that no board reports (tokenwatt_engine_placed 0). */
  unplaced(): Record<string, string>[] {
    return this.unplacedNow.map((u) => ({ ...u }));
  }

  /** Notices since the last call (placement fixes, unknown idle power...), each said once. */
  takeNotices(): LedgerNotice[] {
    return this.noticeQueue.splice(0);
  }

  observe(tick: Tick): void {
    validateTick(tick, this.lastTickS);
    const boards = sortedUnique(tick.boards, boardKey, 'board');
    const t = tick.timestampS;
    const previousTickS = this.lastTickS;
    this.lastTickS = t;
    this.nowS = t;
    const grid = tick.gridIntensityGramsPerKwh;
    const gramsPerKwh = grid ?? this.config.gridIntensityGramsPerKwh;
    this.gauges.delete(seriesKey('tokenwatt_grid_intensity_grams_per_kwh', { source: grid === undefined ? 'feed' : 'config' }));
    this.setGauge('tokenwatt_grid_intensity_grams_per_kwh', { source: grid === undefined ? 'config' : 'feed' }, gramsPerKwh);

    // Present from the first tick (at 0), so increase() over them works and a dashboard shows 0, not nothing.
    for (const counter of ['energy', 'generation_tokens', 'prompt_tokens']) this.add('tokenwatt_ledger_dropped_readings_total', { counter, reason: 'implausible' }, 0);

    // The MIG instances of every GPU read now (an engine naming no instance is resolved against them).
    for (const b of boards) this.gpuSlices.set(gpuKey(b.host, b.gpu), { ids: b.slices.map((s) => s.gpuInstanceId).sort(compare), seenS: t });

    // Engines: each engine's counters are read ONCE (readings with one counterKey are one engine on
    // several GPUs) and the increase is apportioned to its current placements, so a placement change
    // can neither mint nor lose tokens. Tallies of generated tokens go to each slice's pot.
    const tokenAdds: { labelsOf: () => Labels; generation: number; prompt: number }[] = [];
    const present: EngineState[] = [];
    for (const [key, group] of groupEngines(tick.engines)) {
      const first = group[0]!;
      let state = this.engines.get(key);
      if (!state) {
        state = {
          seenS: t, lastReportS: t, generation: new GuardedCounter(), prompt: new GuardedCounter(),
          id: { model_name: first.model_name, engine: first.engine, namespace: first.namespace, pod: first.pod }, placements: [],
        };
        this.engines.set(key, state);
      }
      state.seenS = t;
      state.lastReportS = t;
      present.push(state);
      const rate = this.config.maxTokensPerSecond;
      const gen = state.generation.read(first.generationTokens, t, rate);
      const prompt = state.prompt.read(first.promptTokens, t, rate);
      if (gen.dropped > 0) this.add('tokenwatt_ledger_dropped_readings_total', { counter: 'generation_tokens', reason: 'implausible' }, gen.dropped);
      if (prompt.dropped > 0) this.add('tokenwatt_ledger_dropped_readings_total', { counter: 'prompt_tokens', reason: 'implausible' }, prompt.dropped);
      this.placeEngine(state, group);
      const n = state.placements.length;
      for (const p of state.placements) {
        const labelsOf = () => modelLabels(state.id, this.sliceLabels.get(p.key)?.labels ?? unplacedSlice(p));
        tokenAdds.push({ labelsOf, generation: (gen.delta ?? 0) / n, prompt: (prompt.delta ?? 0) / n });
        // A reading with nothing to count yet (baseline) does not share the pot; a held or dropped one does.
        if (gen.status === 'baseline') continue;
        const pot = this.pot(p.key, t);
        const tally = (pot.tallies[key] ??= { id: state.id, tokens: 0 });
        tally.tokens += (gen.delta ?? 0) / n;
      }
    }

    // Which engines each slice waits for (placed there now, heard from within gapHoldSeconds), indexed once per tick.
    this.placedOn.clear();
    const hold = t - this.config.gapHoldSeconds;
    for (const e of this.engines.values()) {
      if (e.lastReportS < hold) continue;
      for (const p of e.placements) {
        const list = this.placedOn.get(p.key);
        if (list) list.push(e);
        else this.placedOn.set(p.key, [e]);
      }
    }
    for (const board of boards) this.observeBoard(t, board, gramsPerKwh, previousTickS);

    // Token counters of every engine on the slice labels of its placements; placed 1/0 beside them.
    const touched = tokenAdds.map((a) => a.labelsOf());
    tokenAdds.forEach((a, i) => {
      const labels = touched[i]!;
      this.add('tokenwatt_model_generation_tokens_total', labels, a.generation);
      this.add('tokenwatt_model_prompt_tokens_total', labels, a.prompt);
      this.add('tokenwatt_model_energy_joules_total', labels, 0);
      this.add('tokenwatt_model_cost_total', { ...labels, currency: this.config.currency }, 0);
      this.add('tokenwatt_model_co2e_grams_total', labels, 0);
    });
    this.unplacedNow = [];
    for (const state of present) {
      for (const p of state.placements) {
        const placed = this.sliceLabels.has(p.key);
        this.setGauge('tokenwatt_engine_placed', placedLabels(state.id, p), placed ? 1 : 0);
        if (!placed) this.unplacedNow.push({ model: state.id.model_name, engine: state.id.engine, namespace: state.id.namespace, pod: state.id.pod, host: p.host, gpu: p.gpu, gpuInstanceId: p.instance });
      }
    }
    this.updateWindows(t, touched);
    this.forgetUnseen(t - this.config.retentionSeconds);
  }

  /** Every output series now: counters (monotonic) and gauges, sorted by name and labels. */
  samples(): LedgerSample[] {
    // The map keys are the series keys (name + sorted labels): sort on them once.
    const keyed: [string, LedgerSample][] = [];
    for (const [k, c] of this.counters) keyed.push([k, { name: c.name, labels: { ...c.labels }, value: c.counter.value }]);
    for (const [k, g] of this.gauges) keyed.push([k, { name: g.name, labels: { ...g.labels }, value: g.value }]);
    return keyed.sort((a, b) => compare(a[0], b[0])).map((e) => e[1]);
  }

  /** The state to persist (last readings, pots, totals): restore() resumes from it after a restart. */
  snapshot(): LedgerSnapshot {
    return {
      lastTickS: this.lastTickS,
      boards: [...this.boards].map(([k, b]) => [k, { seenS: b.seenS, energy: b.energy.state, ...(b.learnedIdleWatts !== undefined && { learnedIdleWatts: b.learnedIdleWatts }), lastActivity: { ...b.lastActivity } }]),
      engines: [...this.engines].map(([k, e]) => [k, { seenS: e.seenS, lastReportS: e.lastReportS, generation: e.generation.state, prompt: e.prompt.state, id: { ...e.id }, placements: e.placements.map((p) => ({ ...p })) }]),
      pots: [...this.pots].map(([k, p]) => [k, structuredClone(p)]),
      slices: [...this.sliceLabels].map(([k, s]) => [k, { labels: { ...s.labels }, seenS: s.seenS }]),
      counters: [...this.counters].map(([k, c]) => [k, { name: c.name, labels: { ...c.labels }, value: c.counter.value, touchedS: c.touchedS }]),
    };
  }

  /** Resume from a snapshot (on a fresh ledger): the first interval of each GPU covers the downtime, marked `restart`. */
  restore(snap: LedgerSnapshot): void {
    if (this.lastTickS !== undefined) throw new Error('restore() needs a ledger that has observed nothing');
    this.lastTickS = snap.lastTickS;
    for (const [k, b] of snap.boards) {
      this.boards.set(k, { seenS: b.seenS, energy: new GuardedCounter(b.energy), learnedIdleWatts: b.learnedIdleWatts, sliceInfoKeys: [], lastActivity: { ...b.lastActivity }, resumed: true });
    }
    for (const [k, e] of snap.engines) {
      this.engines.set(k, { seenS: e.seenS, lastReportS: e.lastReportS, generation: new GuardedCounter(e.generation), prompt: new GuardedCounter(e.prompt), id: { ...e.id }, placements: e.placements.map((p) => ({ ...p })) });
    }
    for (const [k, p] of snap.pots) this.pots.set(k, structuredClone(p));
    for (const [k, s] of snap.slices) this.sliceLabels.set(k, { labels: { ...s.labels }, seenS: s.seenS });
    for (const [k, c] of snap.counters) {
      seriesKey(c.name, c.labels); // throws on a name the catalog no longer has
      this.counters.set(k, { name: c.name, labels: { ...c.labels }, counter: new MonotonicCounter(c.value), touchedS: c.touchedS });
    }
  }

  /** Where each reading of an engine runs now; a reading naming no MIG instance on a MIG GPU is resolved or reported. */
  private placeEngine(state: EngineState, group: EngineReading[]): void {
    const placements: EnginePlacement[] = [];
    for (const e of group) {
      let instance = e.gpuInstanceId ?? '';
      if (e.gpuInstanceId === undefined) {
        const ids = this.gpuSlices.get(gpuKey(e.host, e.gpu))?.ids ?? [];
        if (ids.length === 1) {
          instance = ids[0]!;
          this.notice(`mig1\0${e.host}\0${e.gpu}\0${state.id.model_name}`, 'info', 'engine placed on a MIG GPU without gpuInstanceId; the GPU has one MIG instance, so it runs there', { model: state.id.model_name, engine: state.id.engine, host: e.host, gpu: e.gpu, gpuInstanceId: instance });
        } else if (ids.length > 1) {
          this.notice(`migN\0${e.host}\0${e.gpu}\0${state.id.model_name}`, 'warn', 'engine placed on a MIG GPU without gpuInstanceId; the GPU has several MIG instances, so it gets no energy (tokenwatt_engine_placed 0): add gpuInstanceId to its placement', { model: state.id.model_name, engine: state.id.engine, host: e.host, gpu: e.gpu, instances: ids });
        }
      }
      placements.push({ key: sliceKey(e.host, e.gpu, instance), host: e.host, gpu: e.gpu, instance });
    }
    placements.sort((a, b) => compare(a.key, b.key));
    // Placed-gauges of placements it left go with them.
    for (const old of state.placements) {
      if (!placements.some((p) => p.key === old.key)) this.gauges.delete(seriesKey('tokenwatt_engine_placed', placedLabels(state.id, old)));
    }
    state.placements = placements;
  }

  private pot(key: string, t: number): Pot {
    let pot = this.pots.get(key);
    if (!pot) {
      pot = { touchedS: t, energy: 0, money: 0, co2: 0, held: false, tallies: {} };
      this.pots.set(key, pot);
    }
    pot.touchedS = t;
    return pot;
  }

  private notice(key: string, level: LedgerNotice['level'], msg: string, fields: Record<string, unknown>): void {
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    this.noticeQueue.push({ level, msg, fields });
  }

  private observeBoard(t: number, board: BoardReading, gramsPerKwh: number, previousTickS: number | undefined): void {
    const key = boardKey(board);
    let state = this.boards.get(key);
    if (!state) {
      state = { seenS: t, energy: new GuardedCounter(), learnedIdleWatts: undefined, sliceInfoKeys: [], lastActivity: {}, resumed: false };
      this.boards.set(key, state);
    }
    // Absent from the previous tick (a failed scrape): this interval spans a gap.
    const missedTick = previousTickS !== undefined && state.seenS < previousTickS;
    state.seenS = t;
    const gpu: Labels = { host: board.host, gpu: board.gpu, gpu_uuid: board.uuid, gpu_model: board.model };
    const currency = this.config.currency;

    const slices = [...board.slices].sort((a, b) => compare(a.gpuInstanceId, b.gpuInstanceId));
    const whole = slices.length === 0;
    const geometry = migGeometry(board.model) ?? DEFAULT_GEOMETRY;
    const weights = whole ? [1] : sliceWeights(slices, geometry, this.config.sliceWeightBasis);
    const sliceLabels: Labels[] = whole
      ? [{ ...gpu, gpu_instance_id: '', gpu_profile: 'whole' }]
      : slices.map((s) => ({ ...gpu, gpu_instance_id: s.gpuInstanceId, gpu_profile: s.profile }));
    const sliceKeys = sliceLabels.map((sl) => sliceKey(board.host, board.gpu, sl.gpu_instance_id!));
    sliceKeys.forEach((k, i) => this.sliceLabels.set(k, { labels: sliceLabels[i]!, seenS: t }));
    this.sliceInfo(state, slices, sliceLabels, geometry);

    // Activity: as read; a slice without one this tick keeps its last known activity; none known ever:
    // the active part is shared by size (methodology §9). Either way the interval is marked.
    const read: (number | undefined)[] = whole
      ? [board.activity !== undefined && Number.isFinite(board.activity) ? board.activity : undefined]
      : slices.map((s) => (s.activityUnknown || !Number.isFinite(s.activity) ? undefined : s.activity));
    const ids = whole ? [''] : slices.map((s) => s.gpuInstanceId);
    read.forEach((a, i) => {
      if (a !== undefined) state.lastActivity[ids[i]!] = a;
    });
    const activityKnown = read.every((a) => a !== undefined);
    const filled = read.map((a, i) => a ?? state.lastActivity[ids[i]!]);
    const bySize = !whole && filled.some((a) => a === undefined);
    const idleWatts = this.idlePower(state, board, gpu, activityKnown && read.every((a) => a === 0));

    const previousT = state.energy.lastT;
    const maxWatts = (board.powerLimitWatts ?? this.config.defaultPowerLimitWatts) * this.config.powerLimitMargin;
    const r = state.energy.read(board.energyJoules, t, maxWatts);
    if (r.dropped > 0) this.add('tokenwatt_ledger_dropped_readings_total', { counter: 'energy', reason: 'implausible' }, r.dropped);
    // Create every series at 0 so they exist from the first tick; the first reading is only a baseline.
    this.add('tokenwatt_gpu_energy_joules_total', gpu, 0);
    this.add('tokenwatt_unallocated_energy_joules_total', gpu, 0);
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'capacity', currency }, 0);
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'energy', currency }, 0);
    this.add('tokenwatt_gpu_co2e_grams_total', gpu, 0);
    this.add('tokenwatt_unallocated_cost_total', { ...gpu, currency }, 0);
    for (const reason of ESTIMATE_REASONS) this.add('tokenwatt_estimated_energy_joules_total', { ...gpu, reason }, 0);
    for (const sl of sliceLabels) {
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'idle' }, 0);
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'active' }, 0);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'capacity', currency }, 0);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'energy', currency }, 0);
      this.add('tokenwatt_idle_cost_total', { ...sl, currency }, 0);
    }
    // Nothing new to split: a baseline, a reading held or dropped, or a counter that has not moved since
    // its last reading (a source sampling slower than the exporter reads it; no powered GPU draws 0 W).
    // The interval stays open and the next change covers all of it.
    const delta = r.delta;
    if (delta === undefined || delta === 0 || previousT === undefined) return;
    const dt = t - previousT;

    const estimate = (reason: EstimateReason, joules: number) => this.add('tokenwatt_estimated_energy_joules_total', { ...gpu, reason }, joules);
    if (!whole && (!activityKnown || bySize)) estimate('activity_unknown', delta);
    if (idleWatts === undefined) estimate('idle_power_unknown', delta);
    if (r.status === 'reset') estimate('reset', delta);
    if (board.sourceSwitched) estimate('source_switch', delta);
    if (state.resumed) estimate('restart', delta);
    else if (missedTick) estimate('gap', delta);
    state.resumed = false;

    const split = splitBoardEnergy(
      delta,
      dt,
      idleWatts ?? 0,
      weights.map((w, i) => ({ weight: w, activity: bySize ? 1 : (filled[i] ?? 0) })),
    );
    const unallocatedWeight = whole ? 0 : Math.max(0, 1 - weights.reduce((a, b) => a + b, 0));
    const price = gpuPricePerHour(this.config, board.model, board.host);

    this.add('tokenwatt_gpu_energy_joules_total', gpu, delta);
    this.add('tokenwatt_unallocated_energy_joules_total', gpu, split.unallocated);
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'capacity', currency }, capacityCost(price, 1, dt));
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'energy', currency }, energyCost(this.config, delta));
    this.add('tokenwatt_gpu_co2e_grams_total', gpu, co2eGrams(this.config, delta, gramsPerKwh));
    this.add(
      'tokenwatt_unallocated_cost_total',
      { ...gpu, currency },
      capacityCost(price, unallocatedWeight, dt) + energyCost(this.config, split.unallocated),
    );

    sliceLabels.forEach((sl, i) => {
      const share = split.slices[i]!;
      const energy = share.idle + share.active;
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'idle' }, share.idle);
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'active' }, share.active);
      const capacity = capacityCost(price, weights[i]!, dt);
      const energyMoney = energyCost(this.config, energy);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'capacity', currency }, capacity);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'energy', currency }, energyMoney);
      // Idle cost: the capacity the slice held but did not use, plus its idle energy. Without an
      // activity reading (whole GPU, no DCGM), the active share of the board's energy stands in for it.
      const act = filled[i];
      const busy = act !== undefined ? Math.min(1, Math.max(0, act)) : delta > 0 ? split.active / delta : 0;
      this.add('tokenwatt_idle_cost_total', { ...sl, currency }, capacity * (1 - busy) + energyCost(this.config, share.idle));

      const pot = this.pot(sliceKeys[i]!, t);
      pot.energy += energy;
      pot.money += capacity + energyMoney;
      pot.co2 += co2eGrams(this.config, energy, gramsPerKwh);
      this.settle(sliceKeys[i]!, sl, t, gpu);
    });
  }

  /**
   * Hand a slice's pot to its engines once every engine placed on it has reported up to now, by the
   * tokens each generated since the last hand-out (equally if none generated). No engine there: the
   * energy stays the slice's alone.
   */
  private settle(key: string, sl: Labels, t: number, gpu: Labels): void {
    const pot = this.pots.get(key);
    if (!pot || pot.energy + pot.money === 0) return;
    const expected = this.placedOn.get(key) ?? [];
    if (expected.some((e) => e.lastReportS !== t)) {
      pot.held = true;
      return;
    }
    const keys = Object.keys(pot.tallies).sort(compare);
    if (keys.length > 0) {
      const tokens = keys.map((k) => pot.tallies[k]!.tokens);
      const energy = splitByTokens(pot.energy, tokens);
      const money = splitByTokens(pot.money, tokens);
      const co2 = splitByTokens(pot.co2, tokens);
      const currency = this.config.currency;
      keys.forEach((k, j) => {
        const labels = modelLabels(pot.tallies[k]!.id, sl);
        this.add('tokenwatt_model_energy_joules_total', labels, energy[j]!);
        this.add('tokenwatt_model_cost_total', { ...labels, currency }, money[j]!);
        this.add('tokenwatt_model_co2e_grams_total', labels, co2[j]!);
      });
      if (pot.held) this.add('tokenwatt_estimated_energy_joules_total', { ...gpu, reason: 'gap' }, pot.energy);
    }
    this.pots.set(key, { touchedS: t, energy: 0, money: 0, co2: 0, held: false, tallies: {} });
  }

  /** Configured idle power for the GPU model, else the lowest power seen while every activity was known and 0; else undefined (unknown). */
  private idlePower(state: BoardState, board: BoardReading, gpu: Labels, idleNow: boolean): number | undefined {
    const configured = byGpuModel(this.config.idlePowerWatts, board.model);
    if (idleNow && board.powerWatts !== undefined && Number.isFinite(board.powerWatts) && board.powerWatts >= 0) {
      state.learnedIdleWatts = Math.min(state.learnedIdleWatts ?? Infinity, board.powerWatts);
    }
    for (const origin of ['configured', 'learned', 'unknown']) this.gauges.delete(seriesKey('tokenwatt_gpu_idle_power_watts', { ...gpu, origin }));
    if (configured !== undefined) {
      this.setGauge('tokenwatt_gpu_idle_power_watts', { ...gpu, origin: 'configured' }, configured);
      return configured;
    }
    if (state.learnedIdleWatts !== undefined) {
      this.setGauge('tokenwatt_gpu_idle_power_watts', { ...gpu, origin: 'learned' }, state.learnedIdleWatts);
      return state.learnedIdleWatts;
    }
    // Loud, not a silent 0: the gauge says `unknown` and every joule split meanwhile is marked.
    this.setGauge('tokenwatt_gpu_idle_power_watts', { ...gpu, origin: 'unknown' }, 0);
    if (board.slices.length > 0) {
      this.notice(`idle?\0${board.host}\0${board.gpu}`, 'warn', 'idle power of a MIG GPU is not known yet (not configured, and no power reading at known zero activity): its unallocated capacity gets 0 J until it is; set energy.idlePowerWatts for this model', { host: board.host, gpu: board.gpu, model: board.model });
    }
    return undefined;
  }

  private sliceInfo(state: BoardState, slices: SliceReading[], labels: Labels[], geometry: { computeTotal: number; memoryTotal: number }): void {
    // Replace this GPU's slice_info series with the slices present now.
    for (const k of state.sliceInfoKeys) this.gauges.delete(k);
    state.sliceInfoKeys = labels.map((sl, i) => {
      const s = slices[i];
      const info = {
        ...sl,
        compute_slices: String(s ? s.computeSlices : geometry.computeTotal),
        memory_slices: String(s ? s.memorySlices : geometry.memoryTotal),
      };
      this.setGauge('tokenwatt_slice_info', info, 1);
      return seriesKey('tokenwatt_slice_info', info);
    });
  }

  /** Drop the state and series of GPUs, slices and engines last seen before `cutoffS`. */
  private forgetUnseen(cutoffS: number): void {
    for (const [k, b] of this.boards) if (b.seenS < cutoffS) this.boards.delete(k);
    for (const [k, e] of this.engines) if (e.seenS < cutoffS) this.engines.delete(k);
    for (const [k, p] of this.pots) if (p.touchedS < cutoffS) this.pots.delete(k);
    for (const [k, s] of this.sliceLabels) if (s.seenS < cutoffS) this.sliceLabels.delete(k);
    for (const [k, s] of this.gpuSlices) if (s.seenS < cutoffS) this.gpuSlices.delete(k);
    for (const [k, w] of this.windows) if (w.touchedS < cutoffS) this.windows.delete(k);
    for (const [k, c] of this.counters) if (c.touchedS < cutoffS) this.counters.delete(k);
    for (const [k, g] of this.gauges) if (g.touchedS < cutoffS) this.gauges.delete(k);
  }

  /** Windowed tokens/J and cost per 1M tokens of the engines in this tick. */
  private updateWindows(t: number, present: Labels[]): void {
    const w = this.config.windowSeconds;
    const windowLabel = `${w}s`;
    const currency = this.config.currency;
    const done = new Set<string>();
    for (const labels of present) {
      const key = seriesKey('tokenwatt_model_energy_joules_total', labels);
      if (done.has(key)) continue;
      done.add(key);
      let win = this.windows.get(key);
      if (!win) {
        win = { touchedS: t, tokens: new CumulativeSeries(), energy: new CumulativeSeries(), cost: new CumulativeSeries() };
        this.windows.set(key, win);
      }
      win.touchedS = t;
      win.tokens.pushCumulative(t, this.value('tokenwatt_model_generation_tokens_total', labels));
      win.energy.pushCumulative(t, this.value('tokenwatt_model_energy_joules_total', labels));
      win.cost.pushCumulative(t, this.value('tokenwatt_model_cost_total', { ...labels, currency }));
      win.tokens.prune(t - w);
      win.energy.prune(t - w);
      win.cost.prune(t - w);
      const tokens = win.tokens.increase(t - w, t);
      const joules = win.energy.increase(t - w, t);
      const cost = win.cost.increase(t - w, t);
      const tpjKey = { ...labels, window: windowLabel };
      const cpmKey = { ...labels, currency, window: windowLabel };
      // A ratio with nothing under it is absent, not 0 or Inf.
      if (joules > 0) this.setGauge('tokenwatt_model_tokens_per_joule', tpjKey, tokens / joules);
      else this.gauges.delete(seriesKey('tokenwatt_model_tokens_per_joule', tpjKey));
      if (tokens > 0) this.setGauge('tokenwatt_model_cost_per_million_tokens', cpmKey, (cost / tokens) * 1e6);
      else this.gauges.delete(seriesKey('tokenwatt_model_cost_per_million_tokens', cpmKey));
    }
  }

  private add(name: string, labels: Labels, amount: number): void {
    const key = seriesKey(name, labels);
    let c = this.counters.get(key);
    if (!c) {
      c = { name, labels: { ...labels }, counter: new MonotonicCounter(), touchedS: this.nowS };
      this.counters.set(key, c);
    }
    c.touchedS = this.nowS;
    c.counter.add(amount);
  }

  private value(name: string, labels: Labels): number {
    return this.counters.get(seriesKey(name, labels))?.counter.value ?? 0;
  }

  private setGauge(name: string, labels: Labels, value: number): void {
    this.gauges.set(seriesKey(name, labels), { name, labels: { ...labels }, value, touchedS: this.nowS });
  }
}

function boardKey(b: BoardReading): string {
  return JSON.stringify([b.host, b.gpu, b.uuid]);
}

function gpuKey(host: string, gpu: string): string {
  return JSON.stringify([host, gpu]);
}

function sliceKey(host: string, gpu: string, instance: string): string {
  return JSON.stringify([host, gpu, instance]);
}

/**
 * An engine's readings grouped by the engine whose counters they carry: a reading's `counterKey`
 * (one engine on several GPUs), else the reading alone, keyed by where it runs. Sorted by key.
 */
function groupEngines(readings: EngineReading[]): [string, EngineReading[]][] {
  const groups = new Map<string, EngineReading[]>();
  for (const e of readings) {
    const key = e.counterKey !== undefined
      ? JSON.stringify(['k', e.counterKey])
      : JSON.stringify([e.host, e.gpu, e.gpuInstanceId ?? '', e.namespace, e.pod, e.model_name, e.engine]);
    const g = groups.get(key);
    if (!g) groups.set(key, [e]);
    else {
      const dup = g.find((x) => x.host === e.host && x.gpu === e.gpu && (x.gpuInstanceId ?? '') === (e.gpuInstanceId ?? ''));
      if (dup || e.counterKey === undefined) throw new Error(`tick lists the same engine twice: ${key}`);
      g.push(e);
    }
  }
  return [...groups].sort((a, b) => compare(a[0], b[0]));
}

function modelLabels(e: EngineId, slice: Labels): Labels {
  return { model_name: e.model_name, engine: e.engine, namespace: e.namespace, pod: e.pod, ...slice };
}

function placedLabels(e: EngineId, p: EnginePlacement): Labels {
  return { model_name: e.model_name, engine: e.engine, namespace: e.namespace, pod: e.pod, host: p.host, gpu: p.gpu, gpu_instance_id: p.instance };
}

/** Slice labels of a placement whose GPU has not been seen: its own placement, GPU identity unknown. */
function unplacedSlice(p: EnginePlacement): Labels {
  return { host: p.host, gpu: p.gpu, gpu_uuid: '', gpu_model: '', gpu_instance_id: p.instance, gpu_profile: p.instance ? '' : 'whole' };
}

/** Label names of each tokenwatt series, in catalog order: the ledger emits exactly these. */
const CATALOG_LABELS = new Map<string, readonly string[]>(tokenwattMetrics.map((d) => [d.name, d.labels]));

/**
 * A stable key for a series: its name and label values in catalog order, NUL-separated (no sorting or
 * JSON on the hot path). A value holding a NUL or starting with '"' is JSON-quoted, so keys stay unambiguous.
 */
function seriesKey(name: string, labels: Labels): string {
  const order = CATALOG_LABELS.get(name);
  if (!order) throw new Error(`ledger: '${name}' is not a tokenwatt series in src/catalog/tokenwatt.ts`);
  let key = name;
  for (const l of order) {
    const v = labels[l] ?? '';
    key += '\0' + (v.includes('\0') || v.startsWith('"') ? JSON.stringify(v) : v);
  }
  return key;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique<T>(items: T[], key: (x: T) => string, what: string): T[] {
  const keyed = items.map((x) => ({ k: key(x), x })).sort((a, b) => compare(a.k, b.k));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]!.k === keyed[i - 1]!.k) throw new Error(`tick lists the same ${what} twice: ${keyed[i]!.k}`);
  }
  return keyed.map((e) => e.x);
}
