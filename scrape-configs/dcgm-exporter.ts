// dcgm-exporter (port 9400). The GPU Operator's Service is `nvidia-dcgm-exporter` with label
// app=nvidia-dcgm-exporter and port `gpu-metrics`. honor_labels keeps its pod/namespace labels,
// which name the workload using the GPU. Its own host label (`Hostname`, or `hostname` on main)
// becomes `host` at ingest.
import type { ScrapeJob } from './types.ts';

export const dcgmExporter: ScrapeJob = {
  job: 'dcgm-exporter', port: 9400, path: '/metrics', honorLabels: true, hostLabel: true, hostFrom: ['Hostname', 'hostname'],
  kubernetes: { kind: 'ServiceMonitor', matchLabels: { app: 'nvidia-dcgm-exporter' }, port: 'gpu-metrics', namespaces: ['gpu-operator'] },
};
