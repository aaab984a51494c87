// Energy efficiency and money: tokens per joule against its own baseline, slices that cost money
// while idle, GPUs held at their power cap, MIG capacity nobody holds.
import { boardBy, modelBy } from '../src/rules/levels.ts';
import { alert } from '../src/rules/types.ts';
import type { AlertGroupDef } from '../src/rules/types.ts';

const group: AlertGroupDef = (c) => {
  const e = c.alerting.energy;
  const model = modelBy(c).join(', ');
  const slice = [c.clusterLabel, 'host', 'gpu', 'gpu_instance_id', 'gpu_profile'].join(', ');
  const board = boardBy(c).join(', ');
  const tpj = 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m';
  return {
    name: 'energy-cost',
    rules: [
      alert(c, {
        name: 'TokensPerJouleDropped', severity: 'warning', component: 'energy', for: e.dropFor,
        // Against the model's own baseline, and only while it is busy: tokens/J falls at low batch.
        expr: `avg_over_time(${tpj}[${e.window}]) < (1 - ${e.dropRatio}) * avg_over_time(${tpj}[${e.baselineWindow}]) and on (${model}) model_name:tokenwatt_generation_tokens:rate5m > ${e.minTokensPerSecond}`,
        summary: 'A model produces markedly fewer tokens per joule than its own recent baseline.',
        description: '{{ $labels.model_name }} now makes {{ $value | printf "%.2f" }} tokens/J over ' + e.window + ', more than ' + e.dropRatio * 100 + '% below its ' + e.baselineWindow + ' average.',
      }),
      alert(c, {
        name: 'GPUAllocatedButIdle', severity: 'warning', component: 'energy', for: e.idleFor,
        // Over the recorded 5m slice rates (rules/tokenwatt-fleet.ts), the SLO cascade's way: the
        // average of the 5m idle-cost rate over the window, and any 5m token rate above 0 in it. A
        // raw rate over 2h would read every slice's counters over two hours at every evaluation.
        expr: `sum by (${slice}, currency) (avg_over_time(slice:tokenwatt_idle_cost:rate5m[${e.idleWindow}])) * 3600 > ${e.idleCostPerHour} unless on (${slice}) sum by (${slice}) (max_over_time(slice:tokenwatt_generation_tokens:rate5m[${e.idleWindow}])) > 0`,
        summary: 'An allocated GPU or MIG slice generated no token while it kept costing money.',
        description: 'Slice {{ $labels.gpu_profile }} on GPU {{ $labels.gpu }} of {{ $labels.host }} costs {{ $value | printf "%.2f" }} {{ $labels.currency }}/h idle and generated no token in ' + e.idleWindow + '.',
      }),
      alert(c, {
        name: 'GPUPowerAtCap', severity: 'warning', component: 'energy', for: e.powerCapFor,
        // Power from the energy counter, against the enforced limit: both recorded per board.
        expr: `gpu:dcgm_board_power_watts:rate5m / on (${board}) gpu:DCGM_FI_DEV_POWER_MGMT_LIMIT:max >= ${e.powerCapRatio}`,
        summary: 'A GPU has been running at its power limit for a long time.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.host }} draws {{ $value | humanizePercentage }} of its power limit.',
      }),
      alert(c, {
        name: 'MIGCapacityUnallocated', severity: 'info', component: 'energy', for: e.unallocatedFor,
        expr: `sum by (${c.clusterLabel}, host, gpu, currency) (avg_over_time(gpu:tokenwatt_unallocated_cost:rate5m[1h])) * 3600 > 0`,
        summary: 'Part of a MIG-partitioned GPU is held by no slice and costs money for nothing.',
        description: 'Unallocated MIG capacity on GPU {{ $labels.gpu }} of {{ $labels.host }} costs {{ $value | printf "%.2f" }} {{ $labels.currency }}/h.',
      }),
    ],
  };
};
export default group;
