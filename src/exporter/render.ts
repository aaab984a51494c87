// tokenwatt's series as Prometheus text format 0.0.4, with HELP and TYPE from the catalog. Rendered
// once per collection cycle (not per scrape): the exporter caches the string and its gzip.
import { tokenwattMetrics } from '../catalog/tokenwatt.ts';
import type { MetricDef } from '../catalog/types.ts';
import type { LedgerSample } from '../energy/tick.ts';

const DEFS = new Map<string, { def: MetricDef; order: number }>(tokenwattMetrics.map((d, i) => [d.name, { def: d, order: i }]));

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Families from outside the catalog (prom-client's runtime metrics), already typed and helped. */
export interface ForeignFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  samples: readonly { name: string; labels: Record<string, string>; value: number }[];
}

/**
 * OpenMetrics 1.0 text of `samples` (catalog order) and `foreign` families, ending in # EOF (unless
 * `eof` is false: a part that more families follow). Counter families are named without _total (their
 * samples keep it); info series are info families whose sample carries the _info suffix, as
 * OpenMetrics requires.
 */
export function renderOpenMetrics(samples: readonly LedgerSample[], foreign: readonly ForeignFamily[] = [], eof = true): string {
  let out = '';
  for (const [name, list] of grouped(samples)) {
    const def = DEFS.get(name)!.def;
    const family = def.type === 'counter' ? name.replace(/_total$/, '') : def.type === 'info' ? name.replace(/_info$/, '') : name;
    out += `# TYPE ${family} ${def.type}\n# HELP ${family} ${escapeOmHelp(def.help)}\n`;
    for (const s of list) out += `${name}${labelText(s.labels)} ${formatValue(s.value)}\n`;
  }
  for (const f of foreign) {
    const family = f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
    out += `# TYPE ${family} ${f.type}\n# HELP ${family} ${escapeOmHelp(f.help)}\n`;
    for (const s of f.samples) out += `${s.name}${labelText(s.labels)} ${formatValue(s.value)}\n`;
  }
  return eof ? `${out}# EOF\n` : out;
}

/** Text 0.0.4 of families from outside the catalog. */
export function renderForeignText(foreign: readonly ForeignFamily[]): string {
  let out = '';
  for (const f of foreign) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${s.name}${labelText(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}

function grouped(samples: readonly LedgerSample[]): [string, LedgerSample[]][] {
  const byName = new Map<string, LedgerSample[]>();
  for (const s of samples) {
    if (!DEFS.has(s.name)) throw new Error(`render: '${s.name}' is not a tokenwatt series in src/catalog/tokenwatt.ts`);
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, (list = []));
    list.push(s);
  }
  return [...byName].sort((a, b) => DEFS.get(a[0])!.order - DEFS.get(b[0])!.order);
}

function escapeOmHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Text 0.0.4 of `samples`, families in catalog order; a name outside the catalog is an error. */
export function renderText(samples: readonly LedgerSample[]): string {
  let out = '';
  for (const [name, list] of grouped(samples)) {
    const def = DEFS.get(name)!.def;
    // Text 0.0.4 has no info type: an info series is a gauge of 1.
    const type = def.type === 'info' ? 'gauge' : def.type;
    out += `# HELP ${name} ${escapeHelp(def.help)}\n# TYPE ${name} ${type}\n`;
    for (const s of list) out += `${name}${labelText(s.labels)} ${formatValue(s.value)}\n`;
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
