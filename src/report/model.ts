// From query results to the report's figures: a pure function (no I/O), so that every number can
// be tested from bucket values alone. A figure with no data is null, never 0; a bucket with no data
// for a series that has data before and after it is a gap, listed in `gaps` and in the warnings.
import { histogramQuantile } from './histogram.ts';
import type { Bucketed, Collected, Coverage, Window } from './collect.ts';
import type { QueryLoad } from './source.ts';

export const JOULES_PER_KWH = 3.6e6;
export const METHODOLOGY = 'docs/methodology.md';

export interface ModelRow {
  cluster: string;
  namespace: string;
  model: string;
  generationTokens: number;
  promptTokens: number;
  energyJoules: number;
  energyKwh: number;
  tokensPerJoule: number | null;
  joulesPerToken: number | null;
  cost: number;
  capacityCost: number;
  energyCost: number;
  idleCost: number;
  /** idleCost / cost. */
  idleShare: number | null;
  costPerMillionTokens: number | null;
  co2eGrams: number;
  co2eGramsPerMillionTokens: number | null;
  requests: number | null;
  latencyP50Seconds: number | null;
  latencyP95Seconds: number | null;
  /** Unix seconds of the first/last bucket with data when the model was absent at the period's start/end; null otherwise. */
  appearedAt: number | null;
  disappearedAt: number | null;
  /** Where it ran: "host/gpu[/profile#id]". */
  placements: string[];
}

export interface SliceRow {
  cluster: string;
  host: string;
  gpu: string;
  gpuUuid: string;
  gpuModel: string;
  instanceId: string;
  profile: string;
  energyJoules: number;
  activeJoules: number;
  idleJoules: number;
  cost: number;
  idleCost: number;
  /** Active energy / all energy of the slice. */
  activeShare: number | null;
  models: string[];
}

export interface GpuRow {
  cluster: string;
  host: string;
  gpu: string;
  gpuUuid: string;
  gpuModel: string;
  mig: boolean;
  energyJoules: number;
  energyKwh: number;
  cost: number;
  capacityCost: number;
  energyCost: number;
  idleCost: number;
  unallocatedCost: number;
  unallocatedJoules: number;
  co2eGrams: number;
  /** Time-average of NVML utilization.gpu (absent under MIG, and where NVML does not run). */
  utilisation: number | null;
  /** Active energy / board energy (from the slice split; defined under MIG too). */
  activeShare: number | null;
  models: string[];
}

export interface ModelSeries {
  cluster: string;
  namespace: string;
  model: string;
  cost: (number | null)[];
  energyKwh: (number | null)[];
  tokensPerJoule: (number | null)[];
  generationTokens: (number | null)[];
}

export interface Change {
  model: string;
  figure: 'cost' | 'energyKwh' | 'generationTokens' | 'tokensPerJoule';
  previous: number | null;
  current: number | null;
  /** (current - previous) / previous × 100; null when previous is 0 or absent. */
  changePct: number | null;
  note: string;
}

export interface Gap {
  what: string;
  from: number;
  to: number;
}

export interface Totals {
  generationTokens: number;
  promptTokens: number;
  energyJoules: number;
  energyKwh: number;
  cost: number;
  capacityCost: number;
  energyCost: number;
  idleCost: number;
  unallocatedCost: number;
  co2eGrams: number;
  /** Whole fleet: generated tokens / board energy (idle and unallocated energy included). */
  tokensPerJoule: number | null;
  costPerMillionTokens: number | null;
}

