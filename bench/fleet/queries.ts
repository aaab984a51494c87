// What the fleet bench times: each built dashboard's panel queries, as Grafana sends them when the
// dashboard first loads (every variable on All = its allValue, 15 minutes at a 1 s step), the vLLM
// example dashboard's queries on the same data (bench/fleet/vllm-example-dashboard.json), and every
// rule group's expressions as instant queries.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** `collapsed`: the panel sits in a collapsed row, whose queries Grafana sends only when the row is opened. */
export interface PanelQuery { panel: string; refId: string; expr: string; instant: boolean; collapsed?: boolean }
export interface DashboardQueries { uid: string; title: string; queries: PanelQuery[] }

interface Target { expr?: string; refId?: string; instant?: boolean; range?: boolean; hide?: boolean }
interface Panel { title?: string; type?: string; targets?: Target[]; panels?: Panel[]; collapsed?: boolean }
interface Variable { name: string; type: string; allValue?: string; includeAll?: boolean }
interface DashboardJson { uid: string; title: string; panels?: Panel[]; templating?: { list?: Variable[] } }

/**
 * Grafana's interval variables for a 15-minute range at a 1 s step on a 15 s scrape interval:
 * $__interval 1s, $__rate_interval max($__interval + scrape, 4 × scrape) = 60s, $__range 900s.
 */
export function grafanaBuiltins(rangeS: number, stepS: number, scrapeS: number): Record<string, string> {
  return {
    __rate_interval: `${Math.max(stepS + scrapeS, 4 * scrapeS)}s`,
    __interval: `${stepS}s`,
    __interval_ms: String(stepS * 1000),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(rangeS * 1000),
  };
}

/**
 * $name, ${name} and [[name]] replaced, as Grafana does; `$1` (a label_replace replacement) and names
 * without a value are left as they are, as Grafana leaves them (Prometheus then reports the error).
 */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{([A-Za-z_]\w*)(?::\w+)?\}|\[\[([A-Za-z_]\w*)\]\]|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string, c?: string) => values[a ?? b ?? c!] ?? m);
}

function panelsOf(panels: Panel[] | undefined, inCollapsed = false): (Panel & { inCollapsed: boolean })[] {
  return (panels ?? []).flatMap((p) => [{ ...p, inCollapsed }, ...panelsOf(p.panels, inCollapsed || p.collapsed === true)]);
}

/** The dashboards in a build's dist/grafana/dashboards, each query with its variables on All. */
export async function dashboardQueries(dist: string, builtins: Record<string, string>): Promise<DashboardQueries[]> {
  const dir = join(dist, 'grafana', 'dashboards', 'tokenwatt');
  const out: DashboardQueries[] = [];
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.json')).sort()) {
    const d = JSON.parse(await readFile(join(dir, f), 'utf8')) as DashboardJson;
    const values: Record<string, string> = { ...builtins };
    for (const v of d.templating?.list ?? []) {
      if (v.type === 'query' || v.type === 'custom') values[v.name] = v.allValue ?? '.*';
      if (v.type === 'datasource') values[v.name] = 'prometheus';
    }
    const queries: PanelQuery[] = [];
    for (const p of panelsOf(d.panels)) {
      for (const t of p.targets ?? []) {
        if (!t.expr || t.hide) continue;
        queries.push({ panel: p.title ?? '', refId: t.refId ?? '', expr: substitute(t.expr, values), instant: t.instant === true && t.range !== true, ...(p.inCollapsed && { collapsed: true }) });
      }
    }
    out.push({ uid: d.uid, title: d.title, queries });
  }
  return out;
}

export interface ReferenceDashboard {
  title: string;
  source: { repository: string; path: string; commit: string; url: string };
  variables: Record<string, string>;
  note: string;
  panels: { title: string; exprs: string[] }[];
}

/** vLLM's example dashboard as stored in the bench, with its model picker on every model. */
export async function referenceQueries(file: string, builtins: Record<string, string>): Promise<DashboardQueries> {
  const ref = JSON.parse(await readFile(file, 'utf8')) as ReferenceDashboard;
  const queries: PanelQuery[] = ref.panels.flatMap((p) => p.exprs.map((e, i) => ({
    panel: p.title, refId: String.fromCharCode(65 + i),
    // Its picker is single-valued (`model_name="$model_name"`): All is the same matcher as a regex.
    expr: substitute(e.replace(/(\w+)="\$(\w+)"/g, '$1=~"$$$2"'), { ...builtins, ...ref.variables }),
    instant: false,
  })));
  return { uid: 'vllm-example', title: ref.title, queries };
}

export interface Timed { seconds: number; cpuSeconds: number; series: number; error?: string }

/**
 * Run one query against Prometheus: `seconds` is the HTTP round trip on loopback, `cpuSeconds` the
 * CPU Prometheus spent meanwhile (10 ms ticks; less disturbed than wall time on a shared machine).
 */
export async function timeQuery(url: string, expr: string, at: { start: number; end: number; step: number } | { time: number }, cpu: () => Promise<number>): Promise<Timed> {
  const params = new URLSearchParams({ query: expr, ...('time' in at ? { time: String(at.time) } : { start: String(at.start), end: String(at.end), step: String(at.step) }) });
  const path = 'time' in at ? 'query' : 'query_range';
  const c0 = await cpu();
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/${path}`, { method: 'POST', body: params, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = (await cpu()) - c0;
  return body.status === 'success' ? { seconds, cpuSeconds, series: body.data!.result.length } : { seconds, cpuSeconds, series: 0, error: body.error ?? `HTTP ${res.status}` };
}
