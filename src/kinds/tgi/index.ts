// Hugging Face Text Generation Inference: its catalog entries, recogniser, simulator, scrape job and
// dashboard row. Its metrics name no model: the exporter target's `model`, and the scrape's
// model_name target label, say which.
import { defineServingKind } from '../serving.ts';
import type { ServingKind } from '../types.ts';
import { tgiMetrics } from './metrics.ts';
import { tgiPanels } from './panels.ts';
import { recogniseTgi, TGI_GENERATED_TOKENS, TGI_PROMPT_TOKENS } from './recognise.ts';
import { tgiRecording } from './recording.ts';
import { tgiScrape } from './scrape.ts';
import { tgiExposition } from './simulate.ts';

export const tgi: ServingKind<'tgi'> = defineServingKind({
  id: 'tgi',
  title: 'TGI',
  metrics: tgiMetrics,
  scrape: tgiScrape,
  recognise: recogniseTgi,
  serving: {
    promptTokens: TGI_PROMPT_TOKENS, generationTokens: TGI_GENERATED_TOKENS, namesModel: false,
    running: 'tgi_batch_current_size', simulate: tgiExposition, panels: tgiPanels, recording: tgiRecording,
  },
});