export interface Report {
  title: string;
  source: string;
  cluster: string | null;
  period: { from: number; to: number; seconds: number; stepSeconds: number; buckets: number[] };
  previous: { from: number; to: number; available: boolean; totals: Pick<Totals, 'energyKwh' | 'cost' | 'generationTokens' | 'co2eGrams'> | null };
  currency: string;
  totals: Totals;
  models: ModelRow[];
  gpus: GpuRow[];
  slices: SliceRow[];
  series: ModelSeries[];
  fleetSeries: { cost: (number | null)[]; energyKwh: (number | null)[]; tokensPerJoule: (number | null)[] };
  changes: Change[];
  projection: {
    month: string;
    monthToDateCost: number | null;
    ratePerDay: number;
    rateBasisDays: number;
    projectedMonthCost: number | null;
    projectedMonthKwh: number | null;
    projectedMonthCo2eKg: number | null;
  };
  method: {
    energy: string;
    mig: string;
    /** Effective energy price per kWh of board energy, PUE included (energy cost / kWh). */
    pricePerKwh: number | null;
    /** Capacity price per GPU-hour, as charged over the period (capacity cost / GPU-hours). */
    capacityPerGpuHour: number | null;
    gridIntensity: { gramsPerKwh: number | null; source: string };
    /** Effective g/kWh of board energy (CO2e / kWh): grid intensity × PUE. */
    co2ePerKwh: number | null;
    methodology: string;
  };
  coverage: { scrapeIntervalSeconds: number | null; exporters: number; upRatio: number | null; restarts: number };
  gaps: Gap[];
  warnings: string[];
  load: Pick<QueryLoad, 'queries' | 'series' | 'points' | 'seconds'>;
  reads: Reads;
}

export interface ReportInput {
  source: string;
  cluster: string | null;
  clusterLabel: string;
  window: Window;
  /** Every figure in buckets (over time, gaps, arrivals). */
  current: Partial<Collected>;
  /** Every figure over the whole period, one value per series (the totals). */
  totals: Partial<Collected>;
  /** The previous period's totals. */
  previous: Partial<Collected> | null;
  previousWindow: Window | null;
  coverage: Coverage;
  monthToDate: { cost: number | null; month: string; monthStart: number; monthEnd: number };
  load: QueryLoad;
  /** What the period was read from (recorded windows, raw pieces). */
  reads: Reads;
}

/** Recorded windows against raw counters for the report's period, and the note saying which. */
export interface Reads {
  recordedWindowSeconds: number | null;
  recordedSeconds: number;
  rawSeconds: number;
  raw: { from: number; to: number }[];
  note: string;
}

const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
const ratio = (a: number, b: number): number | null => (b > 0 && Number.isFinite(a) ? a / b : null);

function total(b: Bucketed): number {
  return sum(b.values);
}

function sliceKey(l: Record<string, string>, c: string): string {
  return [l[c] ?? '', l.host ?? '', l.gpu ?? '', l.gpu_uuid ?? '', l.gpu_instance_id ?? ''].join('\u0000');
}
function gpuKey(l: Record<string, string>, c: string): string {
  return [l[c] ?? '', l.host ?? '', l.gpu ?? '', l.gpu_uuid ?? ''].join('\u0000');
}
function modelKey(l: Record<string, string>, c: string): string {
  return [l[c] ?? '', l.namespace ?? '', l.model_name ?? ''].join('\u0000');
}
function placementOf(l: Record<string, string>): string {
  const slice = l.gpu_instance_id ? `/${l.gpu_profile ?? '?'}#${l.gpu_instance_id}` : '';
  return `${l.host ?? '?'}/gpu${l.gpu ?? '?'}${slice}`;
}

/** Sum several bucketed series element-wise (null only where all are null). */
function addInto(acc: (number | null)[], xs: (number | null)[]): void {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null || x === undefined) continue;
    acc[i] = (acc[i] ?? 0) + x;
  }
}

/** Group bucketed series by a key, summing values element-wise. */
function group(rows: Bucketed[] | undefined, key: (l: Record<string, string>) => string, n: number): Map<string, { labels: Record<string, string>; values: (number | null)[] }> {
  const m = new Map<string, { labels: Record<string, string>; values: (number | null)[] }>();
  for (const r of rows ?? []) {
    const k = key(r.labels);
    let g = m.get(k);
    if (!g) m.set(k, (g = { labels: r.labels, values: new Array(n).fill(null) }));
    addInto(g.values, r.values);
  }
  return m;
}

/** Buckets with no value between the first and last with one: a series went missing mid-period. */
function innerGaps(values: (number | null)[]): [number, number][] {
  const first = values.findIndex((v) => v !== null);
  if (first < 0) return [];
  let last = values.length - 1;
  while (values[last] === null) last--;
  const gaps: [number, number][] = [];
  for (let i = first; i <= last; i++) {
    if (values[i] !== null) continue;
    let j = i;
    while (values[j + 1] === null && j + 1 <= last) j++;
    gaps.push([i, j]);
    i = j;
  }
  return gaps;
}

