// The report's tables as columns (name, unit, value), shared by the terminal, Markdown, CSV and HTML
// outputs so that every format shows the same figures under the same names. docs/report.md lists
// these columns; test/report.test.ts checks that it does.
import { iso } from './model.ts';
import type { Change, GpuRow, ModelRow, Report, SliceRow } from './model.ts';

export interface Column<T> {
  /** CSV header / JSON-ish name. */
  key: string;
  /** Header in tables. */
  title: string;
  value(row: T): string | number | null;
  /** Digits for display (CSV keeps full precision). */
  digits?: number;
  /** Left-aligned text column. */
  text?: boolean;
}

export interface Table<T> {
  name: 'models' | 'gpus' | 'slices' | 'series' | 'changes';
  title: string;
  columns: Column<T>[];
  rows: T[];
}

export function modelTable(r: Report): Table<ModelRow> {
  const cur = r.currency;
  return {
    name: 'models', title: 'Per model', rows: r.models,
    columns: [
      { key: 'model', title: 'model', value: (m) => m.model, text: true },
      { key: 'namespace', title: 'namespace', value: (m) => m.namespace, text: true },
      { key: 'cluster', title: 'cluster', value: (m) => m.cluster, text: true },
      { key: 'generation_tokens', title: 'generated tokens', value: (m) => m.generationTokens, digits: 0 },
      { key: 'prompt_tokens', title: 'prompt tokens', value: (m) => m.promptTokens, digits: 0 },
      { key: 'energy_kwh', title: 'energy kWh', value: (m) => m.energyKwh, digits: 3 },
      { key: 'tokens_per_joule', title: 'tokens/J', value: (m) => m.tokensPerJoule, digits: 3 },
      { key: 'joules_per_token', title: 'J/token', value: (m) => m.joulesPerToken, digits: 3 },
      { key: 'cost', title: `cost ${cur}`, value: (m) => m.cost, digits: 2 },
      { key: 'capacity_cost', title: `capacity ${cur}`, value: (m) => m.capacityCost, digits: 2 },
      { key: 'energy_cost', title: `energy ${cur}`, value: (m) => m.energyCost, digits: 2 },
      { key: 'idle_cost', title: `idle ${cur}`, value: (m) => m.idleCost, digits: 2 },
      { key: 'idle_share', title: 'idle %', value: (m) => pct(m.idleShare), digits: 1 },
      { key: 'cost_per_million_tokens', title: `${cur}/1M tok`, value: (m) => m.costPerMillionTokens, digits: 3 },
      { key: 'co2e_grams', title: 'CO2e g', value: (m) => m.co2eGrams, digits: 0 },
      { key: 'co2e_grams_per_million_tokens', title: 'gCO2e/1M tok', value: (m) => m.co2eGramsPerMillionTokens, digits: 1 },
      { key: 'requests', title: 'requests', value: (m) => m.requests, digits: 0 },
      { key: 'latency_p50_seconds', title: 'p50 s', value: (m) => m.latencyP50Seconds, digits: 3 },
      { key: 'latency_p95_seconds', title: 'p95 s', value: (m) => m.latencyP95Seconds, digits: 3 },
      { key: 'appeared_at', title: 'from', value: (m) => (m.appearedAt === null ? '' : iso(m.appearedAt)), text: true },
      { key: 'placements', title: 'ran on', value: (m) => m.placements.join(' '), text: true },
    ],
  };
}

export function gpuTable(r: Report): Table<GpuRow> {
  const cur = r.currency;
  return {
    name: 'gpus', title: 'Per GPU', rows: r.gpus,
    columns: [
      { key: 'host', title: 'host', value: (g) => g.host, text: true },
      { key: 'gpu', title: 'gpu', value: (g) => g.gpu, text: true },
      { key: 'gpu_model', title: 'GPU model', value: (g) => g.gpuModel, text: true },
      { key: 'mig', title: 'MIG', value: (g) => (g.mig ? 'yes' : 'no'), text: true },
      { key: 'energy_kwh', title: 'energy kWh', value: (g) => g.energyKwh, digits: 3 },
      { key: 'cost', title: `cost ${cur}`, value: (g) => g.cost, digits: 2 },
      { key: 'capacity_cost', title: `capacity ${cur}`, value: (g) => g.capacityCost, digits: 2 },
      { key: 'energy_cost', title: `energy ${cur}`, value: (g) => g.energyCost, digits: 2 },
      { key: 'idle_cost', title: `idle ${cur}`, value: (g) => g.idleCost, digits: 2 },
      { key: 'unallocated_cost', title: `unalloc. ${cur}`, value: (g) => g.unallocatedCost, digits: 2 },
      { key: 'unallocated_kwh', title: 'unalloc. kWh', value: (g) => g.unallocatedJoules / 3.6e6, digits: 3 },
      { key: 'utilisation', title: 'util %', value: (g) => pct(g.utilisation), digits: 1 },
      { key: 'active_energy_share', title: 'active E %', value: (g) => pct(g.activeShare), digits: 1 },
      { key: 'co2e_grams', title: 'CO2e g', value: (g) => g.co2eGrams, digits: 0 },
      { key: 'models', title: 'models', value: (g) => g.models.join(' '), text: true },
      { key: 'gpu_uuid', title: 'UUID', value: (g) => g.gpuUuid, text: true },
      { key: 'cluster', title: 'cluster', value: (g) => g.cluster, text: true },
    ],
  };
}

