// The kubernetes part of `npm run build`; see src/build/emitters.ts for the order.
// prometheus-operator objects for kube-prometheus-stack: one PrometheusRule per rule group, one
// ServiceMonitor or PodMonitor per scrape job, all labelled `release: <release>` so the stack's
// Prometheus selects them.
import { configuredJobs } from '../../config/jobs.ts';
import type { ScrapeJob } from '../../../scrape-configs/index.ts';
import type { MixinConfig } from '../../config/mixin.ts';
import { compileGroups } from '../../rules/collect.ts';
import type { Emitter } from '../types.ts';
import { toYaml } from '../yaml.ts';
import { exporterEmitters } from './exporter.ts';

function metadata(c: MixinConfig, name: string): object {
  return {
    name: `tokenwatt-${name}`,
    namespace: c.kubernetes.namespace,
    labels: { release: c.kubernetes.release, 'app.kubernetes.io/part-of': 'tokenwatt' },
  };
}

/** CRD relabelings are camelCase (prometheus.yml's are snake_case). */
function relabelings(j: ScrapeJob, c: MixinConfig): object[] {
  const out: object[] = [
    { targetLabel: 'job', replacement: j.job },
    { targetLabel: c.clusterLabel, replacement: c.prometheus.cluster },
  ];
  if (j.hostLabel) out.push({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'host' });
  // Prometheus's meta label for a pod label: every character outside [a-zA-Z0-9_] becomes '_'.
  for (const [target, pod] of Object.entries(j.kubernetes.podLabels ?? {})) {
    out.push({ sourceLabels: [`__meta_kubernetes_pod_label_${pod.replace(/[^a-zA-Z0-9_]/g, '_')}`], targetLabel: target });
  }
  return out;
}

/** The exporter's own host label copied into `host` at ingest (prometheus.yml's metric_relabel_configs). */
function metricRelabelings(j: ScrapeJob): object[] {
  return [
    ...(j.hostFrom ?? []).map((label) => ({ sourceLabels: [label], regex: '(.+)', targetLabel: 'host', replacement: '$1', action: 'replace' })),
    ...(j.modelFrom ? [{ sourceLabels: [j.modelFrom], regex: '(.+)', targetLabel: 'model_name', replacement: '$1', action: 'replace' }] : []),
  ];
}

function monitor(j: ScrapeJob, c: MixinConfig): object {
  const k = j.kubernetes;
  const metric = metricRelabelings(j);
  const endpoint = {
    port: k.port, path: j.path, interval: c.prometheus.scrapeInterval, honorLabels: j.honorLabels, relabelings: relabelings(j, c),
    ...(metric.length > 0 ? { metricRelabelings: metric } : {}),
  };
  const namespaceSelector = k.namespaces.length > 0 ? { matchNames: k.namespaces } : { any: true };
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: k.kind,
    metadata: metadata(c, j.job),
    spec: {
      selector: { matchLabels: k.matchLabels },
      namespaceSelector,
      ...(k.kind === 'ServiceMonitor' ? { endpoints: [endpoint] } : { podMetricsEndpoints: [endpoint] }),
    },
  };
}

const kubernetes: Emitter = {
  name: 'kubernetes',
  emit(c) {
    // Groups are checked by the prometheus rules emitter; reporting them twice would add noise.
    const rules = compileGroups(c).map((g) => ({
      path: `kubernetes/prometheusrule-${g.name}.yaml`,
      content: toYaml({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: metadata(c, g.name), spec: { groups: [g] } }, `the rule group ${g.name}`),
    }));
    const monitors = configuredJobs(c).map((j) => ({
      path: `kubernetes/${j.kubernetes.kind.toLowerCase()}-${j.job}.yaml`,
      content: toYaml(monitor(j, c), `scrape-configs/ (job ${j.job})`),
    }));
    return [...rules, ...monitors];
  },
};

export const kubernetesEmitters: Emitter[] = [kubernetes, ...exporterEmitters];
