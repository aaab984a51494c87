// dcgm-exporter counters the GPU dashboard plots (throttle time, PCIe replays, NVLink bytes,
// remapped rows, ECC errors) as 5m rates, once per physical GPU.
import { DCGM_BOARD_COUNTERS } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import { orNvmlViolationRate } from '../src/rules/nvml-fallback.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = boardBy(c).join(', ');
  return {
    name: 'tokenwatt-gpu-rates',
    rules: DCGM_BOARD_COUNTERS.map((f) => ({ record: `gpu:${f}:rate5m`, expr: orNvmlViolationRate(c, f, `max by (${by}) (rate(${sel(f, c.selectors.dcgm)}[5m]))`, '5m') })),
  };
};
export default group;
