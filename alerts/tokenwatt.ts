// The monitoring pipeline itself: tokenwatt's exporter, its collectors and NVML, and the other
// exporters tokenwatt relies on (Kepler, node_exporter).
import { sel } from '../src/promql/helpers.ts';
import { alert } from '../src/rules/types.ts';
import type { AlertGroupDef } from '../src/rules/types.ts';

const group: AlertGroupDef = (c) => {
  const t = c.alerting.tokenwatt;
  const tw = c.selectors.tokenwatt;
  return {
    name: 'tokenwatt',
    rules: [
      alert(c, {
        name: 'TokenwattDown', severity: 'warning', component: 'tokenwatt', for: t.downFor,
        expr: `${sel('up', tw)} == 0`,
        summary: 'Prometheus cannot scrape the tokenwatt exporter, so energy and cost figures stop.',
        description: 'tokenwatt target {{ $labels.instance }} has been down for ' + t.downFor + '.',
      }),
      alert(c, {
        name: 'TokenwattCollectorDown', severity: 'warning', component: 'tokenwatt', for: t.collectorDownFor,
        expr: `${sel('tokenwatt_collector_up', tw)} == 0`,
        summary: 'A tokenwatt collector keeps failing against its target.',
        description: 'Collector {{ $labels.collector }} of {{ $labels.instance }} has failed against {{ $labels.target }} for ' + t.collectorDownFor + '.',
      }),
      alert(c, {
        name: 'TokenwattNVMLDown', severity: 'warning', component: 'tokenwatt', for: t.nvmlDownFor,
        expr: `${sel('tokenwatt_nvml_up', tw)} == 0`,
        summary: 'tokenwatt cannot read NVML, so GPU energy is not measured.',
        description: 'NVML backend {{ $labels.backend }} of {{ $labels.instance }} has not answered for ' + t.nvmlDownFor + '.',
      }),
      alert(c, {
        // The same patience as a failing collector: the pod mapping or a board can be late for a cycle or two.
        name: 'TokenwattEngineUnplaced', severity: 'warning', component: 'tokenwatt', for: t.collectorDownFor,
        expr: `${sel('tokenwatt_engine_placed', tw)} == 0`,
        summary: 'A serving engine is placed on no GPU or MIG instance a source reports, so it gets no energy.',
        description: 'Engine {{ $labels.model_name }} ({{ $labels.engine }}) of {{ $labels.instance }} is placed on host "{{ $labels.host }}" GPU "{{ $labels.gpu }}" instance "{{ $labels.gpu_instance_id }}", which no source reports, for ' + t.collectorDownFor + '.',
      }),
      alert(c, {
        name: 'TokenwattNoEnergyCounter', severity: 'info', component: 'tokenwatt', for: '1h',
        expr: `${sel('tokenwatt_nvml_energy_counter_supported', tw)} == 0`,
        summary: 'A GPU exposes no energy counter, so tokenwatt reports no joules for it.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.gpu_model }}) on {{ $labels.host }} has no NVML energy counter; only power is read.',
      }),
      alert(c, {
        name: 'KeplerDown', severity: 'warning', component: 'tokenwatt', for: t.downFor,
        expr: `${sel('up', c.selectors.kepler)} == 0`,
        summary: 'Prometheus cannot scrape Kepler, so CPU and pod energy stop.',
        description: 'Kepler target {{ $labels.instance }} on {{ $labels.host }} has been down for ' + t.downFor + '.',
      }),
      alert(c, {
        name: 'NodeExporterDown', severity: 'warning', component: 'tokenwatt', for: t.downFor,
        expr: `${sel('up', c.selectors.node)} == 0`,
        summary: 'Prometheus cannot scrape a node_exporter.',
        description: 'node_exporter {{ $labels.instance }} on {{ $labels.host }} has been down for ' + t.downFor + '.',
      }),
    ],
  };
};
export default group;
