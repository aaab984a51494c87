// Every serving engine but vLLM, one row each, from its kind's own panels (src/kinds/<kind>/: SGLang,
// TGI, llama.cpp, Triton and any kind added later with panels): what each engine reports beside the
// engine-neutral view on LLM serving (where SGLang's latency, tokens and KV cache are drawn with vLLM's).
// It shares LLM serving's variables and links (servingDashboard); its pickers list these engines'
// models. Every target reads the kind's recorded per-model series (each kind's `recording` rules).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../src/config/mixin.ts';
import { row } from '../src/build/grafana/panels.ts';
import { matchers } from '../src/build/grafana/variables.ts';
import { SERVING_KIND_IDS, servingOf } from '../src/kinds/index.ts';
import { servingDashboard, servingScope } from './llm-serving.ts';

/** The serving kinds this dashboard draws: every one with panels of its own, vLLM aside (dashboards/vllm-engine.ts). */
export const OTHER_ENGINES = SERVING_KIND_IDS.filter((id) => id !== 'vllm' && servingOf(id).panels !== undefined);

export default function otherEngines(config: MixinConfig): Dashboard {
  const titles = OTHER_ENGINES.map((id) => servingOf(id).title).join(', ');
  const board = servingDashboard(config, {
    slug: 'other-engines',
    title: `tokenwatt / Other engines (${titles})`,
    description: `What ${titles} report of their own, per model (recorded series): one row per engine. Fleet-wide latency and traffic are on LLM serving, vLLM's detail on vLLM engine detail.`,
  }, OTHER_ENGINES);
  const scope = servingScope(config);
  for (const id of OTHER_ENGINES) {
    const kind = servingOf(id);
    board.withRow(row(kind.title));
    for (const panel of kind.panels!({ config, scope, matchers: matchers(config.selectors[id], scope) })) board.withPanel(panel);
  }
  return board.build();
}
