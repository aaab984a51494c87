// A Kepler-shaped /metrics for one simulated host, either generation (src/catalog/kepler.ts):
// rewrite (0.10+, port 28282): kepler_node_cpu_* by RAPL zone with node_name and path, pod series
// with state, and the 0.11.4 experimental GPU series; legacy (<= 0.9, port 9102): kepler_node_<zone>
// and kepler_container_<zone> joules split into mode dynamic and idle. Go client formatting, labels
// sorted. CPU energy comes from the host's simulated package energy; zones overlap (psys covers
// package and dram; package covers core and uncore), as on real RAPL. GPU energy is the board
// counter's delta; pods get only the active part (Kepler never charges idle GPU energy to pods),
// shared by engine activity.
import { metric } from '../catalog/index.ts';
import { goFloat, TextWriter } from './text.ts';
import type { Labels } from './text.ts';
import type { FleetSim, GpuSim, HostSim } from './workload.ts';
import { IDLE_FRACTION } from './workload.ts';

/** Each zone's share of the package energy (psys and dram outside it). */
const ZONES = { package: 1, core: 0.72, uncore: 0.06, dram: 0.18, psys: 1.35 } as const;
const LEGACY_ZONES = { package: 1, core: 0.72, uncore: 0.06, dram: 0.18, other: 0.05, platform: 1.35 } as const;
const RAPL_PATH: Record<string, string> = {
  package: '/sys/class/powercap/intel-rapl:0', core: '/sys/class/powercap/intel-rapl:0:0',
  uncore: '/sys/class/powercap/intel-rapl:0:1', dram: '/sys/class/powercap/intel-rapl:0:2', psys: '/sys/class/powercap/intel-rapl:1',
};

