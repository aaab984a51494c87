// A dcgm-exporter-shaped /metrics for one simulated host, with the field list of
// exporters/dcgm-exporter/tokenwatt-counters.csv (HELP text from that file, as dcgm-exporter does).
// Shape copied from real scrapes (test/fixtures/thirdparty/dcgm): labels gpu, UUID, pci_bus_id,
// device, modelName, [GPU_I_PROFILE, GPU_I_ID], Hostname, DCGM_FI_DRIVER_VERSION, then the pod
// mapping; floats printed with %f. A MIG GPU reports only its instances, and board fields (power,
// energy, clocks, temperatures…) are repeated on each instance (dcgm-exporter #317); the profiling
// ratios and framebuffer are per instance. GPU_UTIL is not supported under MIG, so it has no series
// there. Values change once per collection interval (dcgm-exporter serves its last collection).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { metric } from '../catalog/index.ts';
import { cFloat, TextWriter } from './text.ts';
import type { Labels } from './text.ts';
import type { DeviceSim, FleetSim, GpuSim, HostSim } from './workload.ts';

export const COUNTERS_CSV = fileURLToPath(new URL('../../exporters/dcgm-exporter/tokenwatt-counters.csv', import.meta.url));

interface Field { name: string; type: string; help: string }

/** Field, Prometheus type, help: dcgm-exporter's counters-file format (label rows become labels). */
export function readCounters(file = COUNTERS_CSV): Field[] {
  return readFileSync(file, 'utf8').split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name = '', type = '', ...help] = l.split(',').map((s) => s.trim());
      return { name, type, help: help.join(', ') };
    })
    .filter((f) => f.type !== 'label');
}

const FIELDS = readCounters();
for (const f of FIELDS) metric(f.name); // every field is a catalog name: fail at load, not in Prometheus.

// Bus ids of an SXM baseboard's eight slots.
const BUS = ['07', '0F', '47', '4E', '87', '90', 'B7', 'BD'];
const ERR_MSG: Record<number, string> = {
  13: 'Graphics Engine Exception', 31: 'GPU memory page fault', 43: 'GPU stopped processing', 48: 'Double Bit ECC Error',
  63: 'ECC page retirement or row remapping recording event', 74: 'NVLINK Error', 79: 'GPU has fallen off the bus',
  94: 'Contained ECC error', 95: 'Uncontained ECC error', 119: 'GSP RPC timeout', 120: 'GSP error',
};

/** Per-host state dcgm-exporter keeps between collections. */
export class DcgmEndpoint {
  private text = '';
  private collectedAt = -Infinity;
  private nvlinkBytes = new Map<GpuSim, number>();
  private lastT = 0;

  constructor(private readonly sim: FleetSim, private readonly host: HostSim, private readonly driverVersion: string) {}

  /** The exposition of the last collection; collects first if the interval has passed. */
  render(): string {
    const interval = this.sim.fleet.dcgm.collectIntervalSeconds;
    if (this.sim.t >= this.collectedAt + interval - 1e-9) this.collect();
    return this.text;
  }

  private collect(): void {
    const t = this.sim.t;
    const dt = Number.isFinite(this.collectedAt) ? t - this.lastT : 0;
    this.collectedAt = t;
    this.lastT = t;
    const w = new TextWriter();
    // A GPU that fell off the bus is not reported at all.
    const rows = this.host.gpus.filter((g) => !g.faults.lost).flatMap((g) => g.devices.map((d) => ({ g, d })));
    for (const g of this.host.gpus) {
      // NVLink traffic: tensor-parallel engines all-reduce every step.
      const e = g.devices[0]!.engine;
      const tp = e && this.sim.gpusOf(e).length > 1 ? e.batch * 2e8 : 0;
      this.nvlinkBytes.set(g, (this.nvlinkBytes.get(g) ?? 0) + tp * dt);
    }
    for (const f of FIELDS) {
      const samples: [Labels, string][] = [];
      for (const { g, d } of rows) {
        const v = this.value(f.name, g, d);
        if (v !== undefined) samples.push([this.labels(g, d, f.name), v]);
      }
      if (samples.length === 0) continue;
      w.family(f.name, f.type, f.help);
      for (const [l, v] of samples) w.sample(f.name, l, v);
    }
    this.text = w.toString();
  }

