// The runbook template every alert's docs/runbooks/<Alert>.md follows (alerts/README.md shows it), and
// the check that holds each runbook to it: the five sections in order, at least one PromQL block and
// one dashboard link under Diagnosis, every PromQL block parsing and naming only catalog series
// (the same checkQuery the build runs on rules and panels), every dashboard link naming a dashboard
// the build writes and only variables that dashboard has.
import { checkQuery } from '../promql/check.ts';

/** The sections, in the order they must appear (`## <name>`). */
export const RUNBOOK_SECTIONS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Silencing'] as const;

/** A dashboard's uid and the names of its template variables. */
export interface DashboardVariables {
  uid: string;
  variables: string[];
}

export interface ParsedRunbook {
  title: string;
  /** Section name to its body (text between its heading and the next `## `). */
  sections: Map<string, string>;
  /** Section names as they appear. */
  order: string[];
  /** ```promql blocks, with the section each sits in; one query per block. */
  promql: { section: string; query: string }[];
  /** Links to `/d/<uid>?var-x=...`, with the section each sits in. */
  links: { section: string; uid: string; vars: string[] }[];
}

export function parseRunbook(text: string): ParsedRunbook {
  const lines = text.split('\n');
  const title = /^# (.+)$/.exec(lines[0] ?? '')?.[1]?.trim() ?? '';
  const sections = new Map<string, string>();
  const order: string[] = [];
  const promql: ParsedRunbook['promql'] = [];
  let current = '';
  let body: string[] = [];
  let block: string[] | null = null;
  const close = () => { if (current) sections.set(current, body.join('\n').trim()); };
  for (const line of lines.slice(1)) {
    if (block) {
      if (line.startsWith('```')) {
        // `#` lines inside a block are comments, as in promtool and Grafana's editor.
        const query = block.filter((l) => !l.trim().startsWith('#')).join('\n').trim();
        promql.push({ section: current, query });
        block = null;
      } else block.push(line);
      body.push(line);
      continue;
    }
    const h = /^## (.+)$/.exec(line);
    if (h) {
      close();
      current = h[1]!.trim();
      order.push(current);
      body = [];
      continue;
    }
    if (/^```promql\s*$/.test(line)) block = [];
    body.push(line);
  }
  close();
  const links: ParsedRunbook['links'] = [];
  for (const [section, text] of sections) {
    for (const m of text.matchAll(/\]\(\/d\/([\w-]+)(?:\/[\w-]*)?(\?[^)\s]*)?\)/g)) {
      const params = new URLSearchParams(m[2] ?? '');
      links.push({ section, uid: m[1]!, vars: [...params.keys()].filter((k) => k.startsWith('var-')).map((k) => k.slice(4)) });
    }
  }
  return { title, sections, order, promql, links };
}

/** Everything wrong with one runbook, each problem a sentence naming the section or query. */
export function runbookProblems(alert: string, text: string, dashboards: DashboardVariables[]): string[] {
  const rb = parseRunbook(text);
  const out: string[] = [];
  if (rb.title !== alert) out.push(`first line must be '# ${alert}', is '# ${rb.title}'`);
  const expected = RUNBOOK_SECTIONS.join(', ');
  const present = rb.order.filter((s) => (RUNBOOK_SECTIONS as readonly string[]).includes(s));
  if (present.join(', ') !== expected) out.push(`sections must be ${expected} in that order (## headings); found ${rb.order.join(', ') || 'none'}`);
  for (const s of RUNBOOK_SECTIONS) {
    if (rb.sections.has(s) && (rb.sections.get(s) ?? '').length < 20) out.push(`section ${s} is empty or a stub`);
  }
  if (!rb.promql.some((q) => q.section === 'Diagnosis')) out.push('Diagnosis has no ```promql block');
  if (!rb.links.some((l) => l.section === 'Diagnosis')) out.push('Diagnosis links no dashboard (/d/<uid>?var-...)');
  for (const { section, query } of rb.promql) {
    if (query === '') { out.push(`${section}: empty promql block`); continue; }
    for (const p of checkQuery(query)) out.push(`${section}: promql \`${query.replace(/\s+/g, ' ')}\`: ${p.message}`);
  }
  for (const l of rb.links) {
    const d = dashboards.find((x) => x.uid === l.uid);
    if (!d) { out.push(`${l.section}: link to /d/${l.uid}, which the build does not write (known: ${dashboards.map((x) => x.uid).join(', ')})`); continue; }
    for (const v of l.vars) {
      if (!d.variables.includes(v)) out.push(`${l.section}: link to /d/${l.uid} sets var-${v}, which that dashboard does not have (it has ${d.variables.join(', ')})`);
    }
  }
  return out;
}
