// `tokenwatt simulate`: a simulated fleet on loopback (src/simulate/): vLLM/SGLang servers,
// dcgm-exporter and Kepler per host, an NVML trace for the exporter's replay mode, and a control
// port for fault injection. Runs until SIGINT/SIGTERM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { FleetError, loadFleet, REFERENCE_FLEET } from '../simulate/fleet.ts';
import type { Fleet } from '../simulate/fleet.ts';
import { startFleet } from '../simulate/index.ts';
import type { RunningFleet } from '../simulate/index.ts';
import { nvmlTrace } from '../simulate/nvml-trace.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

export const SIMULATE_USAGE = `Usage: tokenwatt simulate [--fleet FILE] [--seed N] [--dcgm-interval SECONDS] [--address ADDR]
                         [--ephemeral-ports] [--nvml-trace DIR] [--nvml-seconds N] [--print-exporter-config]

Serve a simulated GPU fleet on loopback, driven by one workload model (request arrivals, batching,
latency, throughput and power calibrated on a real H100 run and scaled to each GPU's power limit):
one vLLM (or SGLang) /metrics per server, one dcgm-exporter and one Kepler /metrics per host, and
a control API to inject faults.

Fleet files (exporters/simulate/): reference.yaml (default: two A100-40GB, one whole, one split
into MIG 3g.20gb + 2g.10gb), t4-llama3.2-3b.yaml, dense-8xh100.yaml.

Faults (control API, also printed at start):
  curl -X POST 'http://127.0.0.1:9999/faults/server-down?model=meta-llama/Llama-2-7b-chat-hf'
  curl -X POST 'http://127.0.0.1:9999/faults/xid?gpu=1&code=79'
  curl -X POST 'http://127.0.0.1:9999/faults/gpu-lost?host=a100-node-1&gpu=0'
  curl -X POST 'http://127.0.0.1:9999/faults/throttle?gpu=0&kind=power&ratio=0.5'
  curl -X POST 'http://127.0.0.1:9999/faults/efficiency-drop?model=…&factor=0.5'
  curl -X POST 'http://127.0.0.1:9999/faults/slow?model=…&seconds=2'
  curl -X DELETE '…same URL…' clears it; curl http://127.0.0.1:9999/faults lists them.

Options:
  --fleet FILE            fleet file (default: exporters/simulate/reference.yaml)
  --seed N                override the fleet's seed
  --dcgm-interval S       dcgm-exporter collection interval (default: the fleet's, 30 s upstream)
  --address ADDR          listen address (default 127.0.0.1)
  --ephemeral-ports       free ports instead of vLLM 8000+, dcgm 9400+, Kepler 28282+/9102+, control 9999
  --nvml-trace DIR        write DIR/nvml-<host>.csv, the hosts' whole (non-MIG) GPUs for the exporter's
                          NVML replay mode (nvml: replay:<file>, identity in nvmlReplayGpus)
  --nvml-seconds N        length of that trace before it loops (default 600)
  --print-exporter-config print a tokenwatt exporter config (YAML) for the fleet on its default ports,
                          every engine a target placed on its GPU or MIG instance, and exit

Exit status: 0 stopped by a signal; 1 a port is taken (says so, and suggests --ephemeral-ports); 2 usage
error or invalid fleet file (each bad field named).`;

export interface SimulateArgs {
  fleet: Fleet;
  fleetFile: string;
  address: string;
  ephemeral: boolean;
  nvmlTraceDir?: string;
  nvmlSeconds: number;
  printExporterConfig: boolean;
}

/** Flags to a checked fleet and options; FleetError and UsageError for bad input (exit 2). */
export function parseSimulateArgs(args: string[]): SimulateArgs {
  const { values } = parseFlags(args, {
    fleet: { type: 'string' },
    seed: { type: 'string' },
    'dcgm-interval': { type: 'string' },
    address: { type: 'string', default: '127.0.0.1' },
    'ephemeral-ports': { type: 'boolean', default: false },
    'nvml-trace': { type: 'string' },
    'nvml-seconds': { type: 'string', default: '600' },
    'print-exporter-config': { type: 'boolean', default: false },
  }, false);
  if (values['print-exporter-config'] && values['ephemeral-ports']) {
    throw new UsageError('--print-exporter-config prints the default ports; it cannot go with --ephemeral-ports (free ports are known only once started)');
  }
  const fleetFile = resolve(values.fleet ?? REFERENCE_FLEET);
  const fleet = loadFleet(fleetFile);
  const positive = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`--${flag} must be a positive number, not '${v}'`);
    return n;
  };
  if (values.seed !== undefined) {
    const n = Number(values.seed);
    if (!Number.isInteger(n)) throw new UsageError(`--seed must be an integer, not '${values.seed}'`);
    fleet.seed = n;
  }
  const interval = positive('dcgm-interval', values['dcgm-interval']);
  if (interval !== undefined) fleet.dcgm.collectIntervalSeconds = interval;
  return {
    fleet, fleetFile, address: values.address!, ephemeral: values['ephemeral-ports']!,
    ...(values['nvml-trace'] !== undefined && { nvmlTraceDir: resolve(values['nvml-trace']) }),
    nvmlSeconds: positive('nvml-seconds', values['nvml-seconds'])!,
    printExporterConfig: values['print-exporter-config']!,
  };
}

