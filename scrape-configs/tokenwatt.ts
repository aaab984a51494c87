// tokenwatt's exporter (port 9464). Its series carry their own host/gpu labels (the GPU they are
// about), so no host target label and honor_labels on.
import type { ScrapeJob } from './types.ts';

export const tokenwatt: ScrapeJob = {
  job: 'tokenwatt', port: 9464, path: '/metrics', honorLabels: true, hostLabel: false,
  kubernetes: { kind: 'ServiceMonitor', matchLabels: { 'app.kubernetes.io/name': 'tokenwatt' }, port: 'metrics', namespaces: [] },
};
