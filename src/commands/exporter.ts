// `tokenwatt exporter`: run the exporter until SIGTERM/SIGINT. An invalid config is reported (every bad
// field named) and exits 2 before any port opens or any target is read.
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { configHash } from '../exporter/config-state.ts';
import { loadExporterConfig, ConfigError } from '../exporter/config.ts';
import { Exporter } from '../exporter/exporter.ts';
import { jsonLog } from '../log.ts';
import { listen } from '../exporter/server.ts';
import { scrapeWorkerReady } from '../collectors/scrape-pool.ts';
import { loadNvmlFactory, scheduleCollectors } from '../exporter/setup.ts';
import { LiveTargets, watchConfig } from '../exporter/reload.ts';
import { version } from '../version.ts';
import { parseFlags } from './command.ts';
import type { Command } from './command.ts';

const command: Command = {
  usage: `Usage: tokenwatt exporter [--config FILE] [--check]

Run the tokenwatt exporter: read vLLM/SGLang engines, dcgm-exporter, Kepler and NVML every interval,
join them into per-GPU, per-MIG-slice and per-model energy, cost and CO2e counters, and serve them.

Endpoints: /metrics (Prometheus text 0.0.4, gzip on request), /healthz, /readyz (200 once every
collector ran once), /api/targets (JSON status of each target). Auth, if configured, guards all but /healthz.

Options:
  --config FILE   YAML config (default ./tokenwatt.yaml); see exporters/tokenwatt/tokenwatt.yaml
  --check         validate the config, print a summary and exit (0 valid, 2 invalid)

SIGHUP, or a change of the config file (a ConfigMap update), reloads its targets and placement without a
restart: counters carry on. Fields that need a restart (listen, auth, tls, interval, nvml, energy...) are
logged and keep their running values. A reloaded file that does not validate is refused and logged.

Logs are JSON lines on stderr. SIGTERM or SIGINT stops the timers, closes the server and exits 0.
Exit status: 0 after a clean shutdown or a valid --check; 1 the port cannot be opened; 2 invalid config or usage.`,
  async run(args) {
    const { values } = parseFlags(args, { config: { type: 'string', default: './tokenwatt.yaml' }, check: { type: 'boolean', default: false } }, false);
    let config;
    try {
      config = loadExporterConfig(values.config);
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(`tokenwatt exporter: ${err.message}`);
        return 2;
      }
      throw err;
    }
    if (values.check) {
      console.log(`config ${values.config} is valid: ${config.targets.length} target(s), nvml ${typeof config.nvml === 'string' ? config.nvml : 'replay'}, listen ${config.listen.host}:${config.listen.port}`);
      return 0;
    }
    const k8s = config.discovery?.kubernetes;
    const node = k8s?.node ?? process.env.NODE_NAME;
    if (k8s && !node) {
      console.error('tokenwatt exporter: discovery.kubernetes.node: not set, and $NODE_NAME is empty (the DaemonSet sets it from spec.nodeName)');
      return 2;
    }
    const log = jsonLog(config.logLevel);
    log('info', 'starting', { version, config: values.config, targets: config.targets.length, intervalMs: config.intervalMs });
    const nvml = config.nvml === 'off' ? undefined : await loadNvmlFactory(log);
    const exporter = new Exporter([], config.energy, config.intervalMs, log, { maxConcurrentScrapes: config.limits.maxConcurrentScrapes, ...(config.stateFile !== undefined && { stateFile: config.stateFile }) });
    // Targets live: a reload (SIGHUP, the file changing) swaps them without a restart (src/exporter/reload.ts).
    const live = new LiveTargets(exporter, config, log);
    // tokenwatt_config_hash and friends: dashboards mark a config change where the hash changes.
    live.exporterConfigState({ hash: configHash(readFileSync(values.config!, 'utf8')), loadedAtS: Date.now() / 1000, lastReloadOk: true });
    exporter.replaceTargets(scheduleCollectors(config, log, nvml, live.shared));
    // Reads run on the scrape worker (src/collectors/scrape-pool.ts): started before the server and
    // the first cycle, so 'listening' means ready to read.
    await scrapeWorkerReady();
    let server: Server;
    try {
      server = await listen(exporter, { host: config.listen.host, port: config.listen.port, maxConnections: config.limits.maxConnections, headerTimeoutMs: config.limits.headerTimeout, ...(config.auth && { auth: config.auth }), ...(config.tls && { tls: config.tls }), log });
    } catch (err) {
      log('error', 'cannot listen', { address: `${config.listen.host}:${config.listen.port}`, error: (err as Error).message });
      return 1;
    }
    exporter.start();
    const unwatch = watchConfig(values.config!, live, log);
    // On Kubernetes: engines and dcgm-exporter of this node from the API server (src/exporter/discovery.ts).
    // Loaded only here: the Kubernetes client is most of the bundle's size, and bare metal never needs it.
    const discovery = k8s && node ? new (await import('../exporter/discovery.ts')).KubernetesDiscovery({ ...k8s, node }, config.intervalMs, (t) => live.setDiscovered(t), log) : undefined;
    void discovery?.start();
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    log('info', 'shutting down', { signal });
    unwatch();
    await discovery?.stop();
    await exporter.stop();
    // Idle keep-alive connections from scrapers would hold close() open.
    server.closeIdleConnections();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => { server.closeAllConnections(); }, 5000);
      server.close(() => { clearTimeout(force); resolve(); });
    });
    log('info', 'stopped');
    return 0;
  },
};
export default command;
