// Terminal table, Markdown, CSV and JSON outputs of a report. The HTML page is in html.ts.
import { fmtDuration, iso } from './model.ts';
import type { Report } from './model.ts';
import { cell, fmtNumber, changeTable, gpuTable, modelTable, sliceTable, TABLES, toCsv } from './tables.ts';
import type { Column, Table, TableName } from './tables.ts';

const money = (r: Report, x: number | null, digits = 2) => (x === null ? '-' : `${fmtNumber(x, digits)} ${r.currency}`);
const num = (x: number | null, digits: number) => (x === null ? '-' : fmtNumber(x, digits));

/** The method footnotes every output carries: what each figure is made of, and where to read more. */
export function footnotes(r: Report): { id: string; text: string }[] {
  const m = r.method;
  return [
    { id: 'energy', text: `Energy: ${m.energy} Totals are increase() of tokenwatt's counters over the whole period; the over-time figures, increase() over each ${fmtDuration(r.period.stepSeconds)} bucket.` },
    { id: 'mig', text: `Attribution: ${m.mig}` },
    { id: 'cost', text: `Cost = capacity (GPU price per hour x slice weight x time; ${m.capacityPerGpuHour === null ? 'no capacity price' : `${money(r, m.capacityPerGpuHour)} per GPU-hour on average`}) + energy (kWh x PUE x price: ${m.pricePerKwh === null ? 'no energy priced' : `${money(r, m.pricePerKwh, 4)} per board kWh, PUE included`}). Idle cost: allocated slices while they do no work; unallocated: MIG capacity no slice holds. A model's idle share is its slice's idle cost split by the models' cost on that slice.` },
    { id: 'co2', text: `CO2e = kWh x PUE x grid intensity (${m.gridIntensity.gramsPerKwh === null ? 'not exported' : `${num(m.gridIntensity.gramsPerKwh, 0)} g/kWh on average, source: ${m.gridIntensity.source}`}; ${m.co2ePerKwh === null ? '-' : `${num(m.co2ePerKwh, 0)} g per board kWh`}).` },
    { id: 'latency', text: 'Requests and latency: the engines\' end-to-end request latency histograms (vLLM, SGLang), each bucket\'s increase summed over the period, then the quantile interpolated inside its bucket as histogram_quantile() does.' },
    { id: 'projection', text: `Month-end projection: ${r.projection.month} month-to-date fleet cost plus the fleet's cost per day over the last ${num(r.projection.rateBasisDays, r.projection.rateBasisDays < 1 ? 3 : 1)} day(s) of the period, for the rest of the month (UTC).` },
    { id: 'previous', text: `Comparison: the same figures over ${iso(r.previous.from)} to ${iso(r.previous.to)}, the period of the same length just before.` },
    { id: 'reads', text: r.reads.note },
    { id: 'more', text: `How each figure is computed: ${m.methodology} (the energy model) and docs/report.md (this report).` },
  ];
}

function summaryLines(r: Report): [string, string][] {
  const t = r.totals;
  return [
    ['period', `${iso(r.period.from)} to ${iso(r.period.to)} (${fmtDuration(r.period.seconds)}, ${r.period.buckets.length} buckets of ${fmtDuration(r.period.stepSeconds)})`],
    ['source', `${r.source}${r.cluster !== null ? ` (cluster ${r.cluster})` : ''}`],
    ['GPU energy', `${num(t.energyKwh, 3)} kWh`],
    ['cost', `${money(r, t.cost)} (capacity ${money(r, t.capacityCost)}, energy ${money(r, t.energyCost)}; idle ${money(r, t.idleCost)}, unallocated ${money(r, t.unallocatedCost)})`],
    ['generated tokens', `${num(t.generationTokens, 0)} (prompt ${num(t.promptTokens, 0)})`],
    ['fleet tokens/J', `${num(t.tokensPerJoule, 4)} (all board energy, idle included)`],
    [`${r.currency} per 1M tokens`, num(t.costPerMillionTokens, 3)],
    ['CO2e', `${num(t.co2eGrams / 1000, 3)} kg`],
    ['previous period', r.previous.totals ? `${money(r, r.previous.totals.cost)}, ${num(r.previous.totals.energyKwh, 3)} kWh, ${num(r.previous.totals.generationTokens, 0)} tokens` : 'no data'],
    [`${r.projection.month} projection`, r.projection.projectedMonthCost === null ? '-' : `${money(r, r.projection.projectedMonthCost)} (month to date ${money(r, r.projection.monthToDateCost)}, ${money(r, r.projection.ratePerDay)}/day); ${num(r.projection.projectedMonthKwh, 1)} kWh, ${num(r.projection.projectedMonthCo2eKg, 1)} kg CO2e`],
    ['data', `${r.coverage.exporters} exporter(s), scrape every ${r.coverage.scrapeIntervalSeconds === null ? '?' : fmtDuration(r.coverage.scrapeIntervalSeconds)}, up ${r.coverage.upRatio === null ? '-' : `${num(r.coverage.upRatio * 100, 2)} %`}, ${r.coverage.restarts} restart(s), ${r.gaps.length} gap(s)`],
    ['read from', r.reads.recordedWindowSeconds === null ? 'raw counters' : `recorded ${fmtDuration(r.reads.recordedWindowSeconds)} increases for ${fmtDuration(r.reads.recordedSeconds)}, raw counters for ${fmtDuration(r.reads.rawSeconds)}`],
    ['query load', `${r.load.queries} queries, ${num(r.load.series, 0)} series, ${num(r.load.points, 0)} points, ${num(r.load.seconds, 2)} s in the server`],
  ];
}

