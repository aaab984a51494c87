// tokenwatt's series as Prometheus text format 0.0.4, with HELP and TYPE from the catalog. Rendered
// once per collection cycle (not per scrape): the exporter caches the string and its gzip.
import { tokenwattMetrics } from '../catalog/tokenwatt.ts';
import type { MetricDef } from '../catalog/types.ts';
import type { LedgerSample } from '../energy/tick.ts';

const DEFS = new Map<string, { def: MetricDef; order: number }>(tokenwattMetrics.map((d, i) => [d.name, { def: d, order: i }]));

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Text 0.0.4 of `samples`, families in catalog order; a name outside the catalog is an error. */
export function renderText(samples: readonly LedgerSample[]): string {
  const byName = new Map<string, LedgerSample[]>();
  for (const s of samples) {
    if (!DEFS.has(s.name)) throw new Error(`render: '${s.name}' is not a tokenwatt series in src/catalog/tokenwatt.ts`);
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, (list = []));
    list.push(s);
  }
  const names = [...byName.keys()].sort((a, b) => DEFS.get(a)!.order - DEFS.get(b)!.order);
  let out = '';
  for (const name of names) {
    const def = DEFS.get(name)!.def;
    // Text 0.0.4 has no info type: an info series is a gauge of 1.
    const type = def.type === 'info' ? 'gauge' : def.type;
    out += `# HELP ${name} ${escapeHelp(def.help)}\n# TYPE ${name} ${type}\n`;
    for (const s of byName.get(name)!) out += `${name}${labelText(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}

function labelText(labels: Record<string, string>): string {
  let out = '';
  for (const k in labels) out += `${out === '' ? '' : ','}${k}="${escapeValue(labels[k]!)}"`;
  return out === '' ? '' : `{${out}}`;
}

function escapeValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
