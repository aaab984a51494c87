// GPU hardware health from dcgm-exporter: XIDs, throttling, temperature, memory errors, lost GPUs
// and hosts, stuck telemetry. Board-scoped fields are collapsed per physical GPU first (MIG repeats
// them on every instance), so each GPU alerts once. Temperature and throttling read recorded series
// that fall back to the exporter's NVML readings on hosts without dcgm-exporter (rules/gpu-health.ts).
import { sel } from '../src/promql/helpers.ts';
import { boardBy } from '../src/rules/levels.ts';
import { alert } from '../src/rules/types.ts';
import type { AlertGroupDef } from '../src/rules/types.ts';

const group: AlertGroupDef = (c) => {
  const g = c.alerting.gpu;
  const by = boardBy(c).join(', ');
  const dcgm = (name: string) => sel(name, c.selectors.dcgm);
  /** One series per physical GPU, labels cluster, host, gpu, UUID. */
  const board = (expr: string) => `max by (${by}) (${expr})`;
  // The gauge holds the LAST XID (err_code labels change with it), so a new XID is a change of
  // the board-level value inside the window; the alert's value is the XID itself. The board-level
  // value is recorded (rules/gpu-board.ts), so the change is looked for in one recorded series per
  // GPU, not in a subquery over every MIG instance at every step of the window.
  const xid = 'gpu:DCGM_FI_DEV_XID_ERRORS:max';
  const temp = 'gpu:DCGM_FI_DEV_GPU_TEMP:max';
  const newXid = `${xid} > 0 and on (${by}) changes(${xid}[${g.xidWindow}]) > 0`;
  // The fatal codes, filtered on the same recorded board value (rules/gpu-board.ts reads the raw
  // series once per cycle; the alerts read only what it recorded, one interval old at most).
  const fatal = `(${g.fatalXids.map((x) => `${xid} == ${x}`).join(' or ')})`;
  return {
    name: 'gpu-health',
    rules: [
      alert(c, {
        name: 'GPUXidError', severity: 'warning', component: 'gpu', expr: newXid,
        summary: 'A GPU reported a new XID error.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.host }} reported XID {{ $value }}.',
      }),
      alert(c, {
        name: 'GPUXidError', severity: 'critical', component: 'gpu', expr: `(${newXid}) and on (${by}) (${fatal})`,
        summary: 'A GPU reported an XID error that needs a reset or a replacement.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.host }} reported fatal XID {{ $value }}.',
      }),
      alert(c, {
        name: 'GPUThermalThrottling', severity: 'warning', component: 'gpu', for: g.throttleFor,
        // Share of throttleWindow throttled, from dcgm-exporter's violation counter or NVML's
        // clock-event reasons (rules/gpu-health.ts): the alert works on NVML-only hosts too.
        expr: `gpu:clock_throttled_thermal:ratio > ${g.throttleRatio}`,
        summary: 'A GPU is slowing its clocks to stay within its temperature limit.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.host }} has been thermally throttled {{ $value | humanizePercentage }} of the time.',
      }),
      alert(c, {
        name: 'GPUPowerThrottling', severity: 'warning', component: 'gpu', for: g.throttleFor,
        expr: `gpu:clock_throttled_power:ratio > ${g.throttleRatio}`,
        summary: 'A GPU is slowing its clocks to stay within its power limit.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.host }} has been power throttled {{ $value | humanizePercentage }} of the time.',
      }),
      alert(c, {
        name: 'GPUTemperatureNearSlowdown', severity: 'warning', component: 'gpu', for: g.temperatureFor,
        // The slowdown field is optional (and NVML-only hosts have none): without it, compare with a
        // fixed temperature. The temperature is recorded per GPU from dcgm-exporter, else NVML.
        expr: `${temp} >= on (${by}) (${board(dcgm('DCGM_FI_DEV_SLOWDOWN_TEMP'))} - ${g.slowdownMarginCelsius} or on (${by}) ${temp} * 0 + ${g.fallbackSlowdownCelsius})`,
        summary: 'A GPU is close to the temperature at which it slows down.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.host }} is at {{ $value }} °C, within ' + g.slowdownMarginCelsius + ' °C of its slowdown temperature.',
      }),
      alert(c, {
        name: 'GPURowRemapFailure', severity: 'critical', component: 'gpu',
        expr: 'gpu:DCGM_FI_DEV_ROW_REMAP_FAILURE:max > 0',
        summary: 'A GPU failed to remap a memory row and must be replaced.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.host }} reports a row-remapping failure.',
      }),
      alert(c, {
        name: 'GPUUncorrectableRemappedRows', severity: 'warning', component: 'gpu',
        expr: `${board(`increase(${dcgm('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS')}[${g.memoryErrorWindow}])`)} > 0`,
        summary: 'A GPU remapped memory rows after uncorrectable errors.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.host }} remapped {{ $value }} rows for uncorrectable errors in the last ' + g.memoryErrorWindow + '.',
      }),
      alert(c, {
        name: 'GPUDoubleBitECCErrors', severity: 'critical', component: 'gpu',
        expr: `${board(`increase(${dcgm('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL')}[${g.memoryErrorWindow}])`)} > 0`,
        summary: 'A GPU had double-bit (uncorrectable) ECC errors.',
        description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.host }} had {{ $value }} double-bit ECC errors in the last ' + g.memoryErrorWindow + '.',
      }),
      alert(c, {
        name: 'GPUMissing', severity: 'critical', component: 'gpu', for: g.missingFor,
        expr: `host:dcgm_gpus:count < max_over_time(host:dcgm_gpus:count[${g.gpuCountWindow}])`,
        summary: 'A host reports fewer GPUs than it did recently.',
        description: 'Host {{ $labels.host }} reports {{ $value }} GPUs, fewer than in the last ' + g.gpuCountWindow + '.',
      }),
      alert(c, {
        name: 'DCGMExporterDown', severity: 'warning', component: 'gpu', for: g.exporterDownFor,
        expr: `${sel('up', c.selectors.dcgm)} == 0`,
        summary: 'Prometheus cannot scrape a dcgm-exporter, so GPU alerts on that host are blind.',
        description: 'dcgm-exporter {{ $labels.instance }} on {{ $labels.host }} has been down for ' + g.exporterDownFor + '.',
      }),
      alert(c, {
        name: 'HostDown', severity: 'critical', component: 'gpu', for: g.hostDownFor,
        // Both node_exporter and dcgm-exporter unreachable: the host, not one exporter, is gone.
        expr: `${sel('up', c.selectors.node)} == 0 and on (${c.clusterLabel}, host) ${sel('up', c.selectors.dcgm)} == 0`,
        summary: 'A GPU host is unreachable.',
        description: 'Neither node_exporter nor dcgm-exporter on {{ $labels.host }} has answered for ' + g.hostDownFor + '.',
      }),
      alert(c, {
        name: 'GPUTelemetryStuck', severity: 'warning', component: 'gpu', for: g.stuckFor,
        // dcgm-exporter #662: utilisation pinned high while the graphics engine is idle.
        // Both recorded (rules/gpu-board.ts, rules/gpu-instance.ts); an NVML-only GPU has no engine
        // activity series, so it never matches.
        expr: `gpu:DCGM_FI_DEV_GPU_UTIL:max > ${g.stuckUtilPercent} and on (${by}) ${board('gpu_instance:DCGM_FI_PROF_GR_ENGINE_ACTIVE:max')} == 0`,
        summary: 'GPU utilisation and engine activity disagree, so the GPU telemetry is stuck.',
        description: 'GPU {{ $labels.gpu }} on {{ $labels.host }} reports {{ $value }}% utilisation while its graphics engine is idle.',
      }),
    ],
  };
};
export default group;