export function sliceTable(r: Report): Table<SliceRow> {
  const cur = r.currency;
  return {
    name: 'slices', title: 'Per MIG slice (or whole GPU)', rows: r.slices,
    columns: [
      { key: 'host', title: 'host', value: (s) => s.host, text: true },
      { key: 'gpu', title: 'gpu', value: (s) => s.gpu, text: true },
      { key: 'gpu_instance_id', title: 'instance', value: (s) => s.instanceId, text: true },
      { key: 'profile', title: 'profile', value: (s) => s.profile, text: true },
      { key: 'energy_kwh', title: 'energy kWh', value: (s) => s.energyJoules / 3.6e6, digits: 3 },
      { key: 'active_kwh', title: 'active kWh', value: (s) => s.activeJoules / 3.6e6, digits: 3 },
      { key: 'idle_kwh', title: 'idle kWh', value: (s) => s.idleJoules / 3.6e6, digits: 3 },
      { key: 'active_energy_share', title: 'active E %', value: (s) => pct(s.activeShare), digits: 1 },
      { key: 'cost', title: `cost ${cur}`, value: (s) => s.cost, digits: 2 },
      { key: 'idle_cost', title: `idle ${cur}`, value: (s) => s.idleCost, digits: 2 },
      { key: 'models', title: 'models', value: (s) => s.models.join(' '), text: true },
      { key: 'gpu_model', title: 'GPU model', value: (s) => s.gpuModel, text: true },
      { key: 'cluster', title: 'cluster', value: (s) => s.cluster, text: true },
    ],
  };
}

/** One row per model and bucket: the over-time figures. */
export interface SeriesRow { start: number; model: string; cost: number | null; energyKwh: number | null; tokensPerJoule: number | null; generationTokens: number | null }

export function seriesTable(r: Report): Table<SeriesRow> {
  const rows: SeriesRow[] = [];
  for (const s of r.series) {
    r.period.buckets.forEach((start, i) => rows.push({ start, model: s.model, cost: s.cost[i]!, energyKwh: s.energyKwh[i]!, tokensPerJoule: s.tokensPerJoule[i]!, generationTokens: s.generationTokens[i]! }));
  }
  return {
    name: 'series', title: 'Over time', rows,
    columns: [
      { key: 'bucket_start', title: 'bucket start', value: (x) => iso(x.start), text: true },
      { key: 'model', title: 'model', value: (x) => x.model, text: true },
      { key: 'cost', title: `cost ${r.currency}`, value: (x) => x.cost, digits: 2 },
      { key: 'energy_kwh', title: 'energy kWh', value: (x) => x.energyKwh, digits: 3 },
      { key: 'generation_tokens', title: 'generated tokens', value: (x) => x.generationTokens, digits: 0 },
      { key: 'tokens_per_joule', title: 'tokens/J', value: (x) => x.tokensPerJoule, digits: 3 },
    ],
  };
}

export function changeTable(r: Report): Table<Change> {
  return {
    name: 'changes', title: 'Against the previous period', rows: r.changes,
    columns: [
      { key: 'model', title: 'model', value: (c) => c.model, text: true },
      { key: 'figure', title: 'figure', value: (c) => c.figure, text: true },
      { key: 'previous', title: 'previous', value: (c) => c.previous, digits: 3 },
      { key: 'current', title: 'this period', value: (c) => c.current, digits: 3 },
      { key: 'change_pct', title: 'change %', value: (c) => c.changePct, digits: 1 },
      { key: 'note', title: 'note', value: (c) => c.note, text: true },
    ],
  };
}

export const TABLES = { models: modelTable, gpus: gpuTable, slices: sliceTable, series: seriesTable, changes: changeTable } as const;
export type TableName = keyof typeof TABLES;

function pct(x: number | null): number | null {
  return x === null ? null : x * 100;
}

/** Display text of a cell: fixed digits with thousands separators; '-' for no data. */
export function cell<T>(c: Column<T>, row: T): string {
  const v = c.value(row);
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return '-';
  return fmtNumber(v, c.digits ?? 0);
}

/** Fixed digits with thousands separators; a non-zero value too small for them keeps 3 significant digits (never a bare 0.00). */
export function fmtNumber(v: number, digits: number): string {
  if (v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits) return v.toPrecision(3);
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** CSV (RFC 4180): full precision numbers, empty for no data. */
export function toCsv<T>(t: Table<T>): string {
  const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [t.columns.map((c) => c.key).join(',')];
  for (const row of t.rows) {
    lines.push(t.columns.map((c) => {
      const v = c.value(row);
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
      return esc(String(v));
    }).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
