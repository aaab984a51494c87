// Kepler: port 28282 since 0.10 (9102 before). Its Helm chart labels the Service
// app.kubernetes.io/name=kepler with port `http`.
import type { ScrapeJob } from './types.ts';

export const kepler: ScrapeJob = {
  job: 'kepler', port: 28282, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'ServiceMonitor', matchLabels: { 'app.kubernetes.io/name': 'kepler' }, port: 'http', namespaces: ['kepler'] },
};
