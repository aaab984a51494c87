// The exporter's targets while it runs: the config file's static targets plus those Kubernetes
// discovery finds (src/exporter/discovery.ts). A reload (SIGHUP, or the config file changing, as a
// ConfigMap update does) or a discovery change swaps them in the running Exporter (replaceTargets):
// no restart, the energy ledger untouched, so no counter goes backwards and no joule is lost.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Log } from '../log.ts';
import { configHash } from './config-state.ts';
import type { ConfigState } from './config-state.ts';
import { ConfigError, loadExporterConfig } from './config.ts';
import type { ExporterConfig, TargetConfig } from './config.ts';
import type { Exporter } from './exporter.ts';
import { scheduleCollectors } from './setup.ts';
import type { SharedPlacement } from './setup.ts';

/** Fields a running exporter cannot change: a reload that changes one says so and keeps the old value. */
const RESTART_FIELDS = ['listen', 'auth', 'tls', 'intervalMs', 'nvml', 'nvmlReplayGpus', 'host', 'logLevel', 'limits', 'energy', 'stateFile', 'discovery'] as const;

export class LiveTargets {
  readonly shared: SharedPlacement;
  private discovered: TargetConfig[] = [];
  private configState: ConfigState = { hash: 0, loadedAtS: 0, lastReloadOk: true };

  constructor(
    private readonly exporter: Exporter,
    private config: ExporterConfig,
    private readonly log: Log,
  ) {
    this.shared = { dcgmViews: new Map(), placement: config.placement };
  }

  get current(): ExporterConfig {
    return this.config;
  }

  /** The config file's state as the exporter serves it (tokenwatt_config_*): a reload's outcome updates part of it. */
  exporterConfigState(update: Partial<ConfigState>): void {
    this.configState = { ...this.configState, ...update };
    this.exporter.setConfigState(this.configState);
  }

  /** A new config file: its targets and placement apply now; fields that need a restart are named. */
  setConfig(next: ExporterConfig): void {
    const stale = RESTART_FIELDS.filter((f) => JSON.stringify((this.config as unknown as Record<string, unknown>)[f]) !== JSON.stringify((next as unknown as Record<string, unknown>)[f]));
    if (stale.length > 0) this.log('warn', 'config reload: these fields take effect only after a restart; running with the old values', { fields: stale });
    const kept = Object.fromEntries(RESTART_FIELDS.map((f) => [f, (this.config as unknown as Record<string, unknown>)[f]]));
    this.config = { ...next, ...kept } as ExporterConfig;
    this.shared.placement = next.placement;
    this.apply('config reload');
  }

  /** Kubernetes discovery's current targets (a config target of the same name wins). */
  setDiscovered(targets: TargetConfig[]): void {
    this.discovered = targets;
    this.apply('discovery');
  }

  private apply(why: string): void {
    const names = new Set(this.config.targets.map((t) => t.name));
    const targets = [...this.config.targets, ...this.discovered.filter((t) => !names.has(t.name))];
    // NVML is not rescheduled (nvml: off here): the running collector is kept by replaceTargets.
    const scheduled = scheduleCollectors({ ...this.config, targets, nvml: 'off' }, this.log, undefined, this.shared);
    const r = this.exporter.replaceTargets(scheduled);
    const live = new Set(targets.map((t) => t.name));
    for (const name of this.shared.dcgmViews.keys()) if (!live.has(name)) this.shared.dcgmViews.delete(name);
    if (r.added.length > 0 || r.removed.length > 0) this.log('info', `targets changed (${why})`, { added: r.added, removed: r.removed, kept: r.kept.length });
  }
}

/**
 * Reload `file` on SIGHUP and whenever its content changes (the folder is watched: a ConfigMap update
 * swaps a symlink rather than writing the file). A file that does not validate is refused, logged with
 * every bad field, and the running config stays. Returns a function that stops watching.
 */
export function watchConfig(file: string, live: LiveTargets, log: Log): () => void {
  let last: string | undefined;
  void readFile(file, 'utf8').then((t) => { last ??= t; }, () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const reload = async (why: string, force: boolean) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      log('error', 'config reload: cannot read the file; keeping the running config', { file, why, error: (err as Error).message });
      return;
    }
    if (!force && text === last) return;
    last = text;
    try {
      live.setConfig(loadExporterConfig(file));
      live.exporterConfigState({ hash: configHash(text), loadedAtS: Date.now() / 1000, lastReloadOk: true });
      log('info', 'config reloaded', { file, why });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      live.exporterConfigState({ lastReloadOk: false });
      log('error', 'config reload refused; keeping the running config', { file, why, error: err.message });
    }
  };
  const onHup = () => { void reload('SIGHUP', true); };
  process.on('SIGHUP', onHup);
  let watcher: FSWatcher | undefined;
  try {
    const name = basename(file);
    watcher = watch(dirname(file), (_event, changed) => {
      // ConfigMap volumes change `..data`, not the file's own name.
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(timer);
      timer = setTimeout(() => { void reload('file changed', false); }, 300);
    });
  } catch (err) {
    log('warn', 'cannot watch the config file; reload with SIGHUP', { file, error: (err as Error).message });
  }
  return () => {
    process.off('SIGHUP', onHup);
    clearTimeout(timer);
    watcher?.close();
  };
}
