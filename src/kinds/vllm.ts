// vLLM (and Triton's vLLM backend, whose series carry `model`/`version`): engine token counters,
// KV cache, queues, latency histograms.
import { vllmMetrics } from '../catalog/vllm.ts';
import { recogniseVllm } from '../recognise/vllm.ts';
import { vllmExposition } from '../simulate/vllm.ts';
import { vllm as scrape } from '../../scrape-configs/vllm.ts';
import { defineServingKind } from './serving.ts';
import type { ServingKind } from './types.ts';

export const vllm: ServingKind<'vllm'> = defineServingKind({
  id: 'vllm',
  title: 'vLLM',
  metrics: vllmMetrics,
  scrape,
  recognise: recogniseVllm,
  serving: {
    promptTokens: 'vllm:prompt_tokens_total', generationTokens: 'vllm:generation_tokens_total', namesModel: true,
    running: 'vllm:num_requests_running', simulate: vllmExposition,
  },
});
