// The registry of upstream kinds: everything tokenwatt knows about each thing it scrapes, one module
// per kind. To add a kind, write its module (its own folder for a new kind: catalog entries,
// recogniser, simulator, scrape job) and list it below and its catalog entries in
// src/catalog/index.ts; the type lists, the exporter's setup, `inspect`, the selectors, the scrape jobs
// and the simulated fleet follow from this list.
//
// Order matters only for output: scrape jobs are written in this order (prometheus.yml, monitors).
import { dcgm } from './dcgm.ts';
import { kepler } from './kepler.ts';
import { llamacpp } from './llamacpp/index.ts';
import { node } from './node.ts';
import { sglang } from './sglang.ts';
import { tgi } from './tgi/index.ts';
import { tokenwatt } from './tokenwatt.ts';
import { triton } from './triton/index.ts';
import type { RecordingGroupDef } from '../rules/types.ts';
import type { KindInspect, KindServing, KindTarget, UpstreamKind } from './types.ts';
import { vllm } from './vllm.ts';

export type { KindInspect, KindServing, KindTarget, KindTargetConfig, TargetDeps, UpstreamKind } from './types.ts';

export const upstreamKinds = [vllm, sglang, dcgm, kepler, node, tokenwatt, tgi, llamacpp, triton] as const;

type Kind = (typeof upstreamKinds)[number];
/** Every kind: the `source` of upstream catalog entries and the keys of `config.selectors`. */
export type KindId = Kind['id'];
/** Kinds the exporter reads (`targets[].kind`). */
export type TargetKindId = Extract<Kind, { target: KindTarget }>['id'];
/** Serving engines: token counters for the ledger, simulated by the demo fleet. */
export type ServingKindId = Extract<Kind, { serving: KindServing }>['id'];
type Inspectable = Extract<Kind, { inspect: KindInspect<unknown> }>;
export type InspectKindId = Inspectable['id'];

const byId = new Map<string, UpstreamKind>(upstreamKinds.map((k) => [k.id, k]));
if (byId.size !== upstreamKinds.length) throw new Error('src/kinds/index.ts: two kinds share an id');

export function findKind(id: string): UpstreamKind | undefined {
  return byId.get(id);
}

function isTarget(k: UpstreamKind): k is UpstreamKind & { target: KindTarget } {
  return k.target !== undefined;
}

/** The kinds the exporter reads, in registry order (zod wants a non-empty tuple). */
export const TARGET_KIND_IDS = upstreamKinds.filter(isTarget).map((k) => k.id) as [TargetKindId, ...TargetKindId[]];

export function isTargetKind(id: string): id is TargetKindId {
  return byId.get(id)?.target !== undefined;
}

/** The exporter target of a kind the config validated. */
export function targetOf(id: TargetKindId): KindTarget {
  return byId.get(id)!.target!;
}

export const SERVING_KIND_IDS = upstreamKinds.filter((k) => k.serving !== undefined).map((k) => k.id) as [ServingKindId, ...ServingKindId[]];

export function isServingKind(id: string): id is ServingKindId {
  return byId.get(id)?.serving !== undefined;
}

/** The serving particulars of a serving kind. */
export function servingOf(id: ServingKindId): KindServing & { title: string } {
  const k = byId.get(id)!;
  return { ...k.serving!, title: k.title };
}

/** Each kind's recogniser by id (`recognisers.vllm(families).engines`). */
export const recognisers = Object.fromEntries(
  upstreamKinds.filter((k) => k.inspect !== undefined).map((k) => [k.id, k.inspect!.recognise]),
) as { [K in Inspectable as K['id']]: K['inspect']['recognise'] };

export function isInspectKind(id: string): id is InspectKindId {
  return byId.get(id)?.inspect !== undefined;
}

/** The usage lines of `inspect`: kinds printing the same JSON share a line. */
export function inspectShapes(): string {
  const groups = new Map<string, string[]>();
  for (const k of upstreamKinds) {
    if (!k.inspect) continue;
    const ids = groups.get(k.inspect.json) ?? [];
    ids.push(k.id);
    groups.set(k.inspect.json, ids);
  }
  const rows = [...groups].map(([json, ids]) => [ids.join(', '), json] as const);
  const width = Math.max(...rows.map(([ids]) => ids.length)) + 2;
  return rows.map(([ids, json]) => `  ${ids.padEnd(width)}${json}`).join('\n');
}

/** The recording groups the serving kinds bring (rules/index.ts appends them). */
export function kindRecordingGroups(): RecordingGroupDef[] {
  return upstreamKinds.flatMap((k) => (k.serving?.recording ? [k.serving.recording] : []));
}

/** The default selector of every kind: its scrape job. */
export function defaultSelectors(): Record<KindId, string> {
  return Object.fromEntries(upstreamKinds.map((k) => [k.id, `job="${k.scrape.job}"`])) as Record<KindId, string>;
}