/**
 * The tokenwatt exporter's config for a fleet served on its default ports (vLLM/SGLang 8000+i, dcgm
 * 9400+h, Kepler 28282+h or 9102+h): every engine a target, placed by URL on the host, GPU(s) and MIG
 * instance the fleet gives it (the host as dcgm-exporter's Hostname label names it), so no engine is
 * left unplaced (issue 12). NVML is off: a simulated fleet has no driver.
 */
export function fleetExporterConfig(fleet: Fleet, address = '127.0.0.1'): object {
  const url = (port: number) => `http://${address}:${port}/metrics`;
  const keplerBase = fleet.kepler.generation === 'rewrite' ? 28282 : 9102;
  return {
    listen: '0.0.0.0:9464',
    interval: '5s',
    nvml: 'off',
    targets: [
      ...fleet.servers.map((s, i) => ({ kind: s.engine, name: `${s.engine}:${s.model}@${8000 + i}`, url: url(8000 + i) })),
      ...fleet.hosts.map((h, i) => ({ kind: 'dcgm', name: `dcgm:${h.name}`, url: url(9400 + i) })),
      ...fleet.hosts.map((h, i) => ({ kind: 'kepler', name: `kepler:${h.name}`, url: url(keplerBase + i) })),
    ],
    placement: fleet.servers.map((s, i) => ({
      url: url(8000 + i),
      host: s.host,
      gpu: s.gpus.length > 1 ? s.gpus.map(String) : String(s.gpus[0]),
      ...(s.gpuInstanceId !== undefined && { gpuInstanceId: String(s.gpuInstanceId) }),
    })),
  };
}

/** Write one NVML trace per host with a whole (non-MIG) GPU; returns host -> file. */
export function writeNvmlTraces(fleet: Fleet, dir: string, seconds: number, startUnixS: number): Map<string, string> {
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  for (const h of fleet.hosts) {
    // A trace cannot carry MIG instances: MIG GPUs are left to dcgm-exporter.
    const whole = h.gpus.flatMap((g, i) => (g.mig ? [] : [i]));
    if (whole.length === 0) continue;
    const file = join(dir, `nvml-${h.name}.csv`);
    writeFileSync(file, nvmlTrace(fleet, h.name, seconds, startUnixS, 0.5, whole));
    files.set(h.name, file);
  }
  return files;
}

/** What `simulate` prints: every URL it serves and how to inject a fault. */
export function describeFleet(running: RunningFleet, fleetFile: string): string {
  const lines = [`tokenwatt simulate: fleet ${fleetFile}`];
  for (const s of running.servers) lines.push(`  ${s.engine.padEnd(6)} ${s.url}  ${s.model} on ${s.host}`);
  for (const d of running.dcgm) lines.push(`  dcgm   ${d.url}  ${d.host}`);
  for (const k of running.kepler) lines.push(`  kepler ${k.url}  ${k.host} (${k.generation})`);
  const first = running.servers[0]!;
  lines.push(
    `  faults ${running.control.url}`,
    `    curl -X POST '${running.control.url}/server-down?model=${first.model}'   (DELETE to clear; also gpu-lost, xid, throttle, efficiency-drop, slow)`,
  );
  return lines.join('\n');
}

const command: Command = {
  usage: SIMULATE_USAGE,
  async run(args) {
    let a: SimulateArgs;
    try {
      a = parseSimulateArgs(args);
    } catch (err) {
      if (err instanceof FleetError) { console.error(`tokenwatt simulate: ${err.message}`); return 2; }
      throw err;
    }
    if (a.printExporterConfig) {
      process.stdout.write(`# tokenwatt exporter config for the simulated fleet ${a.fleetFile} on its default ports\n${stringify(fleetExporterConfig(a.fleet, a.address))}`);
      return 0;
    }
    let running;
    try {
      running = await startFleet(a.fleet, { address: a.address, ports: a.ephemeral ? 'ephemeral' : 'default' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      console.error(`tokenwatt simulate: ${(err as Error).message}\n  The port is taken (another simulate or demo still running?): stop it, or add --ephemeral-ports to use free ports.`);
      return 1;
    }
    console.log(describeFleet(running, a.fleetFile));
    if (a.nvmlTraceDir) {
      for (const [host, file] of writeNvmlTraces(a.fleet, a.nvmlTraceDir, a.nvmlSeconds, Date.now() / 1000)) console.log(`  nvml   ${file}  ${host} (replay:${file})`);
    }
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await running.stop();
    return 0;
  },
};
export default command;
