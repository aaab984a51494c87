// vLLM engine detail: what vLLM's own dashboards show beside LLM serving's engine-neutral view,
// per model: speculative decoding, scheduler and prompt cache, the API server's HTTP statuses,
// instances, LoRA and cache-config tables, MFU estimates, KV block residency and latency heatmaps
// (the sections of dashboards/llm-serving-vllm.ts, one row each, open). It shares LLM serving's
// variables and links (servingDashboard), so a model picked there opens here with the same time range,
// and each per-model series links back to LLM serving on its model (src/build/grafana/annotations.ts).
// Every target reads a recorded series (tokenwatt-serving-vllm-detail, the latency bucket rates).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../src/config/mixin.ts';
import { row } from '../src/build/grafana/panels.ts';
import { vllmDetailSections } from './llm-serving-vllm.ts';
import { servingDashboard, servingScope } from './llm-serving.ts';

export default function vllmEngine(config: MixinConfig): Dashboard {
  const board = servingDashboard(config, {
    slug: 'vllm-engine',
    title: 'tokenwatt / vLLM engine detail',
    description: 'vLLM per model: speculative decoding, scheduler and prompt cache, API server statuses, instances, LoRA and cache config, MFU estimates, KV block residency, latency heatmaps (recorded series). Fleet-wide latency and traffic are on LLM serving.',
  }, ['vllm']);
  for (const section of vllmDetailSections(servingScope(config))) {
    board.withRow(row(section.title));
    for (const panel of section.panels) board.withPanel(panel);
  }
  return board.build();
}