  private labels(g: GpuSim, d: DeviceSim, field: string): Labels {
    const l: [string, string][] = [
      ['gpu', String(g.index)], ['UUID', g.uuid], ['pci_bus_id', `00000000:${BUS[g.index % 8]}:00.0`],
      ['device', `nvidia${g.index}`], ['modelName', g.gpu.model],
    ];
    if (d.profile !== undefined) l.push(['GPU_I_PROFILE', d.profile], ['GPU_I_ID', String(d.gpuInstanceId)]);
    l.push(['Hostname', this.host.host.name], ['DCGM_FI_DRIVER_VERSION', this.driverVersion]);
    const pod = d.engine?.server.pod;
    if (pod) l.push(['container', 'vllm'], ['namespace', pod.namespace], ['pod', pod.name]);
    if (field === 'DCGM_FI_DEV_XID_ERRORS' && g.faults.xid > 0) {
      l.push(['err_code', String(g.faults.xid)], ['err_msg', ERR_MSG[g.faults.xid] ?? 'Unknown Error']);
    }
    return l;
  }

  /** A field's value on one device, or undefined where the GPU does not support it (no series). */
  private value(field: string, g: GpuSim, d: DeviceSim): string | undefined {
    const act = g.activity(d);
    const boardAct = Math.max(...g.devices.map((x) => g.activity(x) * (x.computeSlices / 7)));
    const busy = g.devices.some((x) => g.activity(x) > 0);
    const e = d.engine;
    const int = (v: number) => String(Math.floor(v));
    const ampere = g.gpu.model !== 'Tesla T4';
    switch (field) {
      case 'DCGM_FI_DEV_SM_CLOCK': return int(busy ? g.spec.smClockMaxMHz * g.speed : 210);
      case 'DCGM_FI_DEV_MEM_CLOCK': return int(g.spec.memClockMHz);
      case 'DCGM_FI_DEV_MEMORY_TEMP': return int(g.tempC + 4);
      case 'DCGM_FI_DEV_GPU_TEMP': return int(g.tempC);
      case 'DCGM_FI_DEV_SLOWDOWN_TEMP': return int(g.spec.slowdownCelsius);
      case 'DCGM_FI_DEV_POWER_USAGE': return cFloat(g.powerW);
      case 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION': return int(g.energyMj);
      case 'DCGM_FI_DEV_POWER_MGMT_LIMIT': return cFloat(g.limitW);
      case 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER': return '0';
      case 'DCGM_FI_DEV_GPU_UTIL': return g.mig ? undefined : int(100 * boardAct);
      case 'DCGM_FI_DEV_MEM_COPY_UTIL': return g.mig ? undefined : int(55 * boardAct);
      case 'DCGM_FI_DEV_ENC_UTIL': case 'DCGM_FI_DEV_DEC_UTIL': return '0';
      case 'DCGM_FI_DEV_XID_ERRORS': return int(g.faults.xid);
      case 'DCGM_FI_DEV_POWER_VIOLATION': return int(g.powerViolationNs);
      case 'DCGM_FI_DEV_THERMAL_VIOLATION': return int(g.thermalViolationNs);
      case 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS':
        // Bitmask: 0x4 SW power cap, 0x20 SW thermal slowdown, 0x1 idle.
        return int((g.faults.powerThrottle > 0 ? 0x4 : 0) | (g.faults.thermalThrottle > 0 ? 0x20 : 0) | (busy ? 0 : 0x1));
      case 'DCGM_FI_DEV_FB_FREE': return int(d.memoryMiB - this.fbUsed(d) - this.fbReserved(d));
      case 'DCGM_FI_DEV_FB_USED': return int(this.fbUsed(d));
      case 'DCGM_FI_DEV_FB_RESERVED': return int(this.fbReserved(d));
      case 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL': case 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL': return '0';
      case 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL': return g.spec.nvlink ? int(this.nvlinkBytes.get(g) ?? 0) : undefined;
      case 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS': case 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS':
      case 'DCGM_FI_DEV_ROW_REMAP_FAILURE': return ampere ? '0' : undefined;
      case 'DCGM_FI_DEV_VGPU_LICENSE_STATUS': return '0';
      case 'DCGM_FI_PROF_GR_ENGINE_ACTIVE': return cFloat(act);
      case 'DCGM_FI_PROF_SM_ACTIVE': return cFloat(act * 0.92);
      case 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE': return cFloat(act * 0.45);
      case 'DCGM_FI_PROF_DRAM_ACTIVE': return cFloat(act * 0.62);
      case 'DCGM_FI_PROF_PCIE_TX_BYTES': return int(2e5 + boardAct * 3.3e7 * (e ? 1 : 0.2));
      case 'DCGM_FI_PROF_PCIE_RX_BYTES': return int(4e5 + boardAct * 9.8e7 * (e ? 1 : 0.2));
      default: return undefined;
    }
  }

  private fbReserved(d: DeviceSim): number { return d.profile ? 0 : Math.round(d.memoryMiB * 0.012); }
  private fbUsed(d: DeviceSim): number {
    // vLLM takes gpu_memory_utilization (0.9) of the device up front: weights plus KV cache.
    return d.engine ? Math.round(d.memoryMiB * 0.9) : d.profile ? 13 : 0;
  }
}
