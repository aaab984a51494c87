// The dcgm-exporter fields the GPU dashboard plots, once per physical GPU: whole-GPU values are
// repeated on every MIG instance, so max by board collapses them (dashboards/gpus.ts reads these
// instead of every instance's raw series). `host` comes from ingest (scrape-configs/dcgm-exporter.ts).
import { DCGM_BOARD_GAUGES } from '../src/catalog/recording.ts';
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import { orNvmlGauge } from '../src/rules/nvml-fallback.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const group: RecordingGroupDef = (c) => {
  const by = boardBy(c).join(', ');
  return {
    name: 'tokenwatt-gpu-board',
    rules: [
      // dcgm-exporter first, per GPU the exporter's NVML reading where a host has no dcgm-exporter.
      ...DCGM_BOARD_GAUGES.map((f) => ({ record: `gpu:${f}:max`, expr: orNvmlGauge(c, f, `max by (${by}) (${sel(f, c.selectors.dcgm)})`) })),
      // The last XID per board, without the err_code/err_msg labels newer dcgm-exporters add: they
      // change with the XID, and GPUXidError looks for a change of this one series.
      { record: 'gpu:DCGM_FI_DEV_XID_ERRORS:max', expr: `max by (${by}) (${sel('DCGM_FI_DEV_XID_ERRORS', c.selectors.dcgm)})` },
    ],
  };
};
export default group;
