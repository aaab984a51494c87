// SGLang serves /metrics on its API port (30000) when started with --enable-metrics.
import type { ScrapeJob } from './types.ts';

export const sglang: ScrapeJob = {
  job: 'sglang', port: 30000, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'PodMonitor', matchLabels: { 'tokenwatt.io/engine': 'sglang' }, port: 'http', namespaces: [] },
};
