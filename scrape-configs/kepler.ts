// Kepler: port 28282 since 0.10 (9102 before). Its Helm chart labels the Service
// app.kubernetes.io/name=kepler with port `http`. Kepler 0.10+ names the node in `node_name`,
// which becomes `host` at ingest.
import type { ScrapeJob } from './types.ts';

export const kepler: ScrapeJob = {
  job: 'kepler', port: 28282, path: '/metrics', honorLabels: false, hostLabel: true, hostFrom: ['node_name'],
  kubernetes: { kind: 'ServiceMonitor', matchLabels: { 'app.kubernetes.io/name': 'kepler' }, port: 'http', namespaces: ['kepler'] },
};
