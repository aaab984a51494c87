// The tokenwatt exporter itself: is every collector reaching its target, how long runs take,
// why they fail, and whether NVML (or its fallback) answers with an energy counter. Per-target time
// series (one per exporter, collector and target: 544 at 32 hosts) draw the FLEET_TOP_K worst at
// each step; the count of failing collectors and the errors by reason cover every target.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { FLEET_TOP_K, rateOf, topAtEachStep } from '../src/promql/helpers.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function exporter(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const m = matchers(config.selectors.tokenwatt, cluster, 'instance=~"$instance"');
  const legend = '{{instance}} {{collector}} {{target}}';
  const K = FLEET_TOP_K;
  const ranked = (what: string) => ` Shows the ${K} collector/target pairs with the ${what} at each moment; choose an exporter above to rank within it.`;

  return tokenwattDashboard(config, {
    slug: 'exporter',
    title: 'tokenwatt / Exporter health',
    description: 'The tokenwatt exporter: collectors up, run durations, errors by reason, NVML health.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, `tokenwatt_build_info{${config.selectors.tokenwatt}}`))
    .withVariable(labelVariable('instance', 'Exporter', 'instance', `tokenwatt_build_info{${matchers(config.selectors.tokenwatt, cluster)}}`))
    .withRow(row('Status'))
    .withPanel(stat({
      title: 'Exporters up', unit: 'short', w: 6,
      description: 'tokenwatt exporters whose last Prometheus scrape succeeded.',
      targets: [{ expr: `sum(up{${m}})`, legend: 'up' }],
    }))
    .withPanel(stat({
      title: 'Collectors failing', unit: 'short', w: 6,
      description: 'Collector/target pairs whose last run failed (tokenwatt_collector_up == 0).',
      targets: [{ expr: `count(tokenwatt_collector_up{${m}} == 0) or vector(0)`, legend: 'failing' }],
    }))
    .withPanel(stat({
      title: 'NVML up', unit: metric('tokenwatt_nvml_up').grafanaUnit, w: 6,
      description: '1 when NVML (or its nvidia-smi fallback) answered in the last run, per backend.',
      targets: [{ expr: `min by (backend) (tokenwatt_nvml_up{${m}})`, legend: '{{backend}}' }],
    }))
    .withPanel(stat({
      title: 'GPUs without energy counter', unit: 'short', w: 6,
      description: 'GPUs where only power is available (nvidia-smi fallback): no joule figures come from them.',
      targets: [{ expr: `count(tokenwatt_nvml_energy_counter_supported{${m}} == 0) or vector(0)`, legend: 'GPUs' }],
    }))
    .withRow(row('Collectors'))
    .withPanel(timeseries({
      title: 'Collector up', unit: metric('tokenwatt_collector_up').grafanaUnit, min: 0, max: 1,
      description: `1 when the collector's last run against its target succeeded.${ranked('lowest value (failing ones first)')}`,
      targets: [{ expr: topAtEachStep(`tokenwatt_collector_up{${m}}`, 'bottomk'), legend }],
    }))
    .withPanel(timeseries({
      title: 'Collector run duration', unit: metric('tokenwatt_collector_duration_seconds').grafanaUnit,
      description: `Duration of each collector's last run against its target.${ranked('slowest runs')}`,
      targets: [{ expr: topAtEachStep(`tokenwatt_collector_duration_seconds{${m}}`), legend }],
    }))
    .withPanel(timeseries({
      title: 'Collector errors by reason', unit: 'short', stack: true,
      description: 'Failed collector runs per second by reason (timeout, http_status, parse, too_large, connect...). A healthy collector shows 0: its error counter appears only with its first error.',
      // `or … * 0`: a collector that never failed has no error series yet; show it at 0, not as no data.
      targets: [{ expr: `sum by (collector, reason) (${rateOf('tokenwatt_collector_errors_total', m)}) or (sum by (collector) (tokenwatt_collector_up{${m}}) * 0)`, legend: '{{collector}} {{reason}}' }],
    }))
    .withPanel(timeseries({
      title: 'Time since last success', unit: 's',
      description: `Seconds since each collector last succeeded against its target; grows while it fails.${ranked('oldest last success')}`,
      targets: [{ expr: `time() - ${topAtEachStep(`tokenwatt_collector_last_success_timestamp_seconds{${m}}`, 'bottomk')}`, legend }],
    }))
    .withPanel(timeseries({
      title: 'Series read per run', unit: metric('tokenwatt_collector_series').grafanaUnit,
      description: `Series each collector read from its target in the last run.${ranked('most series')}`,
      targets: [{ expr: topAtEachStep(`tokenwatt_collector_series{${m}}`), legend }],
    }))
    .withPanel(timeseries({
      title: 'Exporter scrape duration', unit: metric('scrape_duration_seconds').grafanaUnit,
      description: 'How long Prometheus takes to scrape each tokenwatt exporter.',
      targets: [{ expr: `scrape_duration_seconds{${m}}`, legend: '{{instance}}' }],
    }))
    .withRow(row('NVML'))
    .withPanel(table({
      title: 'Energy counter per GPU', unit: 'bool',
      description: 'Per GPU: 1 when NVML exposes the total-energy counter, 0 when tokenwatt fell back to power readings only.',
      targets: [{ expr: `tokenwatt_nvml_energy_counter_supported{${m}}` }],
    }))
    .withPanel(table({
      title: 'Exporter versions', unit: 'none',
      description: 'tokenwatt and Node.js version of every exporter (tokenwatt_build_info).',
      targets: [{ expr: `tokenwatt_build_info{${m}}` }],
    }))
    .build();
}
