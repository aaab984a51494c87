// Energy and efficiency: GPU energy from energy counters (never power x time), host CPU/DRAM/
// platform energy from Kepler (legacy <= 0.9 or the 0.10+ rewrite, whichever is deployed),
// tokens per joule per model, GPU and MIG slice, joules per request, and idle vs active energy.
// Panels read 5m rates recorded per GPU, slice and model (rules/gpu-power.ts, tokenwatt-fleet.ts,
// model-efficiency.ts); the range totals read the per-GPU counters once (an instant query), so
// they also cover time before the rules were loaded. Model panels follow $model, GPU panels $host
// and $gpu (a recorded per-model rate has no host). Per-GPU and per-slice time series draw the
// FLEET_TOP_K highest or lowest at each step (10 lines, not 256-512, at 32 hosts), from recorded
// ratios (tokens per joule per GPU and slice: rules/tokenwatt-fleet.ts).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../src/config/mixin.ts';
import { boardJoules, FLEET_TOP_K, rateOf, topAtEachStep } from '../src/promql/helpers.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function energyEfficiency(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const tw = matchers(config.selectors.tokenwatt, cluster);
  const gpu = matchers(tw, 'host=~"$host"', 'gpu=~"$gpu"');
  const model = matchers(gpu, 'model_name=~"$model"');
  const kepler = matchers(config.selectors.kepler, cluster);
  /** Recorded per-GPU/slice series carry cluster, host, gpu (no job); per-model ones cluster, namespace, model_name. */
  const rg = matchers(cluster, 'host=~"$host"', 'gpu=~"$gpu"');
  const rm = matchers(cluster, 'model_name=~"$model"');
  const sumBy = (name: string, by: readonly string[], m: string) => `sum by (${by.join(', ')}) (${name}{${m}})`;
  const tokens = 'model_name:tokenwatt_generation_tokens:rate5m';
  const modelWatts = 'model_name:tokenwatt_energy_watts:rate5m';
  const gpuWatts = 'gpu:tokenwatt_gpu_power_watts:rate5m';
  const sliceWatts = 'slice:tokenwatt_slice_energy_watts:rate5m';
  const unallocated = 'gpu:tokenwatt_unallocated_energy_watts:rate5m';
  const K = FLEET_TOP_K;
  /** Host power of one Kepler component: legacy node series or the rewrite's RAPL zone (zones overlap: one zone per panel line). */
  const keplerWatts = (legacy: string, zone: string) =>
    `sum by (instance) (${rateOf(legacy, kepler)}) or sum by (instance) (${rateOf('kepler_node_cpu_joules_total', matchers(kepler, `zone="${zone}"`))})`;

  return tokenwattDashboard(config, {
    slug: 'energy-efficiency',
    title: 'tokenwatt / Energy and efficiency',
    description: 'GPU energy from energy counters, host energy from Kepler, tokens per joule per model, GPU and MIG slice, joules per request, idle vs active energy.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, `tokenwatt_gpu_info{${config.selectors.tokenwatt}}`))
    .withVariable(labelVariable('host', 'Host', 'host', `tokenwatt_gpu_info{${tw}}`))
    .withVariable(labelVariable('gpu', 'GPU', 'gpu', `tokenwatt_gpu_info{${matchers(tw, 'host=~"$host"')}}`))
    .withVariable(labelVariable('model', 'Model', 'model_name', `tokenwatt_engine_info{${matchers(tw, 'host=~"$host"', 'gpu=~"$gpu"')}}`))
    .withRow(row('GPU energy'))
    .withPanel(stat({
      title: 'GPU energy in range', unit: 'joule', w: 6,
      description: 'Energy of the selected GPUs over the dashboard range: increase of tokenwatt_gpu_energy_joules_total (reset-corrected energy counter).',
      targets: [{ expr: `sum(${rateOf('tokenwatt_gpu_energy_joules_total', gpu, '$__range', 'increase')})`, legend: 'J', instant: true }],
    }))
    .withPanel(stat({
      title: 'GPU energy in range (dcgm-exporter)', unit: 'joule', w: 6,
      description: 'The same from dcgm-exporter\'s DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ), each board counted once under MIG: a cross-check of tokenwatt\'s figure.',
      targets: [{
        expr: `sum(${boardJoules(matchers(config.selectors.dcgm, cluster), '$__range')})`, legend: 'J', instant: true,
        drillDown: 'a cross-check of the raw dcgm-exporter counter over the range, one instant evaluation',
      }],
    }))
    .withPanel(stat({
      title: 'Tokens per joule', unit: 'none', w: 6, decimals: 2,
      description: 'Generated tokens of the selected models per joule of their attributed GPU energy over the same 5m window (all hosts).',
      targets: [{ expr: `sum(${tokens}{${rm}}) / (sum(${modelWatts}{${rm}}) > 0)`, legend: 'tokens/J' }],
    }))
    .withPanel(stat({
      title: 'Idle share of GPU energy', unit: 'percentunit', w: 6,
      description: 'Share of slice energy spent idle (idle power x time, split by slice size) plus MIG capacity no slice holds.',
      targets: [{
        expr: `(sum(${sliceWatts}{${matchers(rg, 'state="idle"')}}) + (sum(${unallocated}{${rg}}) or vector(0))) / sum(${gpuWatts}{${rg}})`,
        legend: 'idle',
      }],
    }))
    .withPanel(timeseries({
      title: 'GPU power from energy counters', unit: 'watt',
      description: `Board power per GPU as the rate of tokenwatt's energy counter, next to dcgm-exporter's (both counters, not sampled power): each for the ${K} GPUs drawing the most at each moment. Choose a host or GPU above to rank within it.`,
      targets: [
        { expr: topAtEachStep(`${gpuWatts}{${rg}}`), legend: '{{host}} GPU {{gpu}} (tokenwatt)' },
        { expr: topAtEachStep(`gpu:dcgm_board_power_watts:rate5m{${rg}}`), legend: '{{host}} GPU {{gpu}} (dcgm-exporter)' },
      ],
    }))
    .withPanel(timeseries({
      title: 'Idle vs active GPU energy', unit: 'watt', stack: true,
      description: 'Power split into idle (idle power x time, shared by slice size), active (the rest, shared by activity x size) and unallocated MIG capacity; the three add up to the board\'s counter.',
      targets: [
        { expr: sumBy(sliceWatts, ['state'], rg), legend: '{{state}}' },
        { expr: `sum(${unallocated}{${rg}})`, legend: 'unallocated' },
      ],
    }))
    // What makes the split an estimate (docs/methodology.md §9), beside the energy it affects.
    .withPanel(stat({
      title: 'Estimated share of GPU energy in range', unit: 'percentunit', w: 8,
      description: 'Per reason, the share of the selected GPUs\' energy over the range whose split among slices and engines is an estimate: unknown activity or idle power, a scrape gap, a counter reset, a switch of energy source, an exporter restart (tokenwatt_estimated_energy_joules_total / tokenwatt_gpu_energy_joules_total). The board energy itself is measured. 0 when nothing was estimated.',
      targets: [{
        expr: `sum by (reason) (${rateOf('tokenwatt_estimated_energy_joules_total', gpu, '$__range', 'increase')}) / scalar(sum(${rateOf('tokenwatt_gpu_energy_joules_total', gpu, '$__range', 'increase')}))`,
        legend: '{{reason}}', instant: true,
      }],
    }))
    .withPanel(table({
      title: 'Estimated GPU energy by reason', unit: 'joule', w: 16,
      description: 'Per GPU and reason, the energy over the range whose split is an estimate (docs/methodology.md §9), and readings the ledger dropped as implausible (tokenwatt_ledger_dropped_readings_total).',
      targets: [
        { expr: `sum by (host, gpu, reason) (${rateOf('tokenwatt_estimated_energy_joules_total', gpu, '$__range', 'increase')})`, instant: true },
        { expr: `sum by (counter, reason) (${rateOf('tokenwatt_ledger_dropped_readings_total', tw, '$__range', 'increase')})`, instant: true },
      ],
    }))
    .withRow(row('Efficiency'))
    .withPanel(timeseries({
      title: 'Tokens per joule by model', unit: 'none', w: 8,
      description: 'Generated tokens per joule of attributed GPU energy, per model (ML.ENERGY\'s method: GPU energy only).',
      targets: [{ expr: `${sumBy(tokens, ['model_name'], rm)} / (${sumBy(modelWatts, ['model_name'], rm)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'Tokens per joule by GPU', unit: 'none', w: 8,
      description: `Generated tokens of every engine on a GPU per joule of that GPU's whole board energy (idle included; recorded: gpu:tokenwatt_tokens_per_joule:ratio_rate5m). Shows the ${K} least efficient GPUs at each moment (an idle GPU is 0); choose a host or GPU above to rank within it.`,
      targets: [{ expr: topAtEachStep(`gpu:tokenwatt_tokens_per_joule:ratio_rate5m{${rg}}`, 'bottomk'), legend: '{{host}} GPU {{gpu}}' }],
    }))
    .withPanel(timeseries({
      title: 'Tokens per joule by MIG slice', unit: 'none', w: 8,
      description: `Generated tokens per joule of the energy attributed to each MIG slice (or whole GPU): a model of the split, not a measurement (recorded: slice:tokenwatt_tokens_per_joule:ratio_rate5m). Shows the ${K} least efficient slices at each moment (an idle slice is 0); choose a host or GPU above to rank within it.`,
      targets: [{ expr: topAtEachStep(`slice:tokenwatt_tokens_per_joule:ratio_rate5m{${rg}}`, 'bottomk'), legend: '{{host}} GPU {{gpu}} {{gpu_profile}} {{gpu_instance_id}}' }],
    }))
    .withPanel(timeseries({
      title: 'Joules per request by model', unit: 'joule',
      description: 'Attributed GPU energy per finished request, per model: rate of energy over rate of finished requests (vLLM request_success_total, SGLang num_requests_total).',
      targets: [{
        expr: `${sumBy(modelWatts, ['model_name'], rm)} / ((${sumBy('model_name:vllm_request_success:rate5m', ['model_name'], rm)} or ${sumBy('model_name:sglang_num_requests:rate5m', ['model_name'], rm)}) > 0)`,
        legend: '{{model_name}}',
      }],
    }))
    .withPanel(timeseries({
      title: 'Joules per input and output token by model', unit: 'joule',
      description: 'Attributed GPU energy per prompt (input) token and per generated (output) token, per model (the latter is the inverse of tokens per joule). Each divides the model\'s whole energy by one kind of token: not a split between prefill and decode, and the two do not add up (docs/methodology.md, "Energy per input token").',
      targets: [
        { expr: sumBy('model_name:tokenwatt_joules_per_prompt_token:ratio_rate5m', ['model_name'], rm), legend: 'per input token {{model_name}}' },
        { expr: sumBy('model_name:tokenwatt_joules_per_generated_token:ratio_rate5m', ['model_name'], rm), legend: 'per output token {{model_name}}' },
      ],
    }))
    .withPanel(table({
      title: 'Tokens per joule (exporter window)', unit: 'none',
      description: 'tokenwatt_model_tokens_per_joule as the exporter computes it over its configured window, per engine and slice.',
      targets: [{ expr: `tokenwatt_model_tokens_per_joule{${model}}`, drillDown: 'one row per engine and slice as the exporter computes it (an instant table, one evaluation)' }],
    }))
    .withRow(row('Host energy (Kepler)'))
    .withPanel(timeseries({
      title: 'CPU package power', unit: 'watt', w: 8,
      description: 'CPU package power per Kepler instance from RAPL energy counters: legacy Kepler (kepler_node_package_joules_total) or the 0.10+ rewrite (zone="package").',
      targets: [{ expr: keplerWatts('kepler_node_package_joules_total', 'package'), legend: '{{instance}}' }],
    }))
    .withPanel(timeseries({
      title: 'DRAM power', unit: 'watt', w: 8,
      description: 'Host DRAM power per Kepler instance: legacy kepler_node_dram_joules_total or the rewrite\'s zone="dram".',
      targets: [{ expr: keplerWatts('kepler_node_dram_joules_total', 'dram'), legend: '{{instance}}' }],
    }))
    .withPanel(timeseries({
      title: 'Platform power', unit: 'watt', w: 8,
      description: 'Whole-platform power per Kepler instance where RAPL exposes it: legacy kepler_node_platform_joules_total or the rewrite\'s zone="psys".',
      targets: [{ expr: keplerWatts('kepler_node_platform_joules_total', 'psys'), legend: '{{instance}}' }],
    }))
    .build();
}
