// The report's charts, drawn on the server to SVG by Apache ECharts (server-side rendering,
// renderToSVGString): the page needs no script at view time. Each chart is rendered twice, with the
// default (light) and the built-in dark theme; the page shows one by prefers-color-scheme.
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { fmtDuration, iso } from './model.ts';
import type { Report } from './model.ts';

export interface Chart {
  id: string;
  title: string;
  /** Footnote ids (render.ts footnotes()) that state this chart's method. */
  notes: string[];
  caption: string;
  light: string;
  dark: string;
}

const WIDTH = 920;
const MAX_MODELS = 12;

function render(option: EChartsOption, height: number): { light: string; dark: string } {
  const one = (theme: string | null) => {
    const chart = echarts.init(null, theme, { renderer: 'svg', ssr: true, width: WIDTH, height });
    chart.setOption({ animation: false, backgroundColor: 'transparent', ...option });
    const svg = chart.renderToSVGString();
    chart.dispose();
    return svg;
  };
  return { light: one(null), dark: one('dark') };
}

function bucketLabel(r: Report, t: number): string {
  const s = iso(t);
  if (r.period.stepSeconds >= 86_400) return s.slice(5, 10);
  if (r.period.stepSeconds >= 3600) return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
  return s.slice(11, 19);
}

const grid = { left: 70, right: 24, top: 40, bottom: 60 } as const;
const legend = (names: string[]) => ({ type: 'scroll' as const, bottom: 0, data: names, textStyle: { fontSize: 11 } });
const shortName = (m: string) => (m.length > 36 ? `${m.slice(0, 35)}…` : m);

/** The models shown one by one in time charts (the costliest); the rest are summed as "other". */
function topSeries(r: Report) {
  const order = [...r.series].sort((a, b) => sumOf(b.cost) - sumOf(a.cost) || a.model.localeCompare(b.model));
  const shown = order.slice(0, MAX_MODELS);
  const rest = order.slice(MAX_MODELS);
  const label = (s: (typeof order)[number]) => shortName(r.series.filter((x) => x.model === s.model).length > 1 ? `${s.model} (${s.cluster}/${s.namespace})` : s.model);
  return { shown, rest, label };
}
const sumOf = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
const addUp = (rows: (number | null)[][], n: number) => Array.from({ length: n }, (_, i) => {
  const vs = rows.map((x) => x[i]).filter((v): v is number => v !== null && v !== undefined);
  return vs.length ? vs.reduce((a, b) => a + b, 0) : null;
});

function stackedOverTime(r: Report, pick: 'cost' | 'energyKwh', unit: string): EChartsOption {
  const { shown, rest, label } = topSeries(r);
  const n = r.period.buckets.length;
  const series = shown.map((s) => ({ name: label(s), type: 'bar' as const, stack: 'all', data: s[pick] }));
  if (rest.length > 0) series.push({ name: `other (${rest.length})`, type: 'bar', stack: 'all', data: addUp(rest.map((s) => s[pick]), n) });
  return {
    grid, tooltip: {}, legend: legend(series.map((s) => s.name)),
    xAxis: { type: 'category', data: r.period.buckets.map((t) => bucketLabel(r, t)) },
    yAxis: { type: 'value', name: unit },
    series,
  };
}

