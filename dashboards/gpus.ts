// GPUs as dcgm-exporter reports them: activity, memory, temperature, power against its limit,
// clocks, throttling, XIDs, and the MIG instances on each GPU. Memory health (row remapping, ECC)
// and PCIe/NVLink are on their own dashboard (dashboards/gpu-health.ts), linked from here.
// Every panel reads a recorded series (rules/gpu-*.ts): whole-GPU fields once per physical GPU
// (`gpu:<FIELD>:max`, MIG repeats collapsed), counters as 5m rates (`gpu:<FIELD>:rate5m`),
// per-instance fields (DCGM_FI_PROF_*, framebuffer) per GPU or MIG instance
// (`gpu_instance:<FIELD>:max`), so a 32-host fleet costs a few hundred series per panel.
// Time series over one line per GPU or instance draw the FLEET_TOP_K highest (or lowest) at each
// step: at 32 hosts that is 10 lines instead of 256-512 (which no reader can tell apart, and whose
// JSON was most of the dashboard's time); choosing a host or GPU ranks within it. The tables list
// every GPU and MIG instance at the end of the range.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { metric } from '../src/catalog/index.ts';
import { FLEET_TOP_K, topAtEachStep } from '../src/promql/helpers.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { tokenwattDashboard } from '../src/build/grafana/dashboard.ts';
import { row, stat, table, timeseries } from '../src/build/grafana/panels.ts';
import { datasourceVariable, labelVariable, matchers } from '../src/build/grafana/variables.ts';

