// Kepler's /metrics → node joules by zone and pod joules, for either generation.
//
// Generation: 'rewrite' (0.10+) when a series only the rewrite serves is present (catalog `since`
// 0.10.0…, or kepler_node_gpu_joules_total with the rewrite's node_name label); 'legacy' (≤ 0.9) when
// only series removed in 0.10.0 are. A scrape with neither is not Kepler: RecogniseError.
// Zones overlap (package ⊃ core; psys ⊃ package + dram…): each zone is reported on its own, never
// summed across zones. Within one zone, series that are disjoint parts are summed: rewrite sockets
// (one RAPL path each) and GPUs; legacy modes dynamic + idle (Kepler splits each zone's energy in two).
// Pods, rewrite: kepler_pod_cpu_joules_total summed over state=running and terminated (Kepler moves a
// finished pod's energy to `terminated`), per zone; `joules` is the package zone (psys, then the first
// zone, where package is absent), named in `zone`. GPU energy is in joulesByZone.gpu, not in `joules`.
// Pods, legacy: container series summed per (container_namespace, pod_name) over containers and modes
// dynamic + idle; `joules` is kepler_container_joules_total, or where only component series are served,
// their sum as upstream defines the total: package + uncore + dram + gpu + other.
import { metric } from '../catalog/index.ts';
import type { MetricFamily } from '../exposition/types.ts';
import { catalogSamples, indexSamples, RecogniseError } from './samples.ts';
import type { SampleIndex } from './samples.ts';
import type { KeplerView } from './types.ts';

const NODE_GPU = metric('kepler_node_gpu_joules_total').name;
const NODE_CPU = metric('kepler_node_cpu_joules_total').name;
const POD_CPU = metric('kepler_pod_cpu_joules_total').name;
const POD_GPU = metric('kepler_pod_gpu_joules_total').name;
const LEGACY_CONTAINER_TOTAL = metric('kepler_container_joules_total').name;
const LEGACY_ZONES = ['package', 'core', 'uncore', 'dram', 'gpu', 'other', 'platform'] as const;
const legacyNodeName = (zone: string) =>
  zone === 'gpu' ? NODE_GPU : metric(`kepler_node_${zone}_joules_total`).name;
const legacyContainerName = (zone: string) => metric(`kepler_container_${zone}_joules_total`).name;
/** Upstream's definition of kepler_container_joules_total in terms of its components (HELP text). */
const LEGACY_TOTAL_PARTS = ['package', 'uncore', 'dram', 'gpu', 'other'] as const;
/** The zone a rewrite pod's `joules` is read from, in order of preference. */
const POD_ZONE_PREFERENCE = ['package', 'psys'] as const;

type Pod = KeplerView['pods'][number] & { joulesByZone: Record<string, number> };

export function recogniseKepler(families: MetricFamily[]): KeplerView {
  const index = indexSamples(families);
  const generation = detectGeneration(index);
  return generation === 'rewrite' ? rewrite(index) : legacy(index);
}

function detectGeneration(index: SampleIndex): KeplerView['generation'] {
  let legacySeen = false;
  for (const [sample, def] of catalogSamples(index, 'kepler')) {
    if (def.since?.startsWith('0.10')) return 'rewrite';
    if (def.name === NODE_GPU) {
      if (sample.labels.node_name !== undefined) return 'rewrite';
      legacySeen = true;
    }
    if (def.removed === '0.10.0') legacySeen = true;
  }
  if (legacySeen) return 'legacy';
  throw new RecogniseError(
    `no Kepler series found: expected ${NODE_CPU} (Kepler 0.10+) or ${LEGACY_CONTAINER_TOTAL} (Kepler ≤ 0.9)`,
  );
}

function rewrite(index: SampleIndex): KeplerView {
  const nodes = new Map<string, Record<string, number>>();
  for (const s of index.get(NODE_CPU) ?? []) add(zonesOf(nodes, s.labels.node_name ?? ''), s.labels.zone ?? '', s.value);
  for (const s of index.get(NODE_GPU) ?? []) add(zonesOf(nodes, s.labels.node_name ?? ''), 'gpu', s.value);
  const pods = new Map<string, Pod>();
  for (const s of index.get(POD_CPU) ?? []) add(podOf(pods, s.labels.pod_namespace, s.labels.pod_name).joulesByZone, s.labels.zone ?? '', s.value);
  for (const s of index.get(POD_GPU) ?? []) add(podOf(pods, s.labels.pod_namespace, s.labels.pod_name).joulesByZone, 'gpu', s.value);
  for (const pod of pods.values()) {
    const cpuZones = Object.keys(pod.joulesByZone).filter((z) => z !== 'gpu').sort();
    const zone = POD_ZONE_PREFERENCE.find((z) => z in pod.joulesByZone) ?? cpuZones[0];
    if (zone !== undefined) {
      pod.zone = zone;
      pod.joules = pod.joulesByZone[zone]!;
    }
  }
  return { generation: 'rewrite', nodes: sortedNodes(nodes), pods: sortedPods(pods) };
}

function legacy(index: SampleIndex): KeplerView {
  const nodes = new Map<string, Record<string, number>>();
  for (const zone of LEGACY_ZONES) {
    for (const s of index.get(legacyNodeName(zone)) ?? []) add(zonesOf(nodes, s.labels.instance ?? ''), zone, s.value);
  }
  const pods = new Map<string, Pod>();
  const totals = new Map<Pod, number>();
  for (const s of index.get(LEGACY_CONTAINER_TOTAL) ?? []) {
    const pod = podOf(pods, s.labels.container_namespace, s.labels.pod_name);
    if (!Number.isNaN(s.value)) totals.set(pod, (totals.get(pod) ?? 0) + s.value);
  }
  for (const zone of LEGACY_ZONES) {
    for (const s of index.get(legacyContainerName(zone)) ?? []) {
      add(podOf(pods, s.labels.container_namespace, s.labels.pod_name).joulesByZone, zone, s.value);
    }
  }
  for (const pod of pods.values()) {
    pod.joules = totals.get(pod) ?? LEGACY_TOTAL_PARTS.reduce((sum, z) => sum + (pod.joulesByZone[z] ?? 0), 0);
  }
  return { generation: 'legacy', nodes: sortedNodes(nodes), pods: sortedPods(pods) };
}

function add(record: Record<string, number>, key: string, value: number): void {
  if (Number.isNaN(value)) return;
  record[key] = (record[key] ?? 0) + value;
}

function zonesOf(nodes: Map<string, Record<string, number>>, node: string): Record<string, number> {
  let zones = nodes.get(node);
  if (!zones) nodes.set(node, (zones = {}));
  return zones;
}

function podOf(pods: Map<string, Pod>, namespace: string | undefined, pod: string | undefined): Pod {
  const key = `${namespace ?? ''}\u0000${pod ?? ''}`;
  let p = pods.get(key);
  if (!p) pods.set(key, (p = { namespace: namespace ?? '', pod: pod ?? '', joules: 0, joulesByZone: {} }));
  return p;
}

function sortedNodes(nodes: Map<string, Record<string, number>>): KeplerView['nodes'] {
  return [...nodes].map(([node, joulesByZone]) => ({ node, joulesByZone })).sort((a, b) => a.node.localeCompare(b.node));
}

function sortedPods(pods: Map<string, Pod>): KeplerView['pods'] {
  return [...pods.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod));
}
