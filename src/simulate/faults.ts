// Faults that can be injected into a running simulation (control API: POST /faults/<name>, cleared
// with DELETE), each acting on the workload model so that every endpoint shows its consequences:
//   server-down      a vLLM/SGLang server stops answering (scrapes fail); on clear it restarts, so
//                    its counters start again from zero, as a restarted server's do.
//   gpu-lost         a GPU falls off the bus (XID 79 in the kernel log): dcgm-exporter and Kepler stop
//                    reporting it and every server on it goes down; on clear it is back and they restart.
//   xid              a GPU reports an XID (default 79, fallen off the bus); on clear the gauge goes
//                    back to 0, as after a driver reload.
//   throttle         a GPU is throttled (kind=power|thermal, ratio of wall time, default 0.5): its
//                    violation counter climbs, clocks, throughput and dynamic power drop by 30 %;
//                    thermal also heats the board.
//   efficiency-drop  a model's GPU spends 1/`factor` (default 0.3) of the dynamic power on the same tokens:
//                    tokens per joule falls, throughput and latency do not change.
//   slow             every request to a model waits `seconds` (default 2) before its prefill: TTFT
//                    climbs past the SLO while throughput stays the same.
import type { EngineSim, FleetSim, GpuSim } from './workload.ts';

export const FAULT_NAMES = ['server-down', 'gpu-lost', 'xid', 'throttle', 'efficiency-drop', 'slow'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultParams {
  /** Served model name (server faults); the first server of that model unless `server` is given. */
  model?: string;
  /** Index of the server in the fleet file. */
  server?: number;
  /** Host name (GPU faults); default: the first host. */
  host?: string;
  /** GPU index on that host (GPU faults). */
  gpu?: number;
  code?: number;
  kind?: 'power' | 'thermal';
  ratio?: number;
  factor?: number;
  seconds?: number;
}

export interface ActiveFault { name: FaultName; params: FaultParams; since: number }

export class FaultError extends Error {}

export function isFaultName(n: string): n is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(n);
}

function engineOf(sim: FleetSim, p: FaultParams): EngineSim {
  if (p.server !== undefined) {
    const e = sim.engines[p.server];
    if (!e) throw new FaultError(`no server ${p.server} (the fleet has ${sim.engines.length})`);
    return e;
  }
  if (p.model === undefined) throw new FaultError('name the server: model=<served model name> or server=<index>');
  const e = sim.engines.find((x) => x.server.model === p.model);
  if (!e) throw new FaultError(`no server serves model '${p.model}' (served: ${[...new Set(sim.engines.map((x) => x.server.model))].join(', ')})`);
  return e;
}

function gpuOf(sim: FleetSim, p: FaultParams): GpuSim {
  const host = p.host === undefined ? sim.hosts[0]! : sim.hosts.find((h) => h.host.name === p.host);
  if (!host) throw new FaultError(`no host '${p.host}'`);
  if (p.gpu === undefined) throw new FaultError('name the GPU: gpu=<index>');
  const g = host.gpus[p.gpu];
  if (!g) throw new FaultError(`host '${host.host.name}' has no GPU ${p.gpu}`);
  return g;
}

/** Apply a fault to the simulation now; returns what was applied (with defaults filled in). */
export function applyFault(sim: FleetSim, name: FaultName, p: FaultParams): FaultParams {
  switch (name) {
    case 'server-down': { engineOf(sim, p).faults.down = true; return p; }
    case 'slow': {
      const sec = p.seconds ?? 2;
      if (!(sec >= 0)) throw new FaultError('seconds must be >= 0');
      engineOf(sim, p).faults.stallSeconds = sec;
      return { ...p, seconds: sec };
    }
    case 'efficiency-drop': {
      const f = p.factor ?? 0.3;
      if (!(f > 0 && f <= 1)) throw new FaultError('factor must be in (0, 1]');
      engineOf(sim, p).faults.efficiency = f;
      return { ...p, factor: f };
    }
    case 'gpu-lost': {
      const g = gpuOf(sim, p);
      g.faults.lost = true;
      for (const d of g.devices) if (d.engine) d.engine.faults.down = true;
      return p;
    }
    case 'xid': { const c = p.code ?? 79; gpuOf(sim, p).faults.xid = c; return { ...p, code: c }; }
    case 'throttle': {
      const g = gpuOf(sim, p);
      const kind = p.kind ?? 'power';
      const ratio = p.ratio ?? 0.5;
      if (!(ratio > 0 && ratio <= 1)) throw new FaultError('ratio must be in (0, 1]');
      if (kind === 'power') g.faults.powerThrottle = ratio;
      else g.faults.thermalThrottle = ratio;
      return { ...p, kind, ratio };
    }
  }
}

export function clearFault(sim: FleetSim, name: FaultName, p: FaultParams): void {
  switch (name) {
    case 'server-down': {
      const e = engineOf(sim, p);
      if (e.faults.down) sim.replaceEngine(e, e.restart(sim.t));
      return;
    }
    case 'gpu-lost': {
      const g = gpuOf(sim, p);
      g.faults.lost = false;
      const engines = new Set(g.devices.flatMap((d) => (d.engine ? [d.engine] : [])));
      for (const e of engines) if (e.faults.down) sim.replaceEngine(e, e.restart(sim.t));
      return;
    }
    case 'slow': engineOf(sim, p).faults.stallSeconds = 0; return;
    case 'efficiency-drop': engineOf(sim, p).faults.efficiency = 1; return;
    case 'xid': gpuOf(sim, p).faults.xid = 0; return;
    case 'throttle': {
      const g = gpuOf(sim, p);
      if ((p.kind ?? 'power') === 'power') g.faults.powerThrottle = 0;
      else g.faults.thermalThrottle = 0;
      return;
    }
  }
}

/** Fault parameters from a URL's query string (?model=…&gpu=1&code=79). */
export function paramsFromQuery(q: URLSearchParams): FaultParams {
  const p: FaultParams = {};
  const num = (k: string) => {
    const v = q.get(k);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new FaultError(`${k} must be a number, not '${v}'`);
    return n;
  };
  const model = q.get('model');
  if (model !== null) p.model = model;
  const host = q.get('host');
  if (host !== null) p.host = host;
  const kind = q.get('kind');
  if (kind !== null) {
    if (kind !== 'power' && kind !== 'thermal') throw new FaultError(`kind must be power or thermal, not '${kind}'`);
    p.kind = kind;
  }
  for (const k of ['server', 'gpu', 'code', 'ratio', 'factor', 'seconds'] as const) {
    const v = num(k);
    if (v !== undefined) p[k] = v as never;
  }
  return p;
}
