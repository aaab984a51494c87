// How prometheus.yml and the ServiceMonitors/PodMonitors are written (scrape-configs/). Part of
// MixinConfig (src/config/mixin.ts).

export interface PrometheusConfig {
  scrapeInterval: string;
  evaluationInterval: string;
  /**
   * Evaluation interval of the tokenwatt-report recording group (rules/report.ts): the window of the
   * recorded increases `tokenwatt report` sums over long periods. Whole seconds, minutes or hours.
   */
  reportInterval: string;
  /** Alertmanager addresses (host:port) prometheus.yml sends alerts to. */
  alertmanagers: string[];
  /** Value of the cluster target label on static hosts whose file_sd entry sets none. */
  cluster: string;
  /**
   * Static targets per scrape job, written into prometheus/targets/<job>.yaml (file_sd re-reads it
   * without a restart); jobs without entries get an empty file to fill in. An entry is `host:port`
   * (its host label is taken from the address) or a file_sd group with labels, e.g. `host` where the
   * address is not the host's name: serving and GPU alerts must agree on `host` for the host-loss
   * inhibition (GPU alerts take it from dcgm-exporter's Hostname).
   */
  staticTargets: Record<string, (string | TargetGroup)[]>;
}

export interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}

export const defaultPrometheusConfig: PrometheusConfig = {
  scrapeInterval: '15s',
  evaluationInterval: '30s',
  reportInterval: '1h',
  alertmanagers: ['localhost:9093'],
  cluster: 'default',
  staticTargets: {},
};
