// SGLang (--enable-metrics): the same roles as vLLM's under sglang: names.
import { sglangMetrics } from '../catalog/sglang.ts';
import { recogniseSglang } from '../recognise/sglang.ts';
import { sglangExposition } from '../simulate/sglang.ts';
import { sglang as scrape } from '../../scrape-configs/sglang.ts';
import { sglangPanels } from './sglang-panels.ts';
import { defineServingKind } from './serving.ts';
import type { ServingKind } from './types.ts';

export const sglang: ServingKind<'sglang'> = defineServingKind({
  id: 'sglang',
  title: 'SGLang',
  metrics: sglangMetrics,
  scrape,
  recognise: recogniseSglang,
  serving: {
    promptTokens: 'sglang:prompt_tokens_total', generationTokens: 'sglang:generation_tokens_total', namesModel: true,
    running: 'sglang:num_running_reqs', simulate: sglangExposition, panels: sglangPanels,
  },
});
