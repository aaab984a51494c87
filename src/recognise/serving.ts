// What vLLM and SGLang recognition share: one engine per (model, engine) key, each role read from the
// newest catalog name that has a sample for that engine, series of one engine reduced to one figure.
import { olderNames } from '../catalog/index.ts';
import type { Sample } from '../exposition/types.ts';
import type { EngineView } from './types.ts';
import type { SampleIndex } from './samples.ts';

export type Role = 'promptTokens' | 'generationTokens' | 'kvCacheUsage' | 'running' | 'waiting';

export interface RoleSpec {
  role: Role;
  /** The current catalog name; its older names (olderNames) are read only where it is absent. */
  name: string;
  /** How several series of one engine combine: counters and queue lengths add up, a usage ratio does not. */
  combine: 'sum' | 'max';
}

export interface EngineKey {
  model: string;
  engine: string;
}

/**
 * Per engine, each role's value. `keyOf` maps a sample to its engine (undefined: not an engine series);
 * `shardLabels` only tell parallel shards of one engine apart (SGLang tp_rank/pp_rank): shards report
 * the same figure, so they are reduced with max before series that differ otherwise (Triton's
 * `version`, …) are combined.
 */
export function readRoles(
  index: SampleIndex,
  roles: readonly RoleSpec[],
  keyOf: (s: Sample) => EngineKey | undefined,
  shardLabels: readonly string[] = [],
): Map<string, Partial<Record<Role, number>>> {
  const out = new Map<string, Partial<Record<Role, number>>>();
  for (const spec of roles) {
    // Per engine, the first name (current, then older ones) that has a sample for it wins.
    const taken = new Set<string>();
    for (const name of [spec.name, ...olderNames(spec.name)]) {
      const perEngine = new Map<string, Map<string, number>>();
      for (const sample of index.get(name) ?? []) {
        const key = keyOf(sample);
        if (!key || Number.isNaN(sample.value)) continue;
        const k = engineId(key);
        if (taken.has(k)) continue;
        const series = seriesId(sample, shardLabels);
        let m = perEngine.get(k);
        if (!m) perEngine.set(k, (m = new Map()));
        m.set(series, Math.max(m.get(series) ?? -Infinity, sample.value));
      }
      for (const [k, series] of perEngine) {
        taken.add(k);
        const values = [...series.values()];
        const v = spec.combine === 'sum' ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
        let roles = out.get(k);
        if (!roles) out.set(k, (roles = {}));
        roles[spec.role] = v;
      }
    }
  }
  return out;
}

export function engineId(key: EngineKey): string {
  return `${key.model}\u0000${key.engine}`;
}

/** A series' identity minus its shard labels. */
function seriesId(sample: Sample, shardLabels: readonly string[]): string {
  return JSON.stringify(Object.entries(sample.labels).filter(([k]) => !shardLabels.includes(k)).sort());
}

/** Engine views sorted by model then engine, with token counters 0 and `missing` listing unserved roles. */
export function toEngineViews(
  keys: Map<string, EngineKey & { generation: EngineView['generation'] }>,
  values: Map<string, Partial<Record<Role, number>>>,
): EngineView[] {
  const views: EngineView[] = [];
  for (const [id, key] of keys) {
    const v = values.get(id) ?? {};
    const missing = (['promptTokens', 'generationTokens'] as const).filter((r) => v[r] === undefined);
    const view: EngineView = {
      model: key.model,
      engine: key.engine,
      generation: key.generation,
      promptTokens: v.promptTokens ?? 0,
      generationTokens: v.generationTokens ?? 0,
    };
    if (v.kvCacheUsage !== undefined) view.kvCacheUsage = v.kvCacheUsage;
    if (v.running !== undefined) view.running = v.running;
    if (v.waiting !== undefined) view.waiting = v.waiting;
    if (missing.length > 0) view.missing = missing;
    views.push(view);
  }
  return views.sort((a, b) => a.model.localeCompare(b.model) || a.engine.localeCompare(b.engine, 'en', { numeric: true }));
}
