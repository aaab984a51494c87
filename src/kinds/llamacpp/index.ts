// llama.cpp's llama-server: catalog entries, recogniser, simulator, scrape job and dashboard row. Its
// metrics name no model: the exporter target's `model` and the scrape's model_name label say which.
import { defineServingKind } from '../serving.ts';
import type { ServingKind } from '../types.ts';
import { llamacppMetrics } from './metrics.ts';
import { llamacppPanels } from './panels.ts';
import { recogniseLlamacpp } from './recognise.ts';
import { llamacppRecording } from './recording.ts';
import { llamacppScrape } from './scrape.ts';
import { llamacppExposition } from './simulate.ts';

export const llamacpp: ServingKind<'llamacpp'> = defineServingKind({
  id: 'llamacpp',
  title: 'llama.cpp',
  metrics: llamacppMetrics,
  scrape: llamacppScrape,
  recognise: recogniseLlamacpp,
  serving: {
    promptTokens: 'llamacpp:prompt_tokens_total', generationTokens: 'llamacpp:tokens_predicted_total', namesModel: false,
    running: 'llamacpp:requests_processing', simulate: llamacppExposition, panels: llamacppPanels, recording: llamacppRecording,
  },
});