function textTable<T>(t: Table<T>, columns?: string[]): string {
  const cols = columns ? t.columns.filter((c) => columns.includes(c.key)) : t.columns;
  const cells = t.rows.map((row) => cols.map((c) => cell(c, row)));
  const widths = cols.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => (cols[i]!.text ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(cols.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The terminal table (default output). */
export function toText(r: Report): string {
  const width = Math.max(...summaryLines(r).map(([k]) => k.length));
  const out = [r.title, '', ...summaryLines(r).map(([k, v]) => `${k.padEnd(width)}  ${v}`), ''];
  out.push('Per model', textTable(modelTable(r), ['model', 'generation_tokens', 'energy_kwh', 'tokens_per_joule', 'joules_per_token', 'cost', 'idle_share', 'cost_per_million_tokens', 'co2e_grams_per_million_tokens', 'requests', 'latency_p50_seconds', 'latency_p95_seconds', 'appeared_at']), '');
  out.push('Per GPU', textTable(gpuTable(r), ['host', 'gpu', 'gpu_model', 'mig', 'energy_kwh', 'cost', 'idle_cost', 'unallocated_cost', 'utilisation', 'active_energy_share', 'models']), '');
  if (r.slices.some((s) => s.instanceId !== '')) out.push('Per MIG slice', textTable({ ...sliceTable(r), rows: r.slices.filter((s) => s.instanceId !== '') }, ['host', 'gpu', 'gpu_instance_id', 'profile', 'energy_kwh', 'active_energy_share', 'cost', 'idle_cost', 'models']), '');
  const ch = changeTable(r);
  if (ch.rows.length > 0) out.push('Biggest changes against the previous period', textTable({ ...ch, rows: ch.rows.slice(0, 10) }), '');
  if (r.warnings.length > 0) out.push('Warnings', ...r.warnings.map((w) => `  ! ${w}`), '');
  out.push('Method', ...footnotes(r).map((f, i) => `  [${i + 1}] ${f.text}`));
  return `${out.join('\n')}\n`;
}

function mdTable<T>(t: Table<T>, note?: string): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  const head = `| ${t.columns.map((c) => esc(c.title)).join(' | ')} |`;
  const rule = `| ${t.columns.map((c: Column<T>) => (c.text ? '---' : '---:')).join(' | ')} |`;
  const rows = t.rows.map((row) => `| ${t.columns.map((c) => esc(cell(c, row))).join(' | ')} |`);
  return [`### ${t.title}`, '', head, rule, ...rows, ...(note ? ['', note] : [])].join('\n');
}

/** Markdown for pasting into a review: summary, tables, warnings, footnotes. */
export function toMarkdown(r: Report): string {
  const notes = footnotes(r);
  const ref = (id: string) => `[^${notes.findIndex((f) => f.id === id) + 1}]`;
  const out = [`## ${r.title}`, '', '| | |', '| --- | --- |', ...summaryLines(r).map(([k, v]) => `| ${k} | ${v.replaceAll('|', '\\|')} |`), ''];
  out.push(mdTable(modelTable(r), `Energy ${ref('energy')}, attribution ${ref('mig')}, cost ${ref('cost')}, CO2e ${ref('co2')}, latency ${ref('latency')}.`), '');
  out.push(mdTable(gpuTable(r), `Energy ${ref('energy')}, idle and unallocated ${ref('mig')} ${ref('cost')}.`), '');
  out.push(mdTable(sliceTable(r), `Slice energy is modelled ${ref('mig')}.`), '');
  if (r.changes.length > 0) out.push(mdTable({ ...changeTable(r), rows: r.changes.slice(0, 20) }, `Compared ${ref('previous')}.`), '');
  out.push(`Month-end projection ${ref('projection')}: ${r.projection.projectedMonthCost === null ? '-' : money(r, r.projection.projectedMonthCost)}.`, '');
  if (r.warnings.length > 0) out.push('### Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  out.push(...notes.map((f, i) => `[^${i + 1}]: ${f.text}`));
  return `${out.join('\n')}\n`;
}

export function toCsvTable(r: Report, table: TableName): string {
  return toCsv(TABLES[table](r) as Table<unknown>);
}

export function toJson(r: Report): string {
  return `${JSON.stringify({ ...r, footnotes: footnotes(r) }, null, 1)}\n`;
}
