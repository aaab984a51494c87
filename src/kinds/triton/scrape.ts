// Triton serves /metrics on its metrics port (8002). In Kubernetes, label its pods
// `tokenwatt.io/engine: triton` and name the port `metrics`. Its model series name the model in
// `model`: copied into model_name at ingest so every per-model rule and picker reads one label.
import type { ScrapeJob } from '../../../scrape-configs/types.ts';

export const tritonScrape: ScrapeJob = {
  job: 'triton', port: 8002, path: '/metrics', honorLabels: false, hostLabel: true, modelFrom: 'model',
  kubernetes: { kind: 'PodMonitor', matchLabels: { 'tokenwatt.io/engine': 'triton' }, port: 'metrics', namespaces: [] },
};
