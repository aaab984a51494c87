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
  selector: string;
  /**
   * Upstream series (catalog names). `kvUsage` is a 0-1 gauge, or `{ used, total }` two gauges whose
   * ratio is one; `generationTokens` a counter, or `{ histogramSum }` a histogram whose _sum counts them.
   * `ttft` is a histogram of time to first token, or what stands in for it (`ttftIs` says which).
   */
  source: {
    waiting: string;
    kvUsage: string | { used: string; total: string };
    generationTokens: string | { histogramSum: string };
    ttft: string;
  };
  /** What the `ttft-p95` trigger measures when the engine exports no TTFT histogram. */
  ttftIs?: string;
  /** Signals whose recorded series the kind's own recording group already writes (same name, same expression). */
  recordedElsewhere?: SignalKind[];
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
    // rules/serving-vllm.ts records the queue of every model (the LLM serving dashboard plots it).
    recordedElsewhere: ['waiting'],
    recorded: names('vllm', 'num_requests_waiting', 'kv_cache_usage'),
  },
  sglang: {
    selector: 'sglang',
    source: { waiting: 'sglang:num_queue_reqs', kvUsage: 'sglang:token_usage', generationTokens: 'sglang:generation_tokens_total', ttft: 'sglang:time_to_first_token_seconds' },
    // rules/serving-sglang.ts records the queue of every model (the LLM serving dashboard plots it).
    recordedElsewhere: ['waiting'],
    recorded: names('sglang', 'num_queue_reqs', 'token_usage'),
  },
  // TGI (src/kinds/tgi): no KV-cache gauge and no TTFT histogram. The running batch's token budget over
  // the maximum batch tokens stands for KV usage, and queue time for TTFT (TTFT = queue + prefill).
  tgi: {
    selector: 'tgi',
    source: {
      waiting: 'tgi_queue_size',
      kvUsage: { used: 'tgi_batch_current_max_tokens', total: 'tgi_batch_max_total_tokens' },
      generationTokens: { histogramSum: 'tgi_request_generated_tokens' },
      ttft: 'tgi_request_queue_duration',
    },
    ttftIs: 'queue time (TGI exports no time-to-first-token histogram)',
    // src/kinds/tgi/recording.ts records the queue per model already.
    recordedElsewhere: ['waiting'],
    recorded: {
      waiting: 'model_name:tgi_queue_size:sum',
      kvUsage: 'model_name:tgi_batch_token_usage:avg',
      generationTokens: `model_name:tgi_generated_tokens:rate${TOKENS_WINDOW}`,
      ttftP95: `model_name:tgi_request_queue_duration_seconds:p95_rate${TTFT_WINDOW}`,
    },
  },
};

export type SignalKind = keyof EngineSignals['recorded'];
export const SIGNAL_KINDS: readonly SignalKind[] = ['waiting', 'kvUsage', 'generationTokens', 'ttftP95'];
