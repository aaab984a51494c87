// vLLM's OpenAI server serves /metrics on its API port (8000). In Kubernetes, label vLLM pods
// `tokenwatt.io/engine: vllm` and name the port `http`.
import type { ScrapeJob } from './types.ts';

export const vllm: ScrapeJob = {
  job: 'vllm', port: 8000, path: '/metrics', honorLabels: false, hostLabel: true,
  kubernetes: { kind: 'PodMonitor', matchLabels: { 'tokenwatt.io/engine': 'vllm' }, port: 'http', namespaces: [] },
};
