// A llama-server-shaped /metrics (--metrics) for one simulated engine: HELP and TYPE lines, no labels,
// the current upstream names (no kv_cache_usage_ratio). The throughput gauges are the engine's current
// decode and prefill speeds rather than llama.cpp's since-last-scrape averages.
import type { EngineSim } from '../../simulate/workload.ts';

export function llamacppExposition(e: EngineSim): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, value: number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  const decodeSeconds = e.h.decode.sum;
  const prefillSeconds = e.h.prefill.sum;
  family('llamacpp:prompt_tokens_total', 'counter', 'Number of prompt tokens processed.', e.promptTokens);
  family('llamacpp:prompt_seconds_total', 'counter', 'Prompt process time', prefillSeconds);
  family('llamacpp:tokens_predicted_total', 'counter', 'Number of generation tokens processed.', e.generationTokens);
  family('llamacpp:tokens_predicted_seconds_total', 'counter', 'Predict process time', decodeSeconds);
  family('llamacpp:prompt_tokens_seconds', 'gauge', 'Average prompt throughput in tokens/s.', prefillSeconds > 0 ? e.h.promptLen.sum / prefillSeconds : 0);
  family('llamacpp:predicted_tokens_seconds', 'gauge', 'Average generation throughput in tokens/s.', e.tokensPerSecond(Math.max(1, e.batch), 1));
  family('llamacpp:requests_processing', 'gauge', 'Number of requests processing.', e.running.length);
  family('llamacpp:requests_deferred', 'gauge', 'Number of requests deferred.', e.waiting.length);
  return `${out.join('\n')}\n`;
}
