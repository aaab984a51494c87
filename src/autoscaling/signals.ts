// The four scaling signals of each serving engine kind, as plain data: which upstream series each
// is computed from and the name it is recorded under (rules/autoscaling.ts writes the rules,
// src/catalog/recording.ts declares the names). KEDA triggers and prometheus-adapter rules read only
// these recorded series, never raw histograms. A new engine kind gets autoscaling by one entry here.
//
// Windows: generated tokens over 1m and TTFT p95 over 2m, so a surge shows within a minute or two;
// at the 15 s scrape interval that is 4 and 8 samples per window (Prometheus wants at least 4).

export const TOKENS_WINDOW = '1m';
export const TTFT_WINDOW = '2m';

export interface EngineSignals {
  /** Key of MixinConfig.selectors for this engine's series. */
  selector: 'vllm' | 'sglang';
  /** Upstream series (catalog names). */
  source: { waiting: string; kvUsage: string; generationTokens: string; ttft: string };
  /** Recorded names, one series per (cluster, namespace, model_name). */
  recorded: { waiting: string; kvUsage: string; generationTokens: string; ttftP95: string };
}

function names(prefix: string, waiting: string, kv: string): EngineSignals['recorded'] {
  return {
    waiting: `model_name:${prefix}_${waiting}:sum`,
    kvUsage: `model_name:${prefix}_${kv}:avg`,
    generationTokens: `model_name:${prefix}_generation_tokens:rate${TOKENS_WINDOW}`,
    ttftP95: `model_name:${prefix}_time_to_first_token_seconds:p95_rate${TTFT_WINDOW}`,
  };
}

export const ENGINE_SIGNALS: Record<string, EngineSignals> = {
  vllm: {
    selector: 'vllm',
    source: { waiting: 'vllm:num_requests_waiting', kvUsage: 'vllm:kv_cache_usage_perc', generationTokens: 'vllm:generation_tokens_total', ttft: 'vllm:time_to_first_token_seconds' },
    recorded: names('vllm', 'num_requests_waiting', 'kv_cache_usage'),
  },
  sglang: {
    selector: 'sglang',
    source: { waiting: 'sglang:num_queue_reqs', kvUsage: 'sglang:token_usage', generationTokens: 'sglang:generation_tokens_total', ttft: 'sglang:time_to_first_token_seconds' },
    recorded: names('sglang', 'num_queue_reqs', 'token_usage'),
  },
};

export type SignalKind = keyof EngineSignals['recorded'];
export const SIGNAL_KINDS: readonly SignalKind[] = ['waiting', 'kvUsage', 'generationTokens', 'ttftP95'];