const sorted = (l: [string, string][]): Labels => l.sort((a, b) => (a[0] < b[0] ? -1 : 1));
const podId = (ns: string, name: string) => {
  let h = 2166136261;
  for (const c of `${ns}/${name}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return `${h.toString(16).padStart(8, '0')}-6e1c-4f0b-9d3a-${(h * 7 >>> 0).toString(16).padStart(12, '0').slice(0, 12)}`;
};

export class KeplerEndpoint {
  private lastT: number;
  private lastCpuJ: number;
  private cpuIdleJ = 0;
  private cpuActiveJ = 0;
  /** Per pod: CPU active joules and GPU active joules. */
  private podCpuJ = new Map<string, number>();
  private podGpuJ = new Map<string, number>();
  private lastEnergyMj = new Map<GpuSim, number>();

  constructor(private readonly sim: FleetSim, private readonly host: HostSim) {
    this.lastT = sim.t;
    this.lastCpuJ = host.cpuJoules;
    for (const g of host.gpus) this.lastEnergyMj.set(g, g.energyMj);
  }

  /** Servers of this host with a pod (what Kepler attributes energy to). */
  private pods() {
    return this.sim.engines.filter((e) => e.server.host === this.host.host.name && e.server.pod);
  }

  private account(): void {
    const dt = this.sim.t - this.lastT;
    if (dt <= 0) return;
    const cpu = this.host.cpuJoules - this.lastCpuJ;
    const idle = Math.min(cpu, this.host.host.cpuIdleWatts * dt);
    this.cpuIdleJ += idle;
    this.cpuActiveJ += cpu - idle;
    const pods = this.pods();
    const weight = pods.map((e) => (e.batch > 0 ? 1 + e.batch / 32 : 0.05));
    const total = weight.reduce((a, b) => a + b, 0);
    pods.forEach((e, i) => {
      const key = `${e.server.pod!.namespace}/${e.server.pod!.name}`;
      this.podCpuJ.set(key, (this.podCpuJ.get(key) ?? 0) + (total > 0 ? ((cpu - idle) * weight[i]!) / total : 0));
    });
    for (const g of this.host.gpus) {
      const de = (g.energyMj - this.lastEnergyMj.get(g)!) / 1000;
      this.lastEnergyMj.set(g, g.energyMj);
      const active = Math.max(0, de - g.limitW * IDLE_FRACTION * dt);
      const users = g.devices.filter((d) => d.engine?.server.pod);
      const acts = users.map((d) => g.activity(d));
      const sum = acts.reduce((a, b) => a + b, 0);
      users.forEach((d, i) => {
        const key = `${d.engine!.server.pod!.namespace}/${d.engine!.server.pod!.name}`;
        this.podGpuJ.set(key, (this.podGpuJ.get(key) ?? 0) + (sum > 0 ? (active * acts[i]!) / sum : 0));
      });
    }
    this.lastT = this.sim.t;
    this.lastCpuJ = this.host.cpuJoules;
  }

  render(): string {
    this.account();
    return this.sim.fleet.kepler.generation === 'rewrite' ? this.rewrite() : this.legacy();
  }

  private rewrite(): string {
    const w = new TextWriter();
    const node = this.host.host.name;
    const fam = (name: string) => { const d = metric(name); w.family(d.name, d.type === 'info' ? 'gauge' : d.type, d.help); return d.name; };
    const build = fam('kepler_build_info');
    w.sample(build, sorted([['branch', 'HEAD'], ['goarch', 'amd64'], ['goversion', 'go1.24.4'], ['revision', '4a3c5f1'], ['version', 'v0.11.4']]), '1');
    const pkgJ = this.host.cpuJoules;
    const zone = (z: string) => sorted([['node_name', node], ['path', RAPL_PATH[z]!], ['zone', z]]);
    const zones = Object.entries(ZONES);
    const series: [string, (share: number) => number][] = [
      ['kepler_node_cpu_joules_total', (s) => pkgJ * s],
      ['kepler_node_cpu_watts', (s) => this.host.cpuWatts * s],
      ['kepler_node_cpu_active_joules_total', (s) => this.cpuActiveJ * s],
      ['kepler_node_cpu_idle_joules_total', (s) => (pkgJ - this.cpuActiveJ) * s],
      ['kepler_node_cpu_active_watts', (s) => (this.host.cpuWatts - this.host.host.cpuIdleWatts) * s],
      ['kepler_node_cpu_idle_watts', (s) => this.host.host.cpuIdleWatts * s],
    ];
    for (const [name, f] of series) {
      const n = fam(name);
      for (const [z, s] of zones) w.sample(n, zone(z), goFloat(f(s)));
    }
    const pods = this.pods();
    const podLabels = (e: (typeof pods)[number], z: string) => {
      const p = e.server.pod!;
      return sorted([['node_name', node], ['pod_id', podId(p.namespace, p.name)], ['pod_name', p.name], ['pod_namespace', p.namespace], ['state', 'running'], ['zone', z]]);
    };
    const podJ = fam('kepler_pod_cpu_joules_total');
    for (const e of pods) for (const [z, s] of zones) {
      if (z === 'psys') continue;
      w.sample(podJ, podLabels(e, z), goFloat((this.podCpuJ.get(`${e.server.pod!.namespace}/${e.server.pod!.name}`) ?? 0) * s));
    }
    const podW = fam('kepler_pod_cpu_watts');
    for (const e of pods) for (const [z, s] of zones) {
      if (z === 'psys') continue;
      w.sample(podW, podLabels(e, z), goFloat((e.batch > 0 ? 0.06 + 0.0008 * e.batch : 0) * (this.host.host.cpuMaxWatts - this.host.host.cpuIdleWatts) * s));
    }
    if (this.sim.fleet.kepler.gpu) {
      const gpuLabels = (g: GpuSim) => sorted([['gpu', String(g.index)], ['gpu_name', g.gpu.model], ['gpu_uuid', g.uuid], ['node_name', node], ['vendor', 'nvidia']]);
      const nj = fam('kepler_node_gpu_joules_total');
      for (const g of this.host.gpus) if (!g.faults.lost) w.sample(nj, gpuLabels(g), goFloat(g.energyMj / 1000));
      const nw = fam('kepler_node_gpu_watts');
      for (const g of this.host.gpus) if (!g.faults.lost) w.sample(nw, gpuLabels(g), goFloat(g.powerW));
      const pj = fam('kepler_pod_gpu_joules_total');
      for (const g of this.host.gpus) {
        for (const d of g.devices) {
          const p = d.engine?.server.pod;
          if (!p) continue;
          const j = this.podGpuJ.get(`${p.namespace}/${p.name}`) ?? 0;
          // Emitted only when > 0, as upstream does.
          if (j > 0) w.sample(pj, sorted([['gpu', String(g.index)], ['gpu_uuid', g.uuid], ['node_name', node], ['pod_id', podId(p.namespace, p.name)], ['pod_name', p.name], ['pod_namespace', p.namespace]]), goFloat(j));
        }
      }
    }
    return w.toString();
  }

  private legacy(): string {
    const w = new TextWriter();
    const node = this.host.host.name;
    const fam = (name: string) => { const d = metric(name); w.family(d.name, d.type === 'info' ? 'gauge' : d.type, d.help); return d.name; };
    const build = fam('kepler_exporter_build_info');
    w.sample(build, sorted([['branch', 'HEAD'], ['revision', 'd6d6d3a'], ['version', 'v0.7.12']]), '1');
    const pkgJ = this.host.cpuJoules;
    const idleShare = pkgJ > 0 ? (pkgJ - this.cpuActiveJ) / pkgJ : 1;
    for (const [z, s] of Object.entries(LEGACY_ZONES)) {
      const n = fam(`kepler_node_${z}_joules_total`);
      const source = z === 'platform' ? 'acpi' : 'intel_rapl';
      w.sample(n, sorted([['instance', node], ['mode', 'dynamic'], ['source', source]]), goFloat(pkgJ * s * (1 - idleShare)));
      w.sample(n, sorted([['instance', node], ['mode', 'idle'], ['source', source]]), goFloat(pkgJ * s * idleShare));
    }
    if (this.sim.fleet.kepler.gpu) {
      const n = fam('kepler_node_gpu_joules_total');
      const gpuJ = this.host.gpus.reduce((a, g) => a + g.energyMj / 1000, 0);
      w.sample(n, sorted([['instance', node], ['mode', 'dynamic'], ['source', 'nvidia']]), goFloat([...this.podGpuJ.values()].reduce((a, b) => a + b, 0)));
      w.sample(n, sorted([['instance', node], ['mode', 'idle'], ['source', 'nvidia']]), goFloat(gpuJ - [...this.podGpuJ.values()].reduce((a, b) => a + b, 0)));
    }
    const pods = this.pods();
    const cont = (e: (typeof pods)[number], mode: string) => {
      const p = e.server.pod!;
      return sorted([['command', 'python3'], ['container_id', podId(p.namespace, p.name).replace(/-/g, '').padEnd(64, '0')], ['container_name', e.server.engine], ['container_namespace', p.namespace], ['mode', mode], ['pod_name', p.name]]);
    };
    for (const z of ['package', 'core', 'uncore', 'dram', 'other', 'platform', 'gpu']) {
      const n = fam(`kepler_container_${z}_joules_total`);
      for (const e of pods) {
        const key = `${e.server.pod!.namespace}/${e.server.pod!.name}`;
        const j = z === 'gpu' ? (this.podGpuJ.get(key) ?? 0) : (this.podCpuJ.get(key) ?? 0) * LEGACY_ZONES[z as keyof typeof LEGACY_ZONES];
        w.sample(n, cont(e, 'dynamic'), goFloat(j));
        w.sample(n, cont(e, 'idle'), '0');
      }
    }
    const total = fam('kepler_container_joules_total');
    for (const e of pods) {
      const key = `${e.server.pod!.namespace}/${e.server.pod!.name}`;
      const cpu = this.podCpuJ.get(key) ?? 0;
      // Upstream's definition: package + uncore + dram + gpu + other.
      const z = LEGACY_ZONES;
      w.sample(total, cont(e, 'dynamic'), goFloat(cpu * (z.package + z.uncore + z.dram + z.other) + (this.podGpuJ.get(key) ?? 0)));
      w.sample(total, cont(e, 'idle'), '0');
    }
    return w.toString();
  }
}
