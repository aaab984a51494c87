// TGI serves /metrics on its API port (3000 by default; 80 in the official container) and on the
// launcher's --prometheus-port (9000). In Kubernetes, label TGI pods `tokenwatt.io/engine: tgi`, name
// the port `http`, and label the pod `tokenwatt.io/model: <model id>`: TGI's metrics name no model, so
// the PodMonitor copies that label into model_name (static hosts: a `model_name` group label).
import type { ScrapeJob } from '../../../scrape-configs/types.ts';

export const tgiScrape: ScrapeJob = {
  job: 'tgi', port: 3000, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'PodMonitor', matchLabels: { 'tokenwatt.io/engine': 'tgi' }, port: 'http', namespaces: [], podLabels: { model_name: 'tokenwatt.io/model' } },
};
