// The landing dashboard: what the fleet serves and what it costs, per model — tokens/s,
// tokens per joule, dollars per million tokens, watts and grams of CO2e — and whether the GPUs
// and servers are up. Every figure comes from tokenwatt's counters (energy from energy-counter
// deltas) through per-model 5m rates recorded in rules/model-efficiency.ts and
// rules/tokenwatt-fleet.ts, so the ratios below are ratios over the same window and a panel reads
// a few series per model.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function fleetOverview(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const tw = matchers(config.selectors.tokenwatt, cluster);
  const m = matchers(tw, 'namespace=~"$namespace"', 'model_name=~"$model"');
  /** Recorded per-model series carry cluster, namespace and model_name (no job). */
  const rm = matchers(cluster, 'namespace=~"$namespace"', 'model_name=~"$model"');
  const perModel = (name: string) => `sum by (model_name) (${name}{${rm}})`;
  const total = (name: string) => `sum(${name}{${rm}})`;
  const tokens = 'model_name:tokenwatt_generation_tokens:rate5m';
  const watts = 'model_name:tokenwatt_energy_watts:rate5m';
  /** Currency per second from the recorded cost per hour. */
  const costTotal = `(${total('model_name:tokenwatt_cost_per_hour:rate5m')} / 3600)`;
  const costPerModel = `(${perModel('model_name:tokenwatt_cost_per_hour:rate5m')} / 3600)`;
  const co2 = 'model_name:tokenwatt_co2e_grams:rate5m';
  // Every ratio divides by a rate above 0 only: a window whose counter has not moved yet has no
  // ratio, not +Inf (rules/model-efficiency.ts).

  return tokenwattDashboard(config, {
    slug: 'fleet-overview',
    title: 'tokenwatt / Fleet overview',
    description: 'What each served model produces and costs: tokens/s, tokens per joule, $ per million tokens, watts and CO2e, and the state of GPUs and servers.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, `tokenwatt_gpu_info{${config.selectors.tokenwatt}}`))
    .withVariable(labelVariable('namespace', 'Namespace', 'namespace', `tokenwatt_engine_info{${tw}}`))
    .withVariable(labelVariable('model', 'Model', 'model_name', `tokenwatt_engine_info{${matchers(tw, 'namespace=~"$namespace"')}}`))
    .withRow(row('Fleet'))
    .withPanel(stat({
      title: 'Generated tokens/s', unit: 'short',
      description: 'Output tokens per second of the selected models (5m rate of tokenwatt_model_generation_tokens_total).',
      targets: [{ expr: total(tokens), legend: 'tokens/s' }],
    }))
    .withPanel(stat({
      title: 'Tokens per joule', unit: 'none', decimals: 2,
      description: 'Generated tokens divided by the GPU energy attributed to the same engines over the same window.',
      targets: [{ expr: `${total(tokens)} / (${total(watts)} > 0)`, legend: 'tokens/J' }],
    }))
    .withPanel(stat({
      title: '$ per 1M tokens', unit: metric('tokenwatt_model_cost_total').grafanaUnit, decimals: 3,
      description: 'Cost of the selected engines (capacity + energy) per million generated tokens over the same window.',
      targets: [{ expr: `1e6 * ${costTotal} / (${total(tokens)} > 0)`, legend: '$/1M tokens' }],
    }))
    .withPanel(stat({
      title: 'GPU power', unit: 'watt',
      description: 'Board power of every GPU from its energy counter (5m rate of tokenwatt_gpu_energy_joules_total), not from sampled power.',
      targets: [{ expr: `sum(gpu:tokenwatt_gpu_power_watts:rate5m{${cluster}})`, legend: 'W' }],
    }))
    .withPanel(stat({
      title: 'GPUs reporting', unit: 'short',
      description: 'Physical GPUs tokenwatt sees (tokenwatt_gpu_info), against dcgm-exporter targets up.',
      targets: [
        { expr: `count(tokenwatt_gpu_info{${tw}})`, legend: 'GPUs' },
        { expr: `sum(up{${matchers(config.selectors.dcgm, cluster)}})`, legend: 'dcgm-exporters up' },
      ],
    }))
    .withPanel(stat({
      title: 'Servers up', unit: 'short',
      description: 'vLLM and SGLang scrape targets whose last scrape succeeded.',
      targets: [
        { expr: `sum(up{${matchers(config.selectors.vllm, cluster)}})`, legend: 'vLLM' },
        { expr: `sum(up{${matchers(config.selectors.sglang, cluster)}})`, legend: 'SGLang' },
      ],
    }))
    .withRow(row('Per model'))
    .withPanel(timeseries({
      title: 'Generated tokens/s by model', unit: 'short',
      description: 'Output tokens per second of each served model.',
      targets: [{ expr: perModel(tokens), legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'Tokens per joule by model', unit: 'none',
      description: 'Generated tokens per joule of attributed GPU energy, per model; higher is better.',
      targets: [{ expr: `${perModel(tokens)} / (${perModel(watts)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: '$ per 1M tokens by model', unit: metric('tokenwatt_model_cost_total').grafanaUnit,
      description: 'Cost per million generated tokens, per model: rate of attributed cost over rate of generated tokens, times 10^6.',
      targets: [{ expr: `1e6 * ${costPerModel} / (${perModel(tokens)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'Power by model', unit: 'watt', stack: true,
      description: 'GPU power attributed to each model: rate of its energy counter in joules per second.',
      targets: [{ expr: perModel(watts), legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'CO2e by model', unit: 'suffix:gCO2e/h', stack: true,
      description: 'Grams of CO2e per hour attributed to each model (energy x PUE x grid intensity).',
      targets: [{ expr: `3600 * ${perModel(co2)}`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'gCO2e per 1M tokens by model', unit: metric('tokenwatt_model_co2e_grams_total').grafanaUnit,
      description: 'Grams of CO2e per million generated tokens, per model.',
      targets: [{ expr: `1e6 * ${perModel(co2)} / (${perModel(tokens)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(table({
      title: 'Where each model runs', unit: 'none',
      description: 'Each serving engine with the GPU or MIG slice it runs on and how tokenwatt learned the mapping (tokenwatt_engine_info).',
      targets: [{ expr: `tokenwatt_engine_info{${m}}`, drillDown: 'one row per serving engine, the current mapping (an instant table, one evaluation)' }],
    }))
    .build();
}
