// What the exporter says about its own config file, so dashboards can mark config changes
// (src/build/grafana/annotations.ts): a hash of the running file's content, whether the last reload
// applied, and when the running config was loaded. Prometheus and Alertmanager serve the same
// signals for theirs (prometheus_config_last_reload_*, alertmanager_config_hash).
import { createHash } from 'node:crypto';
import type { LedgerSample } from '../energy/tick.ts';

export interface ConfigState {
  /** The running config file's content hash (configHash). */
  hash: number;
  /** Unix seconds the running config was loaded (start, or the last reload that applied). */
  loadedAtS: number;
  /** false after a reload was refused (the file does not validate): the old config still runs. */
  lastReloadOk: boolean;
}

/** The first 48 bits of the text's SHA-256 as a number: exact in a float64 sample, so any change shows. */
export function configHash(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
}

export function configSamples(s: ConfigState): LedgerSample[] {
  return [
    { name: 'tokenwatt_config_hash', labels: {}, value: s.hash },
    { name: 'tokenwatt_config_last_reload_successful', labels: {}, value: s.lastReloadOk ? 1 : 0 },
    { name: 'tokenwatt_config_last_reload_success_timestamp_seconds', labels: {}, value: s.loadedAtS },
  ];
}
