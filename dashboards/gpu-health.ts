// GPU memory health and interconnect, split from the GPUs dashboard (dashboards/gpus.ts): HBM row
// remapping, ECC errors, row-remap failure, PCIe and NVLink traffic and PCIe replays, per GPU from
// the recorded series (rules/gpu-rates.ts, rules/gpu-board.ts). These panels are flat on a healthy
// fleet and read when diagnosing a GPU (the memory-error and XID runbooks link here); on their own
// dashboard the GPUs dashboard's load at 32 hosts does not pay for their 8 range queries. Same
// variables (cluster, host, GPU) and the same top-10-at-each-step time series as the GPUs dashboard.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import { FLEET_TOP_K, topAtEachStep } from '../src/promql/helpers.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function gpuDetail(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const m = matchers(cluster, 'host=~"$host"', 'gpu=~"$gpu"');
  /** A recorded per-GPU series, filtered by the dashboard's variables. */
  const board = (field: string) => `gpu:${field}:max{${m}}`;
  const boardRate = (field: string) => `gpu:${field}:rate5m{${m}}`;
  const legend = '{{host}} GPU {{gpu}}';
  const top = topAtEachStep;
  const K = FLEET_TOP_K;
  /** What a ranked panel's description ends with. */
  const ranked = (what: string) => ` Shows the ${K} GPUs with the ${what} at each moment (a line leaves while out of the top ${K}); choose a host or GPU above to rank within it.`;
  // Pickers list GPUs from the recorded temperature, as on the GPUs dashboard.
  const anchor = `gpu:DCGM_FI_DEV_GPU_TEMP:max{${cluster}}`;

  return tokenwattDashboard(config, {
    slug: 'gpu-health',
    title: 'tokenwatt / GPU memory health and interconnect',
    description: 'NVIDIA GPUs through dcgm-exporter, the detail of the GPUs dashboard: HBM row remapping, ECC errors, row-remap failure, PCIe and NVLink traffic and PCIe replays per GPU.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, 'gpu:DCGM_FI_DEV_GPU_TEMP:max'))
    .withVariable(labelVariable('host', 'Host', 'host', anchor))
    .withVariable(labelVariable('gpu', 'GPU', 'gpu', `gpu:DCGM_FI_DEV_GPU_TEMP:max{${matchers(cluster, 'host=~"$host"')}}`))
    .withRow(row('Memory health'))
    .withPanel(timeseries({
      title: 'Rows remapped', unit: 'short', w: 8,
      description: `HBM rows remapped over the last 5 minutes for correctable and uncorrectable errors; uncorrectable remaps need a GPU reset. Each for the ${K} GPUs with the most at each moment (all 0 on a healthy fleet); choose a host or GPU above to rank within it.`,
      targets: [
        { expr: `${top(boardRate('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS'))} * 300`, legend: `${legend} correctable` },
        { expr: `${top(boardRate('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS'))} * 300`, legend: `${legend} uncorrectable` },
      ],
    }))
    .withPanel(timeseries({
      title: 'ECC errors', unit: 'short', w: 8,
      description: `Volatile single- and double-bit ECC errors over the last 5 minutes (fields off by default in dcgm-exporter), each for the ${K} GPUs with the most at each moment; choose a host or GPU above to rank within it.`,
      targets: [
        { expr: `${top(boardRate('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL'))} * 300`, legend: `${legend} single-bit` },
        { expr: `${top(boardRate('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL'))} * 300`, legend: `${legend} double-bit` },
      ],
    }))
    .withPanel(table({
      title: 'Row-remap failure', unit: metric('DCGM_FI_DEV_ROW_REMAP_FAILURE').grafanaUnit, w: 8,
      description: '1 when a GPU ran out of spare rows to remap: replace it. Every selected GPU at the end of the range, failures first (the flag stays set until the GPU is replaced, so the current value is the whole story; GPURowRemapFailure pages on it).',
      targets: [{ expr: `sort_desc(${board('DCGM_FI_DEV_ROW_REMAP_FAILURE')})` }],
    }))
    .withRow(row('Interconnect'))
    .withPanel(timeseries({
      title: 'PCIe throughput', unit: metric('DCGM_FI_PROF_PCIE_TX_BYTES').grafanaUnit, w: 8,
      description: `PCIe transmit and receive bytes per second per GPU, each for the ${K} busiest GPUs at each moment; choose a host or GPU above to rank within it.`,
      targets: [
        { expr: top(board('DCGM_FI_PROF_PCIE_TX_BYTES')), legend: `${legend} TX` },
        { expr: top(board('DCGM_FI_PROF_PCIE_RX_BYTES')), legend: `${legend} RX` },
      ],
    }))
    .withPanel(timeseries({
      title: 'PCIe replays', unit: 'short', w: 8,
      description: `PCIe link retries per second per GPU (5m rate); a steady rate points at a bad link or riser.${ranked('most retries')}`,
      targets: [{ expr: top(boardRate('DCGM_FI_DEV_PCIE_REPLAY_COUNTER')), legend }],
    }))
    .withPanel(timeseries({
      title: 'NVLink throughput', unit: 'Bps', w: 8,
      description: `NVLink bytes per second per GPU, all lanes (5m rate of DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL).${ranked('most traffic')}`,
      targets: [{ expr: top(boardRate('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL')), legend }],
    }))
    .build();
}
