// The report as one self-contained HTML page: styles inline, charts as inline SVG (charts.ts), no
// script, no font or image from the network. Light and dark follow prefers-color-scheme; printing
// uses the light charts and keeps figures whole on a page.
import { buildCharts } from './charts.ts';
import { fmtDuration, iso } from './model.ts';
import type { Report } from './model.ts';
import { footnotes } from './render.ts';
import { cell, fmtNumber, changeTable, gpuTable, modelTable, sliceTable } from './tables.ts';
import type { Table } from './tables.ts';

/** Where the methodology lives online (the same file as docs/methodology.md in the repository). */
export const METHODOLOGY_URL = 'https://github.com/tokenwatt/tokenwatt/blob/main/docs/methodology.md';
export const REPORT_DOC_URL = 'https://github.com/tokenwatt/tokenwatt/blob/main/docs/report.md';

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #5b6470; --rule: #d8dde3; --card: #f5f7f9; --warn: #8a5a00; --warnbg: #fff6e0; }
@media (prefers-color-scheme: dark) { :root { --bg: #100c14; --fg: #e6e6e6; --muted: #a0a8b4; --rule: #333842; --card: #1b1e24; --warn: #ffcc66; --warnbg: #2d2410; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
.muted, figcaption, .notes { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 8px; margin: 16px 0; }
.card { background: var(--card); border-radius: 6px; padding: 8px 12px; } .card b { display: block; font-size: 18px; } .card span { color: var(--muted); font-size: 12px; }
figure { margin: 16px 0 24px; break-inside: avoid; page-break-inside: avoid; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 12px; margin-top: 4px; }
.chart-dark { display: none; }
@media (prefers-color-scheme: dark) { .chart-light { display: none; } .chart-dark { display: block; } }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 6px; text-align: right; vertical-align: top; } th { position: sticky; top: 0; background: var(--bg); }
td.t, th.t { text-align: left; } td { white-space: nowrap; } td.t { white-space: normal; min-width: 8em; } .scroll { overflow-x: auto; }
.warn { background: var(--warnbg); color: var(--warn); border-radius: 6px; padding: 8px 12px; margin: 12px 0; } .warn li { margin: 2px 0; }
sup a, a { color: inherit; }
ol.notes { font-size: 12px; padding-left: 20px; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --rule: #bbb; --card: #f3f3f3; }
  body { max-width: none; padding: 0; } .chart-light { display: block !important; } .chart-dark { display: none !important; }
  .scroll { overflow: visible; } th { position: static; } h2 { break-after: avoid; }
}
`;

function table<T>(t: Table<T>, rows = t.rows): string {
  const head = t.columns.map((c) => `<th class="${c.text ? 't' : ''}">${esc(c.title)}</th>`).join('');
  const body = rows.map((row) => `<tr>${t.columns.map((c) => `<td class="${c.text ? 't' : ''}">${esc(cell(c, row))}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

export function toHtml(r: Report): string {
  const notes = footnotes(r);
  const ref = (id: string) => {
    const i = notes.findIndex((f) => f.id === id) + 1;
    return `<sup><a href="#note-${id}">${i}</a></sup>`;
  };
  const money = (x: number | null) => (x === null ? '-' : `${fmtNumber(x, 2)} ${r.currency}`);
  const n = (x: number | null, d: number) => (x === null ? '-' : fmtNumber(x, d));
  const t = r.totals;
  const cards: [string, string, string][] = [
    [money(t.cost), 'cost', ref('cost')],
    [`${n(t.energyKwh, 2)} kWh`, 'GPU energy', ref('energy')],
    [n(t.generationTokens, 0), 'generated tokens', ''],
    [n(t.tokensPerJoule, 3), 'fleet tokens/J', ref('energy')],
    [money(t.costPerMillionTokens), 'per 1M generated tokens', ref('cost')],
    [`${n(t.co2eGrams / 1000, 2)} kg`, 'CO2e', ref('co2')],
    [money(t.idleCost + t.unallocatedCost), `idle + unallocated (${n(t.cost > 0 ? ((t.idleCost + t.unallocatedCost) / t.cost) * 100 : null, 1)} %)`, ref('mig')],
    [money(r.projection.projectedMonthCost), `${r.projection.month} projection`, ref('projection')],
  ];
  const charts = buildCharts(r);
  const figure = (c: (typeof charts)[number]) => `<figure id="${c.id}" data-chart="${c.id}">
<h3>${esc(c.title)}</h3>
<div class="chart-light">${c.light}</div>
<div class="chart-dark">${c.dark}</div>
<figcaption>${esc(c.caption)} Method: ${c.notes.map(ref).join(' ')}</figcaption>
</figure>`;
  const byId = new Map(charts.map((c) => [c.id, c]));
  const fig = (id: string) => (byId.has(id) ? figure(byId.get(id)!) : '');
  const migSlices = r.slices.filter((s) => s.instanceId !== '');
  const body = [
    `<header><h1>${esc(r.title)}</h1><div class="muted">${esc(r.source)}${r.cluster !== null ? ` · cluster ${esc(r.cluster)}` : ''} · ${fmtDuration(r.period.seconds)} in ${r.period.buckets.length} buckets of ${fmtDuration(r.period.stepSeconds)} · ${r.coverage.exporters} exporter(s), up ${r.coverage.upRatio === null ? '-' : `${n(r.coverage.upRatio * 100, 2)} %`} · ${r.load.queries} queries</div></header>`,
    `<div class="cards">${cards.map(([v, k, note]) => `<div class="card"><b>${esc(v)}</b><span>${esc(k)}${note}</span></div>`).join('')}</div>`,
    r.warnings.length > 0 ? `<div class="warn"><b>Read with care</b><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>` : '',
    '<h2>Per model</h2>',
    fig('cost-split'),
    table(modelTable(r)),
    `<p class="notes">Energy ${ref('energy')}, attribution ${ref('mig')}, cost ${ref('cost')}, CO2e ${ref('co2')}, requests and latency ${ref('latency')}.</p>`,
    '<h2>Over time</h2>',
    fig('cost-over-time'), fig('energy-over-time'), fig('tokens-per-joule'),
    '<h2>Per GPU and MIG slice</h2>',
    fig('gpu-energy'),
    table(gpuTable(r)),
    migSlices.length > 0 ? table({ ...sliceTable(r) }, migSlices) : '<p class="muted">No MIG slices in this period.</p>',
    '<h2>Against the previous period</h2>',
    r.previous.available
      ? `${fig('changes')}${table({ ...changeTable(r) }, r.changes.slice(0, 30))}`
      : `<p class="muted">No tokenwatt data between ${iso(r.previous.from)} and ${iso(r.previous.to)}: nothing to compare with.</p>`,
    '<h2>Month-end projection</h2>',
    `<p>${esc(r.projection.month)}: ${money(r.projection.monthToDateCost)} so far; at ${money(r.projection.ratePerDay)} per day, ${money(r.projection.projectedMonthCost)} by month end; ${n(r.projection.projectedMonthKwh, 1)} kWh and ${n(r.projection.projectedMonthCo2eKg, 1)} kg CO2e for the whole month at the same rate. ${ref('projection')}</p>`,
    '<h2>Method</h2>',
    `<ol class="notes">${notes.map((f) => `<li id="note-${f.id}">${esc(f.text)}</li>`).join('\n')}</ol>`,
    `<p class="notes">The energy model: <a href="${METHODOLOGY_URL}">docs/methodology.md</a>. Every figure of this page: <a href="${REPORT_DOC_URL}">docs/report.md</a>. Query load: ${r.load.queries} queries, ${n(r.load.series, 0)} series, ${n(r.load.points, 0)} points.</p>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="tokenwatt report">
<title>${esc(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
