// The demo stack, shared by `tokenwatt demo` and test/demo-e2e.test.ts so that the test proves what
// the demo runs: the simulated fleet, the build (prometheus.yml, rules, alertmanager.yml) compiled
// with a MixinConfig that points at the fleet, a real Prometheus and Alertmanager, and a webhook
// receiver that records (and the demo prints) every notification. Faster timings come from the
// config (scrape/eval intervals, `for` durations, Alertmanager group timings), never from editing rules.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { build } from '../build/index.ts';
import { defaultConfig } from '../config/mixin.ts';
import type { MixinConfig } from '../config/mixin.ts';
import { findKind, SERVING_KIND_IDS, servingOf } from '../kinds/index.ts';
import type { TargetGroup } from '../config/prometheus.ts';
import type { Fleet } from './fleet.ts';
import { startFleet } from './index.ts';
import type { RunningFleet } from './index.ts';
import { nvmlTrace } from './nvml-trace.ts';

export const PROMETHEUS_BINS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'];
export const ALERTMANAGER_BINS = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'];
export const INSTALL_HINT = 'install them with: sudo bash scripts/debian-deps.sh (or: sudo apt-get install prometheus prometheus-alertmanager)';

export class MissingBinaryError extends Error {}

export function findBinaries(candidates = { prometheus: PROMETHEUS_BINS, alertmanager: ALERTMANAGER_BINS }): { prometheus: string; alertmanager: string } {
  const prometheus = candidates.prometheus.find((b) => existsSync(b));
  const alertmanager = candidates.alertmanager.find((b) => existsSync(b));
  const missing = [!prometheus && `prometheus (looked in ${candidates.prometheus.join(', ')})`, !alertmanager && `alertmanager (looked in ${candidates.alertmanager.join(', ')})`].filter(Boolean);
  if (missing.length > 0) throw new MissingBinaryError(`not found: ${missing.join('; ')}. ${INSTALL_HINT}`);
  return { prometheus: prometheus!, alertmanager: alertmanager! };
}

/**
 * Timings: 'demo' for a person watching (alerts within a minute or two), 'test' for the e2e test
 * (seconds). A lost GPU must page before its servers' down alerts do, or Alertmanager has nothing
 * to inhibit them with when they arrive: missingFor and hostDownFor are shorter than the serving downFor (the build checks).
 * tokens/J's `for` equals its window (as in 'demo'), so that one evaluation's dip on a loaded machine does not page.
 */
export type Pace = 'demo' | 'test';

const PACES = {
  demo: { energyWindow: '1m', baselineWindow: '15m', dropFor: '1m', missingFor: '15s', hostDownFor: '15s', scrape: '5s', evaluation: '5s', report: '5m', dcgm: 5, downFor: '30s', pageFor: '30s', throttleWindow: '2m', throttleFor: '1m', groupWait: '10s', groupInterval: '30s', exporterInterval: '5s' },
  test: { energyWindow: '5s', baselineWindow: '5m', dropFor: '5s', missingFor: '1s', hostDownFor: '1s', scrape: '1s', evaluation: '1s', report: '10s', dcgm: 1, downFor: '5s', pageFor: '1s', throttleWindow: '30s', throttleFor: '2s', groupWait: '1s', groupInterval: '2s', exporterInterval: '1s' },
} as const;

/** The mixin config for a fleet: its endpoints as static targets, the local Alertmanager and webhook, faster timings. */
export function stackConfig(running: RunningFleet, opts: { alertmanager: string; webhookUrl: string; pace: Pace; tokenwatt?: string[] }): MixinConfig {
  const p = PACES[opts.pace];
  const a = defaultConfig.alerting;
  return {
    ...defaultConfig,
    prometheus: {
      ...defaultConfig.prometheus,
      scrapeInterval: p.scrape,
      evaluationInterval: p.evaluation,
      reportInterval: p.report,
      alertmanagers: [opts.alertmanager],
      cluster: 'demo',
      // One group per fleet host with its `host` label, as an operator lists static hosts: everything
      // on loopback would otherwise get host=127.0.0.1, and serving alerts (host from the target) could
      // not meet GPU alerts (host from dcgm-exporter's Hostname) in the host-loss inhibition.
      staticTargets: {
        ...Object.fromEntries(SERVING_KIND_IDS.map((id) => {
          const servers = running.servers.filter((s) => s.engine === id);
          // An engine that names no model gets model_name as a target label, one group per server.
          const groups = servingOf(id).namesModel ? byHost(servers) : servers.map((s) => ({ targets: [s.address], labels: { host: s.host, model_name: s.model } }));
          return [findKind(id)!.scrape.job, groups];
        })),
        'dcgm-exporter': byHost(running.dcgm),
        kepler: byHost(running.kepler),
        ...(opts.tokenwatt && { tokenwatt: opts.tokenwatt }),
      },
    },
    alerting: {
      ...a,
      gpu: { ...a.gpu, throttleWindow: p.throttleWindow, throttleFor: p.throttleFor, missingFor: p.missingFor, hostDownFor: p.hostDownFor },
      serving: { ...a.serving, downFor: p.downFor },
      slo: { ...a.slo, pageFor: p.pageFor },
      energy: { ...a.energy, window: p.energyWindow, baselineWindow: p.baselineWindow, dropFor: p.dropFor },
    },
    alertmanager: {
      ...defaultConfig.alertmanager,
      webhookUrl: opts.webhookUrl,
      groupWait: p.groupWait,
      groupInterval: p.groupInterval,
      repeatInterval: '1h',
    },
  };
}

