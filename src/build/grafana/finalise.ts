// Turn the SDK's Dashboard object into the JSON Grafana loads, deterministically: expanded rows
// hold no panels (Grafana expects their panels at top level, after the row), panel ids are
// 1..n in layout order, and keys are written sorted so regenerating changes nothing.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type PanelJson = { [key: string]: Json };
export type DashboardJson = { [key: string]: Json } & { uid: string; title: string; panels: PanelJson[] };

/** A JSON copy with undefined fields dropped and object keys in sorted order. */
export function sortedJson(value: unknown): Json {
  if (Array.isArray(value)) return value.map((v) => sortedJson(v));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortedJson(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`non-finite number ${value} in dashboard JSON`);
  return value as Json;
}

export function finalise(d: Dashboard): DashboardJson {
  const json = JSON.parse(JSON.stringify(d)) as { panels?: PanelJson[] } & Record<string, unknown>;
  const flat: PanelJson[] = [];
  for (const p of json.panels ?? []) {
    flat.push(p);
    if (p.type === 'row' && p.collapsed === false && Array.isArray(p.panels)) {
      flat.push(...(p.panels as PanelJson[]));
      p.panels = [];
    }
  }
  let id = 0;
  for (const p of flat) {
    p.id = ++id;
    if (Array.isArray(p.panels)) for (const inner of p.panels as PanelJson[]) inner.id = ++id;
  }
  json.panels = flat;
  // The SDK defaults every link to placement "inControlsMenu", which newer Grafana hides in
  // the controls menu: drop it so the dropdown shows on the dashboard, as in the classic model.
  for (const link of (json.links as Record<string, unknown>[] | undefined) ?? []) delete link.placement;
  // The SDK leaves annotations as {}; the JSON model has a list. Its "inControlsMenu" placement
  // hides the annotation toggles in newer Grafana's controls menu, as for links: dropped.
  if (!json.annotations || !Array.isArray((json.annotations as { list?: unknown }).list)) json.annotations = { list: [] };
  for (const a of (json.annotations as { list: Record<string, unknown>[] }).list) delete a.placement;
  return sortedJson(json) as DashboardJson;
}

/** The file text: two-space indented, trailing newline. */
export function serialise(d: DashboardJson): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