export function buildReport(input: ReportInput): Report {
  const { window: w, current: q, totals: T, clusterLabel: c } = input;
  const n = w.n;
  const bucketStart = (i: number) => w.from + i * w.stepSeconds;
  const warnings: string[] = [];
  const gaps: Gap[] = [];

  // Currency: one per report; mixed currencies would make every sum wrong.
  const currencies = new Set<string>();
  for (const name of ['modelCost', 'sliceCost', 'gpuCost', 'idleCost', 'unallocatedCost'] as const) for (const r of T[name] ?? []) if (r.labels.currency) currencies.add(r.labels.currency);
  if (currencies.size > 1) throw new ReportDataError(`the series carry several currencies (${[...currencies].sort().join(', ')}): costs cannot be added across them; run one report per --cluster`);
  const currency = [...currencies][0] ?? 'USD';

  // ---- Slices and GPUs ----
  const sliceRows = new Map<string, SliceRow>();
  const slice = (l: Record<string, string>): SliceRow => {
    const k = sliceKey(l, c);
    let s = sliceRows.get(k);
    if (!s) {
      s = { cluster: l[c] ?? '', host: l.host ?? '', gpu: l.gpu ?? '', gpuUuid: l.gpu_uuid ?? '', gpuModel: l.gpu_model ?? '', instanceId: l.gpu_instance_id ?? '', profile: l.gpu_profile ?? 'whole',
        energyJoules: 0, activeJoules: 0, idleJoules: 0, cost: 0, idleCost: 0, activeShare: null, models: [] };
      sliceRows.set(k, s);
    }
    return s;
  };
  const sliceEnergyCost = new Map<string, number>();
  for (const r of T.sliceEnergy ?? []) {
    const s = slice(r.labels);
    const j = total(r);
    s.energyJoules += j;
    if (r.labels.state === 'active') s.activeJoules += j;
    else if (r.labels.state === 'idle') s.idleJoules += j;
  }
  for (const r of T.sliceCost ?? []) {
    const s = slice(r.labels);
    s.cost += total(r);
    if (r.labels.component === 'energy') sliceEnergyCost.set(sliceKey(r.labels, c), (sliceEnergyCost.get(sliceKey(r.labels, c)) ?? 0) + total(r));
  }
  for (const r of T.idleCost ?? []) slice(r.labels).idleCost += total(r);
  for (const s of sliceRows.values()) s.activeShare = ratio(s.activeJoules, s.energyJoules);

  const gpuRows = new Map<string, GpuRow>();
  const gpu = (l: Record<string, string>): GpuRow => {
    const k = gpuKey(l, c);
    let g = gpuRows.get(k);
    if (!g) {
      g = { cluster: l[c] ?? '', host: l.host ?? '', gpu: l.gpu ?? '', gpuUuid: l.gpu_uuid ?? '', gpuModel: l.gpu_model ?? '', mig: false, energyJoules: 0, energyKwh: 0, cost: 0, capacityCost: 0, energyCost: 0,
        idleCost: 0, unallocatedCost: 0, unallocatedJoules: 0, co2eGrams: 0, utilisation: null, activeShare: null, models: [] };
      gpuRows.set(k, g);
    }
    return g;
  };
  for (const r of T.gpuEnergy ?? []) gpu(r.labels).energyJoules += total(r);
  for (const r of T.gpuCost ?? []) {
    const g = gpu(r.labels);
    const x = total(r);
    g.cost += x;
    if (r.labels.component === 'capacity') g.capacityCost += x;
    else if (r.labels.component === 'energy') g.energyCost += x;
  }
  for (const r of T.gpuCo2e ?? []) gpu(r.labels).co2eGrams += total(r);
  for (const r of T.unallocatedCost ?? []) gpu(r.labels).unallocatedCost += total(r);
  for (const r of T.unallocatedEnergy ?? []) gpu(r.labels).unallocatedJoules += total(r);
  for (const r of T.gpuUtilisation ?? []) {
    const vs = r.values.filter((v): v is number => v !== null);
    if (vs.length > 0) gpu(r.labels).utilisation = vs.reduce((a, b) => a + b, 0) / vs.length;
  }
  const activeBoard = new Map<string, number>();
  for (const s of sliceRows.values()) {
    const g = gpu({ [c]: s.cluster, host: s.host, gpu: s.gpu, gpu_uuid: s.gpuUuid, gpu_model: s.gpuModel });
    g.idleCost += s.idleCost;
    if (s.instanceId !== '') g.mig = true;
    const k = gpuKey({ [c]: s.cluster, host: s.host, gpu: s.gpu, gpu_uuid: s.gpuUuid }, c);
    activeBoard.set(k, (activeBoard.get(k) ?? 0) + s.activeJoules);
  }
  for (const [k, g] of gpuRows) {
    g.energyKwh = g.energyJoules / JOULES_PER_KWH;
    g.activeShare = ratio(activeBoard.get(k) ?? 0, g.energyJoules);
  }

  // ---- Models ----
  const modelRows = new Map<string, ModelRow>();
  const model = (l: Record<string, string>): ModelRow => {
    const k = modelKey(l, c);
    let m = modelRows.get(k);
    if (!m) {
      m = { cluster: l[c] ?? '', namespace: l.namespace ?? '', model: l.model_name ?? '', generationTokens: 0, promptTokens: 0, energyJoules: 0, energyKwh: 0, tokensPerJoule: null, joulesPerToken: null,
        cost: 0, capacityCost: 0, energyCost: 0, idleCost: 0, idleShare: null, costPerMillionTokens: null, co2eGrams: 0, co2eGramsPerMillionTokens: null, requests: null,
        latencyP50Seconds: null, latencyP95Seconds: null, appearedAt: null, disappearedAt: null, placements: [] };
      modelRows.set(k, m);
    }
    return m;
  };
  const note = (m: ModelRow, l: Record<string, string>) => {
    const p = placementOf(l);
    if (!m.placements.includes(p)) m.placements.push(p);
    const s = sliceRows.get(sliceKey(l, c));
    if (s && !s.models.includes(m.model)) s.models.push(m.model);
    const g = gpuRows.get(gpuKey(l, c));
    if (g && !g.models.includes(m.model)) g.models.push(m.model);
  };
  for (const r of T.generationTokens ?? []) { const m = model(r.labels); m.generationTokens += total(r); note(m, r.labels); }
  for (const r of T.promptTokens ?? []) model(r.labels).promptTokens += total(r);
  for (const r of T.modelCo2e ?? []) model(r.labels).co2eGrams += total(r);
  // Energy cost of a model: its joules at its slice's energy price (slice energy cost / slice joules).
  for (const r of T.modelEnergy ?? []) {
    const m = model(r.labels);
    const j = total(r);
    m.energyJoules += j;
    note(m, r.labels);
    const sk = sliceKey(r.labels, c);
    const s = sliceRows.get(sk);
    const price = s && s.energyJoules > 0 ? (sliceEnergyCost.get(sk) ?? 0) / s.energyJoules : 0;
    m.energyCost += j * price;
  }
  // Idle cost of a slice goes to the models on it in proportion to their cost there.
  const costOnSlice = new Map<string, number>();
  for (const r of T.modelCost ?? []) costOnSlice.set(sliceKey(r.labels, c), (costOnSlice.get(sliceKey(r.labels, c)) ?? 0) + total(r));
  for (const r of T.modelCost ?? []) {
    const m = model(r.labels);
    const x = total(r);
    m.cost += x;
    note(m, r.labels);
    const sk = sliceKey(r.labels, c);
    const s = sliceRows.get(sk);
    const all = costOnSlice.get(sk) ?? 0;
    if (s && all > 0) m.idleCost += (s.idleCost * x) / all;
  }
  // Serving: requests and latency quantiles over the whole period.
  const requests = new Map<string, number>();
  for (const r of [...(T.vllmRequests ?? []), ...(T.sglangRequests ?? [])]) requests.set(modelKey(r.labels, c), (requests.get(modelKey(r.labels, c)) ?? 0) + total(r));
  const hist = new Map<string, Map<number, number>>();
  for (const r of [...(T.vllmLatency ?? []), ...(T.sglangLatency ?? [])]) {
    const k = modelKey(r.labels, c);
    const le = r.labels.le === '+Inf' ? Infinity : Number(r.labels.le);
    if (!Number.isFinite(le) && le !== Infinity) continue;
    let h = hist.get(k);
    if (!h) hist.set(k, (h = new Map()));
    h.set(le, (h.get(le) ?? 0) + total(r));
  }
  // Engines' series carry a namespace only where pods are discovered; tokenwatt's may carry one from
  // its pod mapping. A serving key without namespace joins the one model row of that cluster and name.
  const rowsByName = new Map<string, string[]>();
  for (const [k, m] of modelRows) rowsByName.set(`${m.cluster}\u0000${m.model}`, [...(rowsByName.get(`${m.cluster}\u0000${m.model}`) ?? []), k]);
  const servingKey = (k: string): string | undefined => {
    if (modelRows.has(k)) return k;
    const [cl, ns, name] = k.split('\u0000');
    const rows = rowsByName.get(`${cl}\u0000${name}`) ?? [];
    if (ns === '' && rows.length === 1) return rows[0];
    if (rows.length > 0) warnings.push(`requests of ${name} (namespace '${ns}') could not be matched to one of its ${rows.length} tokenwatt rows: left out`);
    return undefined;
  };
  const requestsOf = new Map<string, number>();
  for (const [k, v] of requests) { const to = servingKey(k); if (to !== undefined) requestsOf.set(to, (requestsOf.get(to) ?? 0) + v); }
  const histOf = new Map<string, Map<number, number>>();
  for (const [k, h] of hist) {
    const to = servingKey(k);
    if (to === undefined) continue;
    const into = histOf.get(to) ?? new Map<number, number>();
    for (const [le, x] of h) into.set(le, (into.get(le) ?? 0) + x);
    histOf.set(to, into);
  }
  for (const [k, m] of modelRows) {
    m.energyKwh = m.energyJoules / JOULES_PER_KWH;
    m.capacityCost = m.cost - m.energyCost;
    m.tokensPerJoule = ratio(m.generationTokens, m.energyJoules);
    m.joulesPerToken = ratio(m.energyJoules, m.generationTokens);
    m.idleShare = ratio(m.idleCost, m.cost);
    m.costPerMillionTokens = m.generationTokens > 0 ? (m.cost / m.generationTokens) * 1e6 : null;
    m.co2eGramsPerMillionTokens = m.generationTokens > 0 ? (m.co2eGrams / m.generationTokens) * 1e6 : null;
    m.requests = requestsOf.get(k) ?? null;
    const h = histOf.get(k);
    if (h) {
      const buckets = [...h].map(([le, count]) => ({ le, count }));
      m.latencyP50Seconds = histogramQuantile(0.5, buckets);
      m.latencyP95Seconds = histogramQuantile(0.95, buckets);
    }
    m.placements.sort();
  }

  // ---- Over time ----
  const byModel = (name: 'modelCost' | 'modelEnergy' | 'generationTokens') => group(q[name], (l) => modelKey(l, c), n);
  const costT = byModel('modelCost');
  const energyT = byModel('modelEnergy');
  const tokensT = byModel('generationTokens');
  const series: ModelSeries[] = [];
  for (const [k, m] of modelRows) {
    const e = energyT.get(k)?.values ?? new Array(n).fill(null);
    const t = tokensT.get(k)?.values ?? new Array(n).fill(null);
    const cost = costT.get(k)?.values ?? new Array(n).fill(null);
    series.push({
      cluster: m.cluster, namespace: m.namespace, model: m.model, cost,
      energyKwh: e.map((x) => (x === null ? null : x / JOULES_PER_KWH)),
      tokensPerJoule: e.map((x, i) => (x === null || t[i] === null || !(x > 0) ? null : t[i]! / x)),
      generationTokens: t,
    });
    // Mid-period arrivals and departures, and holes.
    const present = e.map((x, i) => x !== null || t[i] !== null);
    const first = present.indexOf(true);
    const last = present.lastIndexOf(true);
    if (first > 0) {
      m.appearedAt = bucketStart(first);
      warnings.push(`${m.model} first appears at ${iso(bucketStart(first))} (no data before): its totals cover ${n - first} of ${n} buckets`);
    }
    if (last >= 0 && last < n - 1) {
      m.disappearedAt = bucketStart(last + 1);
      warnings.push(`${m.model} has no data after ${iso(bucketStart(last + 1))}`);
    }
    for (const [a, b] of innerGaps(present.map((p) => (p ? 1 : null)))) {
      gaps.push({ what: `model ${m.model}`, from: bucketStart(a), to: bucketStart(b + 1) });
    }
  }
  series.sort((a, b) => a.model.localeCompare(b.model) || a.cluster.localeCompare(b.cluster) || a.namespace.localeCompare(b.namespace));

  const fleetEnergy: (number | null)[] = new Array(n).fill(null);
  const fleetCost: (number | null)[] = new Array(n).fill(null);
  const fleetTokens: (number | null)[] = new Array(n).fill(null);
  for (const r of q.gpuEnergy ?? []) addInto(fleetEnergy, r.values);
  for (const r of q.gpuCost ?? []) addInto(fleetCost, r.values);
  for (const r of q.generationTokens ?? []) addInto(fleetTokens, r.values);
  for (const [a, b] of innerGaps(fleetEnergy)) gaps.push({ what: 'all GPU energy series (no tokenwatt data)', from: bucketStart(a), to: bucketStart(b + 1) });
  for (const r of q.gpuEnergy ?? []) {
    for (const [a, b] of innerGaps(r.values)) gaps.push({ what: `GPU ${r.labels.host}/gpu${r.labels.gpu}`, from: bucketStart(a), to: bucketStart(b + 1) });
  }

  // ---- Totals ----
  const gpus = [...gpuRows.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.host.localeCompare(b.host) || Number(a.gpu) - Number(b.gpu));
  const models = [...modelRows.values()].sort((a, b) => b.cost - a.cost || a.model.localeCompare(b.model));
  const slices = [...sliceRows.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.host.localeCompare(b.host) || Number(a.gpu) - Number(b.gpu) || a.instanceId.localeCompare(b.instanceId));
  for (const s of slices) s.models.sort();
  for (const g of gpus) g.models.sort();
  const totals: Totals = {
    generationTokens: models.reduce((a, m) => a + m.generationTokens, 0),
    promptTokens: models.reduce((a, m) => a + m.promptTokens, 0),
    energyJoules: gpus.reduce((a, g) => a + g.energyJoules, 0),
    energyKwh: gpus.reduce((a, g) => a + g.energyJoules, 0) / JOULES_PER_KWH,
    cost: gpus.reduce((a, g) => a + g.cost, 0),
    capacityCost: gpus.reduce((a, g) => a + g.capacityCost, 0),
    energyCost: gpus.reduce((a, g) => a + g.energyCost, 0),
    idleCost: gpus.reduce((a, g) => a + g.idleCost, 0),
    unallocatedCost: gpus.reduce((a, g) => a + g.unallocatedCost, 0),
    co2eGrams: gpus.reduce((a, g) => a + g.co2eGrams, 0),
    tokensPerJoule: null,
    costPerMillionTokens: null,
  };
  totals.tokensPerJoule = ratio(totals.generationTokens, totals.energyJoules);
  totals.costPerMillionTokens = totals.generationTokens > 0 ? (totals.cost / totals.generationTokens) * 1e6 : null;

  // ---- Previous period ----
  const changes: Change[] = [];
  let previousTotals: Report['previous']['totals'] = null;
  if (input.previous) {
    const p = input.previous;
    const pm = new Map<string, { cost: number; energy: number; tokens: number }>();
    const add = (rows: Bucketed[] | undefined, f: 'cost' | 'energy' | 'tokens') => {
      for (const r of rows ?? []) {
        const k = modelKey(r.labels, c);
        const e = pm.get(k) ?? { cost: 0, energy: 0, tokens: 0 };
        e[f] += total(r);
        pm.set(k, e);
      }
    };
    add(p.modelCost, 'cost');
    add(p.modelEnergy, 'energy');
    add(p.generationTokens, 'tokens');
    const anyPrev = (p.gpuEnergy ?? []).some((r) => r.values.some((v) => v !== null));
    if (anyPrev) {
      previousTotals = {
        energyKwh: sum((p.gpuEnergy ?? []).map(total)) / JOULES_PER_KWH,
        cost: sum((p.gpuCost ?? []).map(total)),
        generationTokens: sum((p.generationTokens ?? []).map(total)),
        co2eGrams: 0,
      };
    }
    const pct = (a: number | null, b: number | null) => (a === null || b === null || !(b !== 0) ? null : ((a - b) / Math.abs(b)) * 100);
    for (const [k, m] of modelRows) {
      const before = pm.get(k);
      if (!before) {
        if (anyPrev) changes.push({ model: m.model, figure: 'cost', previous: null, current: m.cost, changePct: null, note: 'new in this period' });
        continue;
      }
      const prevTpj = ratio(before.tokens, before.energy);
      changes.push(
        { model: m.model, figure: 'cost', previous: before.cost, current: m.cost, changePct: pct(m.cost, before.cost), note: '' },
        { model: m.model, figure: 'energyKwh', previous: before.energy / JOULES_PER_KWH, current: m.energyKwh, changePct: pct(m.energyJoules, before.energy), note: '' },
        { model: m.model, figure: 'generationTokens', previous: before.tokens, current: m.generationTokens, changePct: pct(m.generationTokens, before.tokens), note: '' },
        { model: m.model, figure: 'tokensPerJoule', previous: prevTpj, current: m.tokensPerJoule, changePct: pct(m.tokensPerJoule, prevTpj), note: '' },
      );
    }
    for (const [k, before] of pm) {
      if (!modelRows.has(k) && before.cost > 0) changes.push({ model: k.split('\u0000')[2]!, figure: 'cost', previous: before.cost, current: null, changePct: null, note: 'gone in this period' });
    }
    changes.sort((a, b) => Math.abs(b.changePct ?? (b.note ? 1e9 : 0)) - Math.abs(a.changePct ?? (a.note ? 1e9 : 0)) || a.model.localeCompare(b.model) || a.figure.localeCompare(b.figure));
    if (!anyPrev) warnings.push(`no tokenwatt data in the previous period (${iso(input.previousWindow!.from)} to ${iso(input.previousWindow!.to)}): nothing to compare with`);
  }

  // ---- Projection: month to date + the recent daily rate to month end ----
  const basisBuckets = Math.max(1, Math.min(n, Math.round((7 * 86_400) / w.stepSeconds)));
  const recentCost = sum(fleetCost.slice(n - basisBuckets));
  const recentEnergy = sum(fleetEnergy.slice(n - basisBuckets));
  const basisSeconds = basisBuckets * w.stepSeconds;
  const ratePerDay = (recentCost / basisSeconds) * 86_400;
  const remaining = Math.max(0, input.monthToDate.monthEnd - w.to);
  const monthSeconds = input.monthToDate.monthEnd - input.monthToDate.monthStart;
  const kwhPerSecond = recentEnergy / JOULES_PER_KWH / basisSeconds;
  const co2PerKwh = ratio(totals.co2eGrams, totals.energyKwh);

  // ---- Method ----
  const grid = T.gridIntensity ?? [];
  const gridValues = grid.flatMap((r) => r.values.filter((v): v is number => v !== null));
  const gpuHours = (gpus.length * n * w.stepSeconds) / 3600;

  // ---- Coverage ----
  const cov = input.coverage;
  const samples = cov.instances.reduce((a, i) => a + i.samples, 0);
  const upSamples = cov.instances.reduce((a, i) => a + i.upSamples, 0);
  const restarts = sum((q.restarts ?? []).map(total));
  if (cov.instances.length > 0 && cov.scrapeIntervalSeconds !== null) {
    for (const i of cov.instances) {
      const expected = (w.to - w.from) / cov.scrapeIntervalSeconds;
      const down = i.samples - i.upSamples;
      if (down > 0) warnings.push(`exporter ${i.labels.instance}: ${down} of ${i.samples} scrapes failed (up=0, about ${fmtDuration(down * cov.scrapeIntervalSeconds)}): energy, tokens and cost while it was not answering are counted only if its counters kept running`);
      if (i.samples < expected * 0.9 && down === 0) warnings.push(`exporter ${i.labels.instance} was scraped ${i.samples} times, about ${Math.round((i.samples / expected) * 100)} % of the period at one scrape per ${fmtDuration(cov.scrapeIntervalSeconds)}: time without scrapes is in no total`);
    }
  }
  for (const r of q.upCount ?? []) {
    const first = r.values.findIndex((v) => v !== null && v > 0);
    let last = r.values.length - 1;
    while (last >= 0 && !(r.values[last]! > 0)) last--;
    if (first > 0) warnings.push(`exporter ${r.labels.instance} first scraped in the bucket from ${iso(bucketStart(first))}: nothing before is counted`);
    if (last >= 0 && last < n - 1) warnings.push(`exporter ${r.labels.instance} last scraped in the bucket from ${iso(bucketStart(last))}: nothing after is counted`);
    for (const [a, b] of innerGaps(r.values.map((v) => (v !== null && v > 0 ? v : null)))) gaps.push({ what: `exporter ${r.labels.instance} (not scraped)`, from: bucketStart(a), to: bucketStart(b + 1) });
  }
  if (restarts > 0) warnings.push(`the exporter restarted ${restarts} time(s) in the period (its counters went back to 0): energy used while it was down is in no total`);
  for (const g of gaps) warnings.push(`gap: ${g.what} has no data from ${iso(g.from)} to ${iso(g.to)}; totals leave that time out`);
  const sliceSum = sum(slices.map((s) => s.energyJoules)) + sum(gpus.map((g) => g.unallocatedJoules));
  if (totals.energyJoules > 0 && Math.abs(sliceSum - totals.energyJoules) / totals.energyJoules > 0.005) {
    warnings.push(`slices + unallocated energy (${(sliceSum / JOULES_PER_KWH).toFixed(3)} kWh) differ from board energy (${totals.energyKwh.toFixed(3)} kWh) by more than 0.5 %: the series were scraped unevenly (see gaps)`);
  }

  return {
    title: `tokenwatt report ${iso(w.from)} to ${iso(w.to)}`,
    source: input.source,
    cluster: input.cluster,
    period: { from: w.from, to: w.to, seconds: w.to - w.from, stepSeconds: w.stepSeconds, buckets: Array.from({ length: n }, (_, i) => bucketStart(i)) },
    previous: { from: input.previousWindow?.from ?? w.from - (w.to - w.from), to: w.from, available: previousTotals !== null, totals: previousTotals },
    currency,
    totals,
    models,
    gpus,
    slices,
    series,
    fleetSeries: { cost: fleetCost, energyKwh: fleetEnergy.map((x) => (x === null ? null : x / JOULES_PER_KWH)), tokensPerJoule: fleetEnergy.map((x, i) => (x === null || !(x > 0) || fleetTokens[i] === null ? null : fleetTokens[i]! / x)) },
    changes,
    projection: {
      month: input.monthToDate.month,
      monthToDateCost: input.monthToDate.cost,
      ratePerDay,
      rateBasisDays: basisSeconds / 86_400,
      projectedMonthCost: input.monthToDate.cost === null ? null : input.monthToDate.cost + (ratePerDay * remaining) / 86_400,
      projectedMonthKwh: kwhPerSecond * monthSeconds,
      projectedMonthCo2eKg: co2PerKwh === null ? null : (kwhPerSecond * monthSeconds * co2PerKwh) / 1000,
    },
    method: {
      energy: 'Energy is the increase of each GPU\'s cumulative energy counter (NVML or dcgm-exporter, reset-corrected by the exporter) over each bucket, summed; never power x time.',
      mig: 'MIG slices have no energy meter: the exporter splits each interval\'s board energy into idle (idle W x time, by slice size) and active (by GR-engine activity x size); capacity no slice holds is "unallocated". Several engines on one GPU share it by generated tokens.',
      pricePerKwh: ratio(totals.energyCost, totals.energyKwh),
      capacityPerGpuHour: gpuHours > 0 ? totals.capacityCost / gpuHours : null,
      gridIntensity: { gramsPerKwh: gridValues.length > 0 ? gridValues.reduce((a, b) => a + b, 0) / gridValues.length : null, source: [...new Set(grid.map((r) => r.labels.source ?? '?'))].sort().join(', ') || 'unknown' },
      co2ePerKwh: co2PerKwh,
      methodology: METHODOLOGY,
    },
    coverage: { scrapeIntervalSeconds: cov.scrapeIntervalSeconds, exporters: cov.instances.length, upRatio: samples > 0 ? upSamples / samples : null, restarts },
    gaps,
    warnings,
    load: { queries: input.load.queries, series: input.load.series, points: input.load.points, seconds: input.load.seconds },
    reads: input.reads,
  };
}

/** The data cannot give a correct report (mixed currencies...): a runtime failure, exit 1. */
export class ReportDataError extends Error {}

export function iso(unixS: number): string {
  return new Date(Math.round(unixS * 1000)).toISOString().replace('.000Z', 'Z');
}

export function fmtDuration(s: number): string {
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400}d`;
  if (s >= 3600) return `${+(s / 3600).toFixed(1)}h`;
  if (s >= 60) return `${+(s / 60).toFixed(1)}m`;
  return `${+s.toFixed(1)}s`;
}
