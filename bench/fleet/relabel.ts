// Prometheus 2.42's relabelling (model/relabel/relabel.go), as far as tokenwatt's generated
// prometheus.yml uses it, so that backfilled samples carry the labels a live scrape would give them:
// target labels from file_sd + relabel_configs, then metric_relabel_configs per sample. Regexes are
// anchored like RE2 in Prometheus (^(?:re)$); an action this file does not know fails loudly.
export type Labels = Map<string, string>;

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
  modulus?: number;
}

interface Compiled { cfg: RelabelConfig; re: RegExp; action: string; sep: string; replacement: string }

export function compile(configs: readonly RelabelConfig[] | undefined): Compiled[] {
  return (configs ?? []).map((cfg) => ({
    cfg,
    re: new RegExp(`^(?:${cfg.regex ?? '(.*)'})$`),
    action: cfg.action ?? 'replace',
    sep: cfg.separator ?? ';',
    replacement: cfg.replacement ?? '$1',
  }));
}

/** Go's regexp.Expand for $1, ${1}, $name as Prometheus uses it. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_x, a: string | undefined, b: string | undefined) => {
    const k = a ?? b!;
    const v = /^\d+$/.test(k) ? m[Number(k)] : m.groups?.[k];
    return v ?? '';
  });
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Apply configs in order; undefined means the series (or target) is dropped. */
export function relabel(labels: Labels, configs: readonly Compiled[]): Labels | undefined {
  for (const c of configs) {
    const value = (c.cfg.source_labels ?? []).map((l) => labels.get(l) ?? '').join(c.sep);
    switch (c.action) {
      case 'replace': {
        const m = c.re.exec(value);
        if (!m) break;
        const target = expand(c.cfg.target_label ?? '', m);
        if (!NAME.test(target)) break;
        const v = expand(c.replacement, m);
        if (v === '') labels.delete(target);
        else labels.set(target, v);
        break;
      }
      case 'keep': if (!c.re.test(value)) return undefined; break;
      case 'drop': if (c.re.test(value)) return undefined; break;
      case 'labeldrop': for (const k of [...labels.keys()]) if (c.re.test(k)) labels.delete(k); break;
      case 'labelkeep': for (const k of [...labels.keys()]) if (!c.re.test(k)) labels.delete(k); break;
      case 'labelmap':
        for (const [k, v] of [...labels]) {
          const m = c.re.exec(k);
          if (m) labels.set(expand(c.replacement, m), v);
        }
        break;
      case 'lowercase': labels.set(c.cfg.target_label!, value.toLowerCase()); break;
      case 'uppercase': labels.set(c.cfg.target_label!, value.toUpperCase()); break;
      default: throw new Error(`relabel: action '${c.action}' is not implemented by bench/fleet/relabel.ts`);
    }
  }
  return labels;
}

/** One exposition line's series part (`name{a="b",...}`) to its labels, __name__ included. */
export function parseSeries(series: string): Labels {
  const out: Labels = new Map();
  const brace = series.indexOf('{');
  if (brace < 0) { out.set('__name__', series.trim()); return out; }
  out.set('__name__', series.slice(0, brace));
  let i = brace + 1;
  while (i < series.length && series[i] !== '}') {
    if (series[i] === ',' || series[i] === ' ') { i++; continue; }
    const eq = series.indexOf('=', i);
    const name = series.slice(i, eq).trim();
    i = eq + 2; // past ="
    let v = '';
    while (series[i] !== '"') {
      if (series[i] === '\\') {
        const n = series[i + 1];
        v += n === 'n' ? '\n' : n;
        i += 2;
      } else v += series[i++];
    }
    out.set(name, v);
    i++;
  }
  return out;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatSeries(labels: Labels): string {
  const name = labels.get('__name__')!;
  const rest = [...labels].filter(([k]) => k !== '__name__').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return rest.length === 0 ? name : `${name}{${rest.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}
