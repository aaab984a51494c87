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
import { CounterFollower, MonotonicCounter } from './counter.ts';
import { migGeometry, sliceWeights } from './mig.ts';
import type { BoardReading, EngineReading, LedgerSample, SliceReading, Tick } from './tick.ts';
import { TickError, validateTick } from './validate-tick.ts';
import { CumulativeSeries } from './window.ts';

type Labels = Record<string, string>;

interface BoardState {
  seenS: number;
  energy: CounterFollower;
  lastT: number | undefined;
  learnedIdleWatts: number | undefined;
  sliceInfoKeys: string[];
}

interface EngineState {
  seenS: number;
  generation: CounterFollower;
  prompt: CounterFollower;
  /** Labels of the slice it was last placed on (kept for intervals when its board is missing). */
  labels: Labels;
}

/** This tick's token increases per engine reading (undefined on its first observation: baseline only). */
type TokenDeltas = Map<EngineReading, { state: EngineState; generation: number | undefined; prompt: number | undefined }>;

interface ModelWindow {
  touchedS: number;
  tokens: CumulativeSeries;
  energy: CumulativeSeries;
  cost: CumulativeSeries;
}

/** Fallback geometry for a MIG GPU whose model name mig.ts does not know: the A100/H100 7 × 8 grid. */
const DEFAULT_GEOMETRY = { computeTotal: 7, memoryTotal: 8 };

export class EnergyLedger {
  readonly config: EnergyConfig;
  private readonly boards = new Map<string, BoardState>();
  private readonly engines = new Map<string, EngineState>();
  // Every output series remembers the tick that last touched it, so series of a GPU, slice or engine
  // unseen for `retentionSeconds` can be dropped (a pod restarted under a new name stops being exported).
  private readonly counters = new Map<string, { name: string; labels: Labels; counter: MonotonicCounter; touchedS: number }>();
  private readonly gauges = new Map<string, LedgerSample & { touchedS: number }>();
  private readonly windows = new Map<string, ModelWindow>();
  private lastTickS: number | undefined;
  /** Time of the tick being observed (stamps every series it touches). */
  private nowS = 0;

  constructor(config: EnergyConfigInput | EnergyConfig = {}) {
    this.config = parseEnergyConfig(config);
  }

