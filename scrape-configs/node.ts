// node_exporter (port 9100) on static hosts. kube-prometheus-stack already scrapes its own
// node-exporter; this ServiceMonitor matches that chart's Service for clusters without it.
import type { ScrapeJob } from './types.ts';

export const node: ScrapeJob = {
  job: 'node', port: 9100, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'ServiceMonitor', matchLabels: { 'app.kubernetes.io/name': 'prometheus-node-exporter' }, port: 'http-metrics', namespaces: [] },
};
