// Cost and carbon: dollars per hour per GPU and MIG slice, dollars and grams of CO2e per
// million tokens per model, the waste of idle and unallocated capacity, and month-to-date
// totals. tokenwatt's cost and CO2e series are counters, so rate() gives $/s and increase()
// over the month gives month-to-date. Month-to-date stats read the per-GPU counters once (an instant
// increase over the range, so they also cover time before the rules were loaded); every other
// panel reads the 5m rates recorded per GPU, slice and model (rules/tokenwatt-fleet.ts,
// model-efficiency.ts). The stacked per-GPU and per-slice panels stack by host and by MIG profile
// (the stack's top is still the fleet's total, in 32 lines or a few rather than 256-512 at 32 hosts),
// and a table lists every GPU and slice's cost per hour at the end of the range.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { rateOf } from '../src/promql/helpers.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function costCarbon(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const tw = matchers(config.selectors.tokenwatt, cluster);
  const gpu = matchers(tw, 'host=~"$host"');
  const usd = metric('tokenwatt_gpu_cost_total').grafanaUnit;
  /** Recorded per-GPU/slice series carry cluster and host (no job); per-model ones cluster, namespace, model_name. */
  const rg = matchers(cluster, 'host=~"$host"');
  const rm = matchers(cluster, 'namespace=~"$namespace"', 'model_name=~"$model"');
  const perHour = (name: string, by: readonly string[], m: string) => `3600 * sum by (${by.join(', ')}) (${name}{${m}})`;
  const sumBy = (name: string, by: readonly string[], m: string) => `sum by (${by.join(', ')}) (${name}{${m}})`;
  const monthToDate = (name: string, m: string) => `sum(${rateOf(name, m, '$__range', 'increase')})`;
  const tokens = 'model_name:tokenwatt_generation_tokens:rate5m';

  return tokenwattDashboard(config, {
    slug: 'cost-carbon',
    title: 'tokenwatt / Cost and carbon',
    description: 'Dollars per hour per GPU and MIG slice, $ and gCO2e per million tokens per model, idle and unallocated waste, month-to-date totals.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, `tokenwatt_gpu_info{${config.selectors.tokenwatt}}`))
    .withVariable(labelVariable('host', 'Host', 'host', `tokenwatt_gpu_info{${tw}}`))
    .withVariable(labelVariable('namespace', 'Namespace', 'namespace', `tokenwatt_engine_info{${gpu}}`))
    .withVariable(labelVariable('model', 'Model', 'model_name', `tokenwatt_engine_info{${matchers(gpu, 'namespace=~"$namespace"')}}`))
    .withRow(row('Month to date'))
    .withPanel(stat({
      title: 'GPU cost, month to date', unit: usd, w: 6, timeFrom: 'now/M',
      description: 'Cost of the selected GPUs since the start of this month (capacity price x time + energy x PUE x $/kWh).',
      targets: [{ expr: monthToDate('tokenwatt_gpu_cost_total', gpu), legend: 'cost', instant: true }],
    }))
    .withPanel(stat({
      title: 'Idle and unallocated cost, month to date', unit: usd, w: 6, timeFrom: 'now/M',
      description: 'Cost of allocated slices while idle plus MIG capacity no slice holds, since the start of this month.',
      targets: [{
        expr: `${monthToDate('tokenwatt_idle_cost_total', gpu)} + (${monthToDate('tokenwatt_unallocated_cost_total', gpu)} or vector(0))`, legend: 'waste', instant: true,
        drillDown: 'a month-to-date total over the per-slice idle-cost counter, one instant evaluation that also covers time before the rules were loaded',
      }],
    }))
    .withPanel(stat({
      title: 'CO2e, month to date', unit: metric('tokenwatt_gpu_co2e_grams_total').grafanaUnit, w: 6, timeFrom: 'now/M',
      description: 'Grams of CO2e of the selected GPUs since the start of this month (kWh x PUE x grid intensity).',
      targets: [{ expr: monthToDate('tokenwatt_gpu_co2e_grams_total', gpu), legend: 'CO2e', instant: true }],
    }))
    .withPanel(stat({
      title: 'Grid intensity', unit: 'suffix:gCO2e/kWh', w: 6,
      description: 'Grid carbon intensity tokenwatt uses (a constant, or read from Prometheus), by source.',
      targets: [{ expr: `max by (source) (tokenwatt_grid_intensity_grams_per_kwh{${tw}})`, legend: '{{source}}' }],
    }))
    .withRow(row('Cost'))
    .withPanel(timeseries({
      title: 'Cost per hour by host', unit: usd, stack: true,
      description: 'Dollars per hour of each host\'s GPUs (3600 x rate of tokenwatt_gpu_cost_total, summed over the host\'s physical GPUs), capacity and energy together; the stack\'s top is the selected GPUs\' total. Per GPU: the table below.',
      targets: [{ expr: perHour('gpu:tokenwatt_gpu_cost:rate5m', ['host'], rg), legend: '{{host}}' }],
    }))
    .withPanel(timeseries({
      title: 'Cost per hour by MIG profile', unit: usd, stack: true,
      description: 'Dollars per hour of the MIG slices (and whole GPUs, profile empty) of each profile, e.g. all 3g.40gb slices together: GPU price x slice weight plus attributed energy cost. Per slice: the table below.',
      targets: [{ expr: perHour('slice:tokenwatt_slice_cost:rate5m', ['gpu_profile'], rg), legend: '{{gpu_profile}}' }],
    }))
    .withPanel(table({
      title: 'Cost per hour by GPU and MIG slice', unit: usd,
      description: 'Dollars per hour of every MIG slice (or whole GPU) at the end of the range, most expensive first: GPU price x slice weight plus its attributed energy cost.',
      targets: [{ expr: `sort_desc(${perHour('slice:tokenwatt_slice_cost:rate5m', ['host', 'gpu', 'gpu_instance_id', 'gpu_profile'], rg)})` }],
    }))
    .withPanel(timeseries({
      title: '$ per 1M tokens by model', unit: usd,
      description: 'Cost per million generated tokens, per model: 10^6 x rate of attributed cost / rate of generated tokens.',
      targets: [{ expr: `1e6 / 3600 * ${sumBy('model_name:tokenwatt_cost_per_hour:rate5m', ['model_name'], rm)} / (${sumBy(tokens, ['model_name'], rm)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: '$ per 1M tokens by model and node pool', unit: usd,
      description: 'Cost per million generated tokens of each model on each node pool, the pool\'s GPUs charged at its price basis (spot, on-demand, reserved: exporter.energy.nodePools); hosts of no pool are "default".',
      targets: [{ expr: `node_pool:tokenwatt_cost_per_million_tokens:ratio_rate5m{${rm}}`, legend: '{{model_name}} on {{node_pool}} ({{price_basis}})' }],
    }))
    .withPanel(timeseries({
      title: 'Cost per hour by component', unit: usd, stack: true,
      description: 'GPU dollars per hour split into capacity (price x time) and energy (kWh x PUE x $/kWh).',
      targets: [{ expr: perHour('gpu:tokenwatt_gpu_cost:rate5m', ['component'], rg), legend: '{{component}}' }],
    }))
    .withPanel(timeseries({
      title: 'Idle and unallocated waste per hour', unit: usd, stack: true,
      description: 'Dollars per hour spent on allocated slices doing no work, and on MIG capacity that no slice holds.',
      targets: [
        { expr: `3600 * sum(slice:tokenwatt_idle_cost:rate5m{${rg}})`, legend: 'idle slices' },
        { expr: `3600 * sum(gpu:tokenwatt_unallocated_cost:rate5m{${rg}})`, legend: 'unallocated MIG capacity' },
      ],
    }))
    .withPanel(timeseries({
      title: 'Waste share of cost', unit: 'percentunit', min: 0,
      description: 'Idle plus unallocated cost over total GPU cost.',
      targets: [{
        expr: `(sum(slice:tokenwatt_idle_cost:rate5m{${rg}}) + (sum(gpu:tokenwatt_unallocated_cost:rate5m{${rg}}) or vector(0))) / sum(gpu:tokenwatt_gpu_cost:rate5m{${rg}})`,
        legend: 'waste',
      }],
    }))
    .withPanel(stat({
      title: 'Idle GPU cost vs scale to zero, over the range', unit: usd, w: 12,
      description: 'Money spent on allocated slices doing no work over the selected range, against what scaling each model to zero after the autoscaling idle time (autoscaling.idleSecondsBeforeZero, KEDA cooldownPeriod) would have saved: its whole cost while it had generated no token for that long (docs/autoscaling.md).',
      targets: [
        { expr: `sum(avg_over_time(slice:tokenwatt_idle_cost:rate5m{${rg}}[$__range])) * $__range_s`, legend: 'idle GPU cost', instant: true },
        { expr: `sum(avg_over_time(model_name:tokenwatt_scale_to_zero_savings:cost_per_hour{${rm}}[$__range])) * $__range_s / 3600`, legend: 'saved by scale to zero', instant: true },
      ],
    }))
    .withRow(row('Carbon'))
    .withPanel(timeseries({
      title: 'gCO2e per 1M tokens by model', unit: metric('tokenwatt_model_co2e_grams_total').grafanaUnit,
      description: 'Grams of CO2e per million generated tokens, per model.',
      targets: [{ expr: `1e6 * ${sumBy('model_name:tokenwatt_co2e_grams:rate5m', ['model_name'], rm)} / (${sumBy(tokens, ['model_name'], rm)} > 0)`, legend: '{{model_name}}' }],
    }))
    .withPanel(timeseries({
      title: 'CO2e per hour by host', unit: 'suffix:gCO2e/h', stack: true,
      description: 'Grams of CO2e per hour of each host\'s physical GPUs; the stack\'s top is the selected GPUs\' total.',
      targets: [{ expr: perHour('gpu:tokenwatt_gpu_co2e_grams:rate5m', ['host'], rg), legend: '{{host}}' }],
    }))
    .build();
}
