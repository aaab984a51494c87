// NVML replayed for the exporter: the simulation's GPUs written as a trace in the format of
// test/fixtures/nvidia-h100/trace.csv (what `tokenwatt record` writes) with a `gpu` column, for the
// NVML collector's replay mode (`nvml: replay:<file>`, played relative to its start and looped).
// A fresh simulation of the same fleet and seed is run ahead, so without injected faults the trace
// is the live fleet's own GPU history (faults injected later are not in it).
import type { Fleet } from './fleet.ts';
import { FleetSim } from './workload.ts';

export const TRACE_HEADER = 'unix_s,gpu,power_mW,energy_mJ,gpu_util_pct,mem_util_pct,mem_used_bytes,sm_clock_mhz,temp_c';

/**
 * One host's GPUs over `seconds`, a row per GPU every `everySeconds`, times from `startUnixS`.
 * `gpus`: only these indices (a trace cannot carry MIG instances, so a replay of a MIG GPU would
 * hide its slices; leave those to dcgm-exporter).
 */
export function nvmlTrace(fleet: Fleet, hostName: string, seconds: number, startUnixS: number, everySeconds = 0.5, gpus?: readonly number[]): string {
  const sim = new FleetSim(fleet);
  const host = sim.hosts.find((h) => h.host.name === hostName);
  if (!host) throw new Error(`nvml trace: no host '${hostName}' in the fleet`);
  const rows = [TRACE_HEADER];
  for (let k = 0; k * everySeconds <= seconds + 1e-9; k++) {
    sim.advanceTo(k * everySeconds);
    for (const g of host.gpus) {
      if (gpus && !gpus.includes(g.index)) continue;
      const act = Math.max(...g.devices.map((d) => g.activity(d) * (d.computeSlices / 7)));
      const used = g.devices.reduce((a, d) => a + (d.engine ? d.memoryMiB * 0.9 : 0), 0) * 2 ** 20;
      const busy = g.devices.some((d) => g.activity(d) > 0);
      rows.push([
        (startUnixS + sim.t).toFixed(3), g.index, Math.round(g.powerW * 1000), Math.floor(g.energyMj),
        Math.round(act * 100), Math.round(act * 55), Math.round(used), Math.round(busy ? g.spec.smClockMaxMHz * g.speed : 210), Math.round(g.tempC),
      ].join(','));
    }
  }
  return rows.join('\n') + '\n';
}