  observe(tick: Tick): void {
    validateTick(tick, this.lastTickS);
    const boards = sortedUnique(tick.boards, boardKey, 'board');
    const engines = sortedUnique(tick.engines, engineKey, 'engine');
    const t = tick.timestampS;
    this.lastTickS = t;
    this.nowS = t;
    const grid = tick.gridIntensityGramsPerKwh;
    const gramsPerKwh = grid ?? this.config.gridIntensityGramsPerKwh;
    this.gauges.delete(seriesKey('tokenwatt_grid_intensity_grams_per_kwh', { source: grid === undefined ? 'feed' : 'config' }));
    this.setGauge('tokenwatt_grid_intensity_grams_per_kwh', { source: grid === undefined ? 'config' : 'feed' }, gramsPerKwh);

    // Token deltas first, for every engine (undefined on its first observation: baseline only).
    const tokenDeltas: TokenDeltas = new Map();
    for (const e of engines) {
      const key = engineKey(e);
      let state = this.engines.get(key);
      if (!state) {
        state = { seenS: t, generation: new CounterFollower(), prompt: new CounterFollower(), labels: unplacedLabels(e) };
        this.engines.set(key, state);
      }
      state.seenS = t;
      tokenDeltas.set(e, { state, generation: state.generation.read(e.generationTokens), prompt: state.prompt.read(e.promptTokens) });
    }

    const enginesByGpu = new Map<string, EngineReading[]>();
    for (const e of engines) {
      const k = gpuKey(e.host, e.gpu);
      enginesByGpu.set(k, [...(enginesByGpu.get(k) ?? []), e]);
    }
    for (const board of boards) this.observeBoard(t, board, enginesByGpu, tokenDeltas, gramsPerKwh);

    // Token counters of every engine, on the slice labels it was last placed on.
    for (const e of engines) {
      const d = tokenDeltas.get(e)!;
      const state = d.state;
      this.add('tokenwatt_model_generation_tokens_total', state.labels, d.generation ?? 0);
      this.add('tokenwatt_model_prompt_tokens_total', state.labels, d.prompt ?? 0);
      this.add('tokenwatt_model_energy_joules_total', state.labels, 0);
      this.add('tokenwatt_model_cost_total', { ...state.labels, currency: this.config.currency }, 0);
      this.add('tokenwatt_model_co2e_grams_total', state.labels, 0);
    }
    this.updateWindows(t, [...tokenDeltas.values()].map((d) => d.state));
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

  private observeBoard(
    t: number,
    board: BoardReading,
    enginesByGpu: Map<string, EngineReading[]>,
    tokenDeltas: TokenDeltas,
    gramsPerKwh: number,
  ): void {
    const key = boardKey(board);
    let state = this.boards.get(key);
    if (!state) {
      state = { seenS: t, energy: new CounterFollower(), lastT: undefined, learnedIdleWatts: undefined, sliceInfoKeys: [] };
      this.boards.set(key, state);
    }
    state.seenS = t;
    const gpu: Labels = { host: board.host, gpu: board.gpu, gpu_uuid: board.uuid, gpu_model: board.model };
    const currency = this.config.currency;
    const idleWatts = this.idlePower(state, board, gpu);

    const slices = [...board.slices].sort((a, b) => compare(a.gpuInstanceId, b.gpuInstanceId));
    const whole = slices.length === 0;
    const geometry = migGeometry(board.model) ?? DEFAULT_GEOMETRY;
    const weights = whole ? [1] : sliceWeights(slices, geometry, this.config.sliceWeightBasis);
    const sliceLabels: Labels[] = whole
      ? [{ ...gpu, gpu_instance_id: '', gpu_profile: 'whole' }]
      : slices.map((s) => ({ ...gpu, gpu_instance_id: s.gpuInstanceId, gpu_profile: s.profile }));
    const activities = whole ? [board.activity] : slices.map((s) => s.activity);
    this.sliceInfo(state, slices, sliceLabels, geometry);

    // Engines on each slice (whole GPU: engines that name no MIG instance).
    const onGpu = enginesByGpu.get(gpuKey(board.host, board.gpu)) ?? [];
    const enginesOn = sliceLabels.map((sl) => onGpu.filter((e) => (e.gpuInstanceId ?? '') === sl.gpu_instance_id));
    enginesOn.forEach((list, i) => {
      for (const e of list) tokenDeltas.get(e)!.state.labels = modelLabels(e, sliceLabels[i]!);
    });

    const delta = state.energy.read(board.energyJoules);
    const previousT = state.lastT;
    state.lastT = t;
    // Create every series at 0 so they exist from the first tick; the first reading is only a baseline.
    this.add('tokenwatt_gpu_energy_joules_total', gpu, 0);
    this.add('tokenwatt_unallocated_energy_joules_total', gpu, 0);
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'capacity', currency }, 0);
    this.add('tokenwatt_gpu_cost_total', { ...gpu, component: 'energy', currency }, 0);
    this.add('tokenwatt_gpu_co2e_grams_total', gpu, 0);
    this.add('tokenwatt_unallocated_cost_total', { ...gpu, currency }, 0);
    for (const sl of sliceLabels) {
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'idle' }, 0);
      this.add('tokenwatt_slice_energy_joules_total', { ...sl, state: 'active' }, 0);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'capacity', currency }, 0);
      this.add('tokenwatt_slice_cost_total', { ...sl, component: 'energy', currency }, 0);
      this.add('tokenwatt_idle_cost_total', { ...sl, currency }, 0);
    }
    if (delta === undefined || previousT === undefined) return;
    const dt = t - previousT;

    const split = splitBoardEnergy(
      delta,
      dt,
      idleWatts,
      weights.map((w, i) => ({ weight: w, activity: activities[i] ?? 0 })),
    );
    const unallocatedWeight = whole ? 0 : Math.max(0, 1 - weights.reduce((a, b) => a + b, 0));
    const price = gpuPricePerHour(this.config, board.model);

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
      const reported = activities[i];
      const busy = reported !== undefined && Number.isFinite(reported) ? Math.min(1, Math.max(0, reported)) : delta > 0 ? split.active / delta : 0;
      this.add('tokenwatt_idle_cost_total', { ...sl, currency }, capacity * (1 - busy) + energyCost(this.config, share.idle));

      // Engines with a baseline share the slice by generated tokens in this interval.
      const sharing = enginesOn[i]!.filter((e) => tokenDeltas.get(e)!.generation !== undefined);
      const tokens = sharing.map((e) => tokenDeltas.get(e)!.generation!);
      const energyShares = splitByTokens(energy, tokens);
      const costShares = splitByTokens(capacity + energyMoney, tokens);
      sharing.forEach((e, j) => {
        const labels = modelLabels(e, sl);
        this.add('tokenwatt_model_energy_joules_total', labels, energyShares[j]!);
        this.add('tokenwatt_model_cost_total', { ...labels, currency }, costShares[j]!);
        this.add('tokenwatt_model_co2e_grams_total', labels, co2eGrams(this.config, energyShares[j]!, gramsPerKwh));
      });
    });
  }

  /** Configured idle power for the GPU model, else the lowest power seen at zero activity, else 0. */
  private idlePower(state: BoardState, board: BoardReading, gpu: Labels): number {
    const configured = byGpuModel(this.config.idlePowerWatts, board.model);
    const idleNow = board.slices.length > 0 ? board.slices.every((s) => s.activity === 0) : board.activity === 0;
    if (idleNow && board.powerWatts !== undefined && Number.isFinite(board.powerWatts) && board.powerWatts >= 0) {
      state.learnedIdleWatts = Math.min(state.learnedIdleWatts ?? Infinity, board.powerWatts);
    }
    for (const origin of ['configured', 'learned']) this.gauges.delete(seriesKey('tokenwatt_gpu_idle_power_watts', { ...gpu, origin }));
    if (configured !== undefined) {
      this.setGauge('tokenwatt_gpu_idle_power_watts', { ...gpu, origin: 'configured' }, configured);
      return configured;
    }
    if (state.learnedIdleWatts !== undefined) {
      this.setGauge('tokenwatt_gpu_idle_power_watts', { ...gpu, origin: 'learned' }, state.learnedIdleWatts);
      return state.learnedIdleWatts;
    }
    return 0;
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
    for (const [k, w] of this.windows) if (w.touchedS < cutoffS) this.windows.delete(k);
    for (const [k, c] of this.counters) if (c.touchedS < cutoffS) this.counters.delete(k);
    for (const [k, g] of this.gauges) if (g.touchedS < cutoffS) this.gauges.delete(k);
  }

  /** Windowed tokens/J and cost per 1M tokens of the engines in this tick. */
  private updateWindows(t: number, present: EngineState[]): void {
    const w = this.config.windowSeconds;
    const windowLabel = `${w}s`;
    const currency = this.config.currency;
    for (const state of present) {
      const key = seriesKey('tokenwatt_model_energy_joules_total', state.labels);
      let win = this.windows.get(key);
      if (!win) {
        win = { touchedS: t, tokens: new CumulativeSeries(), energy: new CumulativeSeries(), cost: new CumulativeSeries() };
        this.windows.set(key, win);
      }
      win.touchedS = t;
      win.tokens.pushCumulative(t, this.value('tokenwatt_model_generation_tokens_total', state.labels));
      win.energy.pushCumulative(t, this.value('tokenwatt_model_energy_joules_total', state.labels));
      win.cost.pushCumulative(t, this.value('tokenwatt_model_cost_total', { ...state.labels, currency }));
      win.tokens.prune(t - w);
      win.energy.prune(t - w);
      win.cost.prune(t - w);
      const tokens = win.tokens.increase(t - w, t);
      const joules = win.energy.increase(t - w, t);
      const cost = win.cost.increase(t - w, t);
      const tpjKey = { ...state.labels, window: windowLabel };
      const cpmKey = { ...state.labels, currency, window: windowLabel };
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

function engineKey(e: EngineReading): string {
  return JSON.stringify([e.host, e.gpu, e.gpuInstanceId ?? '', e.namespace, e.pod, e.model_name, e.engine]);
}

function modelLabels(e: EngineReading, slice: Labels): Labels {
  return { model_name: e.model_name, engine: e.engine, namespace: e.namespace, pod: e.pod, ...slice };
}

/** Labels of an engine whose GPU has not been seen: its own placement, GPU identity unknown. */
function unplacedLabels(e: EngineReading): Labels {
  return modelLabels(e, { host: e.host, gpu: e.gpu, gpu_uuid: '', gpu_model: '', gpu_instance_id: e.gpuInstanceId ?? '', gpu_profile: e.gpuInstanceId ? '' : 'whole' });
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