/** One notification as Alertmanager's webhook sends it (payload version 4), with when it arrived. */
export interface Notification {
  receivedAt: number;
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }[];
}

export interface WebhookReceiver { url: string; notifications: Notification[]; stop(): Promise<void> }

/** A local webhook receiver: records every notification and hands it to `onNotification`. */
export function startWebhookReceiver(address: string, port: number, onNotification?: (n: Notification) => void): Promise<WebhookReceiver> {
  const notifications: Notification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const n = { ...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<Notification, 'receivedAt'>), receivedAt: Date.now() };
        notifications.push(n);
        onNotification?.(n);
        res.end('ok\n');
      } catch {
        res.statusCode = 400;
        res.end('not JSON\n');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      const p = (server.address() as { port: number }).port;
      resolve({
        url: `http://${address}:${p}/webhook`,
        notifications,
        stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

/** "firing GPUXidError severity=critical → pagerduty: GPU 1 (…) reported fatal XID 79." */
export function formatNotification(n: Notification): string {
  return n.alerts.map((a) => {
    const what = [`severity=${a.labels.severity ?? ''}`, ...['model_name', 'host', 'gpu'].filter((k) => a.labels[k]).map((k) => `${k}=${a.labels[k]}`)].join(' ');
    return `[${new Date(n.receivedAt).toISOString()}] ${a.status.toUpperCase()} ${a.labels.alertname} ${what} -> ${n.receiver}: ${a.annotations.description ?? a.annotations.summary ?? ''}`;
  }).join('\n');
}

/**
 * The tokenwatt exporter's config for a running fleet: every engine, dcgm-exporter and Kepler as a
 * target, each engine placed on its GPU/slice by URL, and NVML replayed for the non-MIG GPUs of
 * `nvmlHost` (a trace cannot carry MIG instances: those GPUs stay with dcgm-exporter).
 */
export function exporterConfig(running: RunningFleet, o: { listen: string; interval: string; nvmlHost?: string; nvmlTrace?: string }): object {
  const fleet = running.sim.fleet;
  const host = o.nvmlHost === undefined ? undefined : running.sim.hosts.find((h) => h.host.name === o.nvmlHost);
  return {
    listen: o.listen,
    host: o.nvmlHost ?? fleet.hosts[0]!.name,
    interval: o.interval,
    logLevel: 'warn',
    nvml: o.nvmlTrace ? `replay:${o.nvmlTrace}` : 'off',
    ...(host && o.nvmlTrace && {
      nvmlReplayGpus: Object.fromEntries(host.gpus.filter((g) => !g.mig).map((g) => [String(g.index), { name: g.gpu.model, uuid: g.uuid, powerLimitWatts: g.limitW }])),
    }),
    targets: [
      ...running.servers.map((s) => ({ kind: s.engine, url: s.url, name: `${s.engine}:${s.model}@${s.address}`, ...(!servingOf(s.engine).namesModel && { model: s.model }) })),
      ...running.dcgm.map((d) => ({ kind: 'dcgm', url: d.url, name: `dcgm:${d.host}` })),
      ...running.kepler.map((k) => ({ kind: 'kepler', url: k.url, name: `kepler:${k.host}` })),
    ],
    placement: running.servers.map((s) => {
      const spec = fleet.servers[s.index]!;
      return { url: s.url, host: s.host, gpu: spec.gpus.length > 1 ? spec.gpus.map(String) : String(spec.gpus[0]), ...(spec.gpuInstanceId !== undefined && { gpuInstanceId: String(spec.gpuInstanceId) }) };
    }),
  };
}

/** file_sd groups of endpoints, one per host, labelled with it. */
function byHost(endpoints: readonly { address: string; host: string }[]): TargetGroup[] {
  const hosts = [...new Set(endpoints.map((e) => e.host))];
  return hosts.map((h) => ({ targets: endpoints.filter((e) => e.host === h).map((e) => e.address), labels: { host: h } }));
}

export const TOKENWATT_BIN = fileURLToPath(new URL('../../bin/tokenwatt.js', import.meta.url));

export interface Child { stop(): Promise<void>; log(): string }

/** Spawn a server binary and wait until `readyUrl` answers 200 (or the process exits). */
export async function startChild(bin: string, args: string[], readyUrl: string): Promise<Child> {
  let output = '';
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-20000); });
  proc.stderr.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-20000); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) break;
    try {
      if ((await fetch(readyUrl)).ok) return { stop, log: () => output };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${bin} did not become ready at ${readyUrl}:\n${output}`);
}

export interface StackOptions {
  fleet: Fleet;
  /** Where the build and the servers' data go. */
  dir: string;
  pace: Pace;
  address?: string;
  /** 'default': Prometheus 9090, Alertmanager 9093, webhook 9095 and the fleet's default ports; 'ephemeral' for tests. */
  ports: 'default' | 'ephemeral';
  onNotification?: (n: Notification) => void;
  /** Run the tokenwatt exporter against the fleet (default true). */
  exporter?: boolean;
}

export interface Stack {
  fleet: RunningFleet;
  config: MixinConfig;
  prometheusUrl: string;
  alertmanagerUrl: string;
  webhook: WebhookReceiver;
  prometheus: Child;
  alertmanager: Child;
  /** The exporter, when it runs: its /metrics URL and the NVML trace it replays. */
  exporter?: Child & { url: string; config: string; nvmlTrace?: string };
  stop(): Promise<void>;
}

async function freePort(address: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, address, () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Start everything; on any failure, stop what was started and rethrow. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const bins = findBinaries();
  const address = o.address ?? '127.0.0.1';
  const ephemeral = o.ports === 'ephemeral';
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => { for (const s of stops.reverse()) await s().catch(() => undefined); };
  try {
    const fleetSpec: Fleet = { ...o.fleet, dcgm: { collectIntervalSeconds: Math.min(o.fleet.dcgm.collectIntervalSeconds, PACES[o.pace].dcgm) } };
    const fleet = await startFleet(fleetSpec, { address, ports: o.ports });
    stops.push(() => fleet.stop());
    const webhook = await startWebhookReceiver(address, ephemeral ? 0 : 9095, o.onNotification);
    stops.push(() => webhook.stop());
    const amPort = ephemeral ? await freePort(address) : 9093;
    const promPort = ephemeral ? await freePort(address) : 9090;
    const twPort = ephemeral ? await freePort(address) : 9464;
    const withExporter = o.exporter ?? true;
    const config = stackConfig(fleet, { alertmanager: `${address}:${amPort}`, webhookUrl: webhook.url, pace: o.pace, ...(withExporter && { tokenwatt: [`${address}:${twPort}`] }) });
    const out = join(o.dir, 'dist');
    await build(out, config);
    const amData = join(o.dir, 'alertmanager-data');
    const promData = join(o.dir, 'prometheus-data');
    // A fresh TSDB and silence store each run: the fleet starts from its seed again, and last run's
    // series (same UUIDs, an XID already seen) would otherwise blend into this one's alerts.
    for (const d of [amData, promData]) {
      await rm(d, { recursive: true, force: true });
      await mkdir(d, { recursive: true });
    }
    const alertmanager = await startChild(bins.alertmanager, [
      `--config.file=${join(out, 'alertmanager', 'alertmanager.yml')}`, `--storage.path=${amData}`,
      `--web.listen-address=${address}:${amPort}`, '--cluster.listen-address=', '--log.level=warn',
    ], `http://${address}:${amPort}/-/ready`);
    stops.push(() => alertmanager.stop());
    let exporter: Stack['exporter'];
    if (withExporter) {
      // NVML for the first host with a whole GPU, replayed from the same seeded model as the fleet.
      const nvmlHost = fleet.sim.hosts.find((h) => h.gpus.some((g) => !g.mig));
      let trace: string | undefined;
      if (nvmlHost) {
        trace = join(o.dir, `nvml-${nvmlHost.host.name}.csv`);
        const whole = nvmlHost.gpus.filter((g) => !g.mig).map((g) => g.index);
        await writeFile(trace, nvmlTrace(fleetSpec, nvmlHost.host.name, 600, Date.now() / 1000, 0.5, whole));
      }
      const file = join(o.dir, 'tokenwatt.yaml');
      await writeFile(file, stringify(exporterConfig(fleet, {
        listen: `${address}:${twPort}`, interval: PACES[o.pace].exporterInterval,
        ...(nvmlHost && trace && { nvmlHost: nvmlHost.host.name, nvmlTrace: trace }),
      })));
      const child = await startChild(process.execPath, [TOKENWATT_BIN, 'exporter', '--config', file], `http://${address}:${twPort}/readyz`);
      stops.push(() => child.stop());
      exporter = { ...child, url: `http://${address}:${twPort}/metrics`, config: file, ...(trace && { nvmlTrace: trace }) };
    }
    const prometheus = await startChild(bins.prometheus, [
      `--config.file=${join(out, 'prometheus', 'prometheus.yml')}`, `--storage.tsdb.path=${promData}`,
      `--web.listen-address=${address}:${promPort}`, '--log.level=warn',
      // The first notification can go out before Alertmanager discovery settles: resend each second.
      ...(o.pace === 'test' ? ['--rules.alert.resend-delay=1s'] : []),
    ], `http://${address}:${promPort}/-/ready`);
    stops.push(() => prometheus.stop());
    return {
      fleet, config, webhook, prometheus, alertmanager, ...(exporter && { exporter }),
      prometheusUrl: `http://${address}:${promPort}`,
      alertmanagerUrl: `http://${address}:${amPort}`,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
