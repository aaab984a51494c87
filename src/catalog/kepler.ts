// Kepler: two incompatible generations. Legacy (<= 0.9.0, port 9102) and the rewrite
// (0.10.0+, port 28282) whose CPU series carry a `zone` label; zones overlap, so never sum
// across zones.
import { defineMetrics } from './types.ts';
import type { MetricDef } from './types.ts';

const LEGACY_CONTAINER = ['container_id', 'container_name', 'container_namespace', 'pod_name', 'mode', 'source', 'command'] as const;
const LEGACY_NODE = ['instance', 'source', 'mode'] as const;
const legacyComponents = ['package', 'core', 'uncore', 'dram', 'gpu', 'other', 'platform'] as const;

const legacy: MetricDef[] = [
  { name: 'kepler_container_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Legacy Kepler: all components of a container.', labels: LEGACY_CONTAINER, source: 'kepler', removed: '0.10.0' },
  { name: 'kepler_exporter_build_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'Legacy Kepler build information.', labels: ['version', 'revision', 'branch'], source: 'kepler', removed: '0.10.0' },
  ...legacyComponents.flatMap((c): MetricDef[] => [
    { name: `kepler_container_${c}_joules_total`, type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: `Legacy Kepler: ${c} energy of a container.`, labels: LEGACY_CONTAINER, source: 'kepler', removed: '0.10.0' },
    // kepler_node_gpu_joules_total came back in 0.11.4 under the same name: declared once below.
    ...(c === 'gpu' ? [] : [{ name: `kepler_node_${c}_joules_total`, type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: `Legacy Kepler: ${c} energy of the node.`, labels: LEGACY_NODE, source: 'kepler', removed: '0.10.0' } as MetricDef]),
  ]),
];

const ZONE = ['node_name', 'zone', 'path'] as const;
const rewrite: MetricDef[] = [
  // Only on the pre-release rewrite branch (port 28282, PR #2037): which RAPL zones were found (value 1).
  // Declared so that such a scrape is recognised as the rewrite; it carries no energy.
  { name: 'kepler_node_energy_zone', type: 'gauge', unit: 'info', grafanaUnit: 'none', help: 'Pre-0.10 rewrite branch: RAPL zones found (value 1); not in released 0.10+.', labels: ['index', 'name', 'path'], source: 'kepler', since: '0.10.0-pre', removed: '0.10.0' },
  { name: 'kepler_build_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'Kepler (0.10+) build information.', labels: ['version', 'revision', 'branch', 'goversion', 'goarch'], source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Node CPU energy by RAPL zone (zones overlap).', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Node CPU power by RAPL zone.', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_active_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Node CPU active energy by zone.', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_idle_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Node CPU idle energy by zone.', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_active_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Node CPU active power by zone.', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_cpu_idle_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Node CPU idle power by zone.', labels: ZONE, source: 'kepler', since: '0.10.0' },
  { name: 'kepler_pod_cpu_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Pod CPU (active) energy by zone; sum state=running and terminated.', labels: ['node_name', 'zone', 'pod_id', 'pod_name', 'pod_namespace', 'state'], source: 'kepler', since: '0.10.0' },
  { name: 'kepler_pod_cpu_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Pod CPU power by zone.', labels: ['node_name', 'zone', 'pod_id', 'pod_name', 'pod_namespace', 'state'], source: 'kepler', since: '0.10.0' },
  { name: 'kepler_container_cpu_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Container CPU energy by zone.', labels: ['node_name', 'zone', 'container_id', 'container_name', 'pod_id', 'state', 'runtime'], source: 'kepler', since: '0.10.0' },
  { name: 'kepler_node_gpu_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Node GPU energy: legacy Kepler (labels instance, source, mode), and again from 0.11.4 (experimental, off by default, emitted only when > 0).', labels: ['node_name', 'gpu', 'gpu_uuid', 'gpu_name', 'vendor', ...LEGACY_NODE], source: 'kepler', optional: true },
  { name: 'kepler_node_gpu_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Node GPU power (experimental).', labels: ['node_name', 'gpu', 'gpu_uuid', 'gpu_name', 'vendor'], source: 'kepler', since: '0.11.4', optional: true },
  { name: 'kepler_pod_gpu_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'Pod GPU active energy (experimental; idle GPU energy is never charged to pods).', labels: ['node_name', 'pod_id', 'pod_name', 'pod_namespace', 'gpu', 'gpu_uuid'], source: 'kepler', since: '0.11.4', optional: true },
];

export const keplerMetrics = defineMetrics([...legacy, ...rewrite]);
export const KEPLER_RAPL_ZONES = ['package', 'core', 'uncore', 'dram', 'psys'] as const;