export default function gpus(config: MixinConfig): Dashboard {
  const cluster = `${config.clusterLabel}=~"$cluster"`;
  const m = matchers(cluster, 'host=~"$host"', 'gpu=~"$gpu"');
  /** A recorded per-GPU series, filtered by the dashboard's variables. */
  const board = (field: string) => `gpu:${field}:max{${m}}`;
  const boardRate = (field: string) => `gpu:${field}:rate5m{${m}}`;
  const perInstance = (field: string, more = '') => `gpu_instance:${field}:max{${matchers(m, more)}}`;
  /** Only MIG instance series (a whole GPU has GPU_I_PROFILE=""). */
  const migInstance = (field: string) => perInstance(field, 'GPU_I_PROFILE!=""');
  const watts = `gpu:board_power_watts:rate5m{${m}}`;
  const legend = '{{host}} GPU {{gpu}}';
  const instLegend = '{{host}} GPU {{gpu}} {{GPU_I_PROFILE}} {{GPU_I_ID}}';
  const top = topAtEachStep;
  const K = FLEET_TOP_K;
  /** What a ranked panel's description ends with. */
  const ranked = (what: string) => ` Shows the ${K} GPUs or instances with the ${what} at each moment (a line leaves while out of the top ${K}); choose a host or GPU above to rank within it.`;
  // Pickers list GPUs from the recorded temperature: dcgm-exporter's, else NVML's (NVML-only hosts too).
  const anchor = `gpu:DCGM_FI_DEV_GPU_TEMP:max{${cluster}}`;

  return tokenwattDashboard(config, {
    slug: 'gpus',
    title: 'tokenwatt / GPUs',
    description: 'NVIDIA GPUs through dcgm-exporter (or the tokenwatt exporter\'s NVML readings on hosts without it): activity, memory, temperature, power against limit, clocks, throttling, XIDs and MIG instances. Memory health (row remapping, ECC) and PCIe/NVLink: the GPU memory health and interconnect dashboard.',
  })
    .withVariable(datasourceVariable(config))
    .withVariable(labelVariable('cluster', 'Cluster', config.clusterLabel, 'gpu:DCGM_FI_DEV_GPU_TEMP:max'))
    .withVariable(labelVariable('host', 'Host', 'host', anchor))
    .withVariable(labelVariable('gpu', 'GPU', 'gpu', `gpu:DCGM_FI_DEV_GPU_TEMP:max{${matchers(cluster, 'host=~"$host"')}}`))
    .withRow(row('Fleet'))
    .withPanel(stat({
      title: 'GPUs', unit: 'short', w: 6,
      description: 'Physical GPUs reporting at the end of the range (one per host, index and UUID, whatever their MIG instances).',
      targets: [{ expr: `count(${board('DCGM_FI_DEV_GPU_TEMP')})`, legend: 'GPUs', instant: true }],
    }))
    .withPanel(stat({
      title: 'Board power', unit: 'watt', w: 6,
      description: 'Power of the selected GPUs at the end of the range from the energy counter (dcgm-exporter\'s, else tokenwatt\'s NVML one; 5m rate), each board counted once under MIG; over time: "Power against limit".',
      targets: [{ expr: `sum(${watts})`, legend: 'W', instant: true }],
    }))
    .withPanel(stat({
      title: 'Hottest GPU', unit: metric('DCGM_FI_DEV_GPU_TEMP').grafanaUnit, w: 6,
      description: 'Highest GPU temperature among the selected GPUs at the end of the range; over time: "Temperature".',
      targets: [{ expr: `max(${board('DCGM_FI_DEV_GPU_TEMP')})`, legend: 'max', instant: true }],
    }))
    .withPanel(stat({
      title: 'GPUs with a new XID', unit: 'short', w: 6,
      description: 'GPUs whose last-XID value changed over the dashboard range (DCGM_FI_DEV_XID_ERRORS holds the last XID, not a count).',
      targets: [{ expr: `count(changes(${board('DCGM_FI_DEV_XID_ERRORS')}[$__range]) > 0) or vector(0)`, legend: 'GPUs', instant: true }],
    }))
    .withRow(row('Activity'))
    .withPanel(timeseries({
      title: 'GPU utilisation', unit: metric('DCGM_FI_DEV_GPU_UTIL').grafanaUnit, min: 0, max: 100,
      description: `Share of time a kernel ran (DCGM_FI_DEV_GPU_UTIL); not reported under MIG, and 100% does not mean the SMs are busy: see engine activity.${ranked('highest utilisation')}`,
      targets: [{ expr: top(board('DCGM_FI_DEV_GPU_UTIL')), legend }],
    }))
    .withPanel(timeseries({
      title: 'Graphics-engine activity', unit: metric('DCGM_FI_PROF_GR_ENGINE_ACTIVE').grafanaUnit, min: 0, max: 1,
      description: `DCGM_FI_PROF_GR_ENGINE_ACTIVE per GPU or MIG instance, relative to that instance's own capacity.${ranked('highest activity')}`,
      targets: [{ expr: top(perInstance('DCGM_FI_PROF_GR_ENGINE_ACTIVE')), legend: instLegend }],
    }))
    .withPanel(timeseries({
      title: 'Tensor-pipe activity', unit: metric('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE').grafanaUnit, min: 0, max: 1,
      description: `Share of cycles the tensor pipes were active, per GPU or MIG instance.${ranked('highest activity')}`,
      targets: [{ expr: top(perInstance('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE')), legend: instLegend }],
    }))
    .withPanel(timeseries({
      title: 'DRAM activity', unit: metric('DCGM_FI_PROF_DRAM_ACTIVE').grafanaUnit, min: 0, max: 1,
      description: `Share of cycles the device-memory interface was busy, per GPU or MIG instance (LLM decode is usually memory-bound).${ranked('highest activity')}`,
      targets: [{ expr: top(perInstance('DCGM_FI_PROF_DRAM_ACTIVE')), legend: instLegend }],
    }))
    .withPanel(timeseries({
      title: 'Framebuffer used', unit: metric('DCGM_FI_DEV_FB_USED').grafanaUnit,
      description: `GPU memory used, per GPU or MIG instance (DCGM_FI_DEV_FB_USED, MiB).${ranked('most memory used')}`,
      targets: [{ expr: top(perInstance('DCGM_FI_DEV_FB_USED')), legend: instLegend }],
    }))
    .withPanel(timeseries({
      title: 'Framebuffer used ratio', unit: 'percentunit', min: 0, max: 1,
      description: `GPU memory used over used + free, per GPU or MIG instance (recorded: gpu_instance:framebuffer_used:ratio).${ranked('fullest memory')}`,
      targets: [{ expr: top(`gpu_instance:framebuffer_used:ratio{${m}}`), legend: instLegend }],
    }))
    .withRow(row('Power and thermals'))
    .withPanel(timeseries({
      title: 'Power against limit', unit: 'watt',
      description: `Board power from the energy counter (5m rate) and the sampled power reading per GPU, each for the ${K} GPUs drawing the most at each moment, and the lowest power-management limit among the selected GPUs (optional field). Choose a host or GPU above to rank within it.`,
      targets: [
        { expr: top(watts), legend: `${legend} (energy counter)` },
        { expr: top(board('DCGM_FI_DEV_POWER_USAGE')), legend: `${legend} (sampled)` },
        { expr: `min(${board('DCGM_FI_DEV_POWER_MGMT_LIMIT')})`, legend: 'limit (lowest of the selected GPUs)' },
      ],
    }))
    .withPanel(timeseries({
      title: 'Temperature', unit: metric('DCGM_FI_DEV_GPU_TEMP').grafanaUnit,
      description: `GPU and memory temperature per GPU, each for the ${K} hottest GPUs at each moment; choose a host or GPU above to rank within it.`,
      targets: [
        { expr: top(board('DCGM_FI_DEV_GPU_TEMP')), legend: `${legend} GPU` },
        { expr: top(board('DCGM_FI_DEV_MEMORY_TEMP')), legend: `${legend} memory` },
      ],
    }))
    .withPanel(timeseries({
      title: 'Clocks', unit: metric('DCGM_FI_DEV_SM_CLOCK').grafanaUnit,
      description: `SM and memory clock per GPU, each for the ${K} GPUs with the lowest clock at each moment; an SM clock drop under load points at throttling. Choose a host or GPU above to rank within it.`,
      targets: [
        { expr: top(board('DCGM_FI_DEV_SM_CLOCK'), 'bottomk'), legend: `${legend} SM` },
        { expr: top(board('DCGM_FI_DEV_MEM_CLOCK'), 'bottomk'), legend: `${legend} memory` },
      ],
    }))
    .withPanel(timeseries({
      title: 'Time throttled', unit: 'percentunit', min: 0,
      description: `Share of time clocks were held down by the power limit or by temperature (5m rate of the violation counters in ns; off by default in dcgm-exporter), each for the ${K} most throttled GPUs at each moment; choose a host or GPU above to rank within it.`,
      targets: [
        { expr: `${top(boardRate('DCGM_FI_DEV_POWER_VIOLATION'))} / 1e9`, legend: `${legend} power` },
        { expr: `${top(boardRate('DCGM_FI_DEV_THERMAL_VIOLATION'))} / 1e9`, legend: `${legend} thermal` },
      ],
    }))
    .withPanel(table({
      title: 'Throttle reasons', unit: metric('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS').grafanaUnit, w: 12,
      description: 'Current clock-throttle bitmask per GPU (NVML clocksThrottleReasons: 0x1 idle, 0x4 SW power cap, 0x8 HW slowdown, 0x20 SW thermal, 0x40 HW thermal, 0x80 power brake).',
      targets: [{ expr: board('DCGM_FI_DEV_CLOCK_THROTTLE_REASONS') }],
    }))
    .withPanel(table({
      title: 'Last XID per GPU', unit: metric('DCGM_FI_DEV_XID_ERRORS').grafanaUnit, w: 12,
      description: 'The last XID error code each GPU reported, with its message; the value stays until the next XID.',
      targets: [{
        expr: `max by (host, gpu, UUID, err_code, err_msg) (DCGM_FI_DEV_XID_ERRORS{${matchers(config.selectors.dcgm, m)}})`,
        drillDown: 'the XID code and message labels are on the raw series only (an instant table, one evaluation)',
      }],
    }))
    .withRow(row('MIG instances'))
    .withPanel(table({
      title: 'MIG instances', unit: 'percentunit',
      columns: { A: { title: 'Engine active' }, B: { title: 'Tensor active' }, C: { title: 'FB used', unit: metric('DCGM_FI_DEV_FB_USED').grafanaUnit } },
      description: 'Every MIG instance: its profile (e.g. 3g.40gb), GPU-instance id, engine and tensor activity, and framebuffer used (MiB). A GPU without MIG has no rows here.',
      targets: [
        { expr: migInstance('DCGM_FI_PROF_GR_ENGINE_ACTIVE') },
        { expr: migInstance('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE') },
        { expr: migInstance('DCGM_FI_DEV_FB_USED') },
      ],
    }))
    .build();
}
