// dcgm-exporter fields (etc/default-counters.csv and dcp-metrics-included.csv).
// `scope: 'board'` marks whole-GPU values that dcgm-exporter repeats on every MIG instance
// (dcgm-exporter #317: identical mJ on three instances of one A30): aggregate them with
// boardMax() in src/promql/helpers.ts, never sum them over MIG series.
import { defineMetrics } from './types.ts';
import type { MetricDef } from './types.ts';

/**
 * Labels dcgm-exporter puts on every series; host is `Hostname` in releases, `hostname` on main,
 * and `host` is what Prometheus stores: the scrape job copies either into it at ingest
 * (scrape-configs/dcgm-exporter.ts hostFrom, metric_relabel_configs).
 */
export const DCGM_LABELS = [
  'gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'hostname', 'host', 'DCGM_FI_DRIVER_VERSION',
  'GPU_I_PROFILE', 'GPU_I_ID', 'pod', 'namespace', 'container',
] as const;

type Spec = Omit<MetricDef, 'labels' | 'source'> & { labels?: readonly string[] };
const d = (s: Spec): MetricDef => ({ ...s, labels: [...DCGM_LABELS, ...(s.labels ?? [])], source: 'dcgm' });

export const dcgmMetrics = defineMetrics([
  d({ name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', unit: 'MHz', grafanaUnit: 'rotmhz', help: 'SM clock frequency.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_MEM_CLOCK', type: 'gauge', unit: 'MHz', grafanaUnit: 'rotmhz', help: 'Memory clock frequency.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', unit: 'celsius', grafanaUnit: 'celsius', help: 'GPU temperature.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_MEMORY_TEMP', type: 'gauge', unit: 'celsius', grafanaUnit: 'celsius', help: 'Memory temperature.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_SLOWDOWN_TEMP', type: 'gauge', unit: 'celsius', grafanaUnit: 'celsius', help: 'Temperature at which the GPU starts to slow down (not in the default counters).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Board power draw, sampled at the collection interval (30 s by default).', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_POWER_MGMT_LIMIT', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Power management limit (not in the default counters).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', type: 'counter', unit: 'mJ', grafanaUnit: 'mjoule', help: 'Board energy since driver load, in millijoules; resets on driver reload.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL', type: 'counter', unit: 'joules', grafanaUnit: 'joule', help: 'DCGM 4.6 name of the board energy counter, in joules.', scope: 'board', since: 'DCGM 4.6', optional: true }),
  d({ name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', unit: 'retries', grafanaUnit: 'short', help: 'PCIe retries.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_PCIE_TX_THROUGHPUT', type: 'counter', unit: 'KB', grafanaUnit: 'deckbytes', help: 'PCIe TX through NVML, in KB.', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_PCIE_RX_THROUGHPUT', type: 'counter', unit: 'KB', grafanaUnit: 'deckbytes', help: 'PCIe RX through NVML, in KB.', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', unit: 'percent', grafanaUnit: 'percent', help: 'GPU utilisation in percent; not supported under MIG.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_MEM_COPY_UTIL', type: 'gauge', unit: 'percent', grafanaUnit: 'percent', help: 'Memory-copy utilisation in percent.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', unit: 'percent', grafanaUnit: 'percent', help: 'Encoder utilisation in percent.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', unit: 'percent', grafanaUnit: 'percent', help: 'Decoder utilisation in percent.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_XID_ERRORS', type: 'gauge', unit: 'xid', grafanaUnit: 'none', help: 'The LAST XID error seen (not a count): detect a change, not > 0.', scope: 'board', labels: ['err_code', 'err_msg'] }),
  d({ name: 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS', type: 'gauge', unit: 'bitmask', grafanaUnit: 'none', help: 'Clock throttle reasons bitmask (not in the default counters).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_POWER_VIOLATION', type: 'counter', unit: 'ns', grafanaUnit: 'ns', help: 'Time throttled by the power limit (off by default; ns in DCP builds, us in older ones).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_THERMAL_VIOLATION', type: 'counter', unit: 'ns', grafanaUnit: 'ns', help: 'Time throttled by temperature (off by default; ns in DCP builds, us in older ones).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_FB_FREE', type: 'gauge', unit: 'MiB', grafanaUnit: 'mbytes', help: 'Framebuffer free (per GPU instance under MIG).', scope: 'instance' }),
  d({ name: 'DCGM_FI_DEV_FB_USED', type: 'gauge', unit: 'MiB', grafanaUnit: 'mbytes', help: 'Framebuffer used (per GPU instance under MIG).', scope: 'instance' }),
  d({ name: 'DCGM_FI_DEV_FB_RESERVED', type: 'gauge', unit: 'MiB', grafanaUnit: 'mbytes', help: 'Framebuffer reserved (per GPU instance under MIG).', scope: 'instance' }),
  d({ name: 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', type: 'counter', unit: 'errors', grafanaUnit: 'short', help: 'Single-bit volatile ECC errors (off by default).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', type: 'counter', unit: 'errors', grafanaUnit: 'short', help: 'Double-bit volatile ECC errors (off by default).', scope: 'board', optional: true }),
  d({ name: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', type: 'counter', unit: 'bytes', grafanaUnit: 'bytes', help: 'NVLink bandwidth counter, all lanes.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', type: 'gauge', unit: 'state', grafanaUnit: 'none', help: 'vGPU licence status.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', type: 'counter', unit: 'rows', grafanaUnit: 'short', help: 'Rows remapped for uncorrectable errors.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', type: 'counter', unit: 'rows', grafanaUnit: 'short', help: 'Rows remapped for correctable errors.', scope: 'board' }),
  d({ name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 when row remapping has failed.', scope: 'board' }),
  d({ name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Graphics-engine active ratio, 0-1, relative to the GPU instance under MIG.', scope: 'instance' }),
  d({ name: 'DCGM_FI_PROF_SM_ACTIVE', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'SM active ratio, 0-1 (off by default).', scope: 'instance', optional: true }),
  d({ name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Tensor pipe active ratio, 0-1, per GPU instance.', scope: 'instance' }),
  d({ name: 'DCGM_FI_PROF_DRAM_ACTIVE', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Device-memory interface active ratio, 0-1, per GPU instance.', scope: 'instance' }),
  d({ name: 'DCGM_FI_PROF_PCIE_TX_BYTES', type: 'gauge', unit: 'bytes/s', grafanaUnit: 'Bps', help: 'PCIe transmit rate, bytes per second.', scope: 'board' }),
  d({ name: 'DCGM_FI_PROF_PCIE_RX_BYTES', type: 'gauge', unit: 'bytes/s', grafanaUnit: 'Bps', help: 'PCIe receive rate, bytes per second.', scope: 'board' }),
]);
