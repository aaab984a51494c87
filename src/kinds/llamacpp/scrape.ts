// llama-server serves /metrics on its port (8080 by default) when started with --metrics. In
// Kubernetes, label its pods `tokenwatt.io/engine: llamacpp` (port `http`) and `tokenwatt.io/model:
// <model>`: its metrics name no model, so the PodMonitor copies that label into model_name.
import type { ScrapeJob } from '../../../scrape-configs/types.ts';

export const llamacppScrape: ScrapeJob = {
  job: 'llamacpp', port: 8080, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'PodMonitor', matchLabels: { 'tokenwatt.io/engine': 'llamacpp' }, port: 'http', namespaces: [], podLabels: { model_name: 'tokenwatt.io/model' } },
};