export function buildCharts(r: Report): Chart[] {
  const charts: Chart[] = [];
  const step = fmtDuration(r.period.stepSeconds);
  const n = r.period.buckets.length;
  charts.push({
    id: 'cost-over-time', title: `Cost per model, per ${step}`, notes: ['cost', 'mig'],
    caption: `Stacked by model (the ${MAX_MODELS} costliest shown one by one). Gaps (no data) are empty bars, not zero.`,
    ...render(stackedOverTime(r, 'cost', r.currency), 360),
  });
  charts.push({
    id: 'energy-over-time', title: `Energy per model, per ${step} (kWh)`, notes: ['energy', 'mig'],
    caption: 'Energy attributed to each model\'s engines. Idle energy of allocated slices is in the model\'s energy; unallocated MIG capacity is in no model.',
    ...render(stackedOverTime(r, 'energyKwh', 'kWh'), 360),
  });
  {
    const { shown, label } = topSeries(r);
    const series = [
      ...shown.map((s) => ({ name: label(s), type: 'line' as const, data: s.tokensPerJoule, connectNulls: false, showSymbol: n <= 60 })),
      { name: 'fleet (all board energy)', type: 'line' as const, data: r.fleetSeries.tokensPerJoule, connectNulls: false, showSymbol: n <= 60, lineStyle: { type: 'dashed' as const } },
    ];
    charts.push({
      id: 'tokens-per-joule', title: `Generated tokens per joule, per ${step}`, notes: ['energy', 'mig'],
      caption: 'Per model: its generated tokens over its attributed energy. Fleet: all generated tokens over all board energy (idle and unallocated included). A break in a line is a bucket without data.',
      ...render({ grid, tooltip: { trigger: 'axis' }, legend: legend(series.map((s) => s.name)), xAxis: { type: 'category', data: r.period.buckets.map((t) => bucketLabel(r, t)) }, yAxis: { type: 'value', name: 'tokens/J' }, series }, 360),
    });
  }
  {
    const models = [...r.models].slice(0, 20).reverse();
    const names = models.map((m) => shortName(m.model));
    const working = models.map((m) => Math.max(0, m.capacityCost - m.idleCost));
    charts.push({
      id: 'cost-split', title: `Cost per model: working, idle and energy (${r.currency})`, notes: ['cost'],
      caption: 'Capacity cost while the model\'s slice did work, capacity cost while it sat idle, and energy cost (kWh x PUE x price). The three add up to the model\'s cost.',
      ...render({
        grid: { ...grid, left: 260 }, tooltip: {}, legend: legend(['working', 'idle', 'energy']),
        yAxis: { type: 'category', data: names, axisLabel: { fontSize: 11 } }, xAxis: { type: 'value', name: r.currency },
        series: [
          { name: 'working', type: 'bar', stack: 'c', data: working },
          { name: 'idle', type: 'bar', stack: 'c', data: models.map((m) => Math.min(m.idleCost, m.capacityCost)) },
          { name: 'energy', type: 'bar', stack: 'c', data: models.map((m) => m.energyCost) },
        ],
      }, Math.max(220, 60 + models.length * 28)),
    });
  }
  {
    // Per GPU (or per host on a large fleet): where the board energy went.
    const perHost = r.gpus.length > 48;
    const rows = new Map<string, { active: number; idle: number; unallocated: number }>();
    const activeByGpu = new Map<string, number>();
    for (const s of r.slices) activeByGpu.set(`${s.cluster}/${s.host}/${s.gpu}`, (activeByGpu.get(`${s.cluster}/${s.host}/${s.gpu}`) ?? 0) + s.activeJoules);
    for (const g of r.gpus) {
      const key = perHost ? g.host : `${g.host}/gpu${g.gpu}`;
      const e = rows.get(key) ?? { active: 0, idle: 0, unallocated: 0 };
      const active = activeByGpu.get(`${g.cluster}/${g.host}/${g.gpu}`) ?? 0;
      e.active += active / 3.6e6;
      e.unallocated += g.unallocatedJoules / 3.6e6;
      e.idle += Math.max(0, g.energyJoules - active - g.unallocatedJoules) / 3.6e6;
      rows.set(key, e);
    }
    const keys = [...rows.keys()].sort().reverse();
    charts.push({
      id: 'gpu-energy', title: `Board energy per ${perHost ? 'host' : 'GPU'}: active, idle, unallocated (kWh)`, notes: ['energy', 'mig'],
      caption: 'Active: energy above idle power, split by activity. Idle: idle power of slices (or whole GPUs) in use. Unallocated: idle power of MIG capacity no slice holds. The three add up to the board\'s counter.',
      ...render({
        grid: { ...grid, left: 160 }, tooltip: {}, legend: legend(['active', 'idle', 'unallocated']),
        yAxis: { type: 'category', data: keys, axisLabel: { fontSize: 11 } }, xAxis: { type: 'value', name: 'kWh' },
        series: (['active', 'idle', 'unallocated'] as const).map((k) => ({ name: k, type: 'bar' as const, stack: 'e', data: keys.map((x) => rows.get(x)![k]) })),
      }, Math.max(220, 60 + keys.length * 22)),
    });
  }
  const costChanges = r.changes.filter((c) => c.figure === 'cost' && c.changePct !== null);
  const tpjChanges = new Map(r.changes.filter((c) => c.figure === 'tokensPerJoule').map((c) => [c.model, c.changePct]));
  if (costChanges.length > 0) {
    const rows = costChanges.slice(0, 20).reverse();
    charts.push({
      id: 'changes', title: 'Against the previous period (% change)', notes: ['previous'],
      caption: 'Change in each model\'s cost and in its tokens per joule against the period of the same length before this one (the largest cost changes first).',
      ...render({
        grid: { ...grid, left: 260 }, tooltip: {}, legend: legend(['cost', 'tokens/J']),
        yAxis: { type: 'category', data: rows.map((c) => shortName(c.model)), axisLabel: { fontSize: 11 } }, xAxis: { type: 'value', name: '%' },
        series: [
          { name: 'cost', type: 'bar', data: rows.map((c) => c.changePct) },
          { name: 'tokens/J', type: 'bar', data: rows.map((c) => tpjChanges.get(c.model) ?? null) },
        ],
      }, Math.max(220, 60 + rows.length * 36)),
    });
  }
  return charts;
}
