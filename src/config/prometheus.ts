// How prometheus.yml and the ServiceMonitors/PodMonitors are written (scrape-configs/). Part of
// MixinConfig (src/config/mixin.ts).

export interface PrometheusConfig {
  scrapeInterval: string;
  evaluationInterval: string;
  /** Alertmanager addresses (host:port) prometheus.yml sends alerts to. */
  alertmanagers: string[];
  /** Value of the cluster target label on static hosts whose file_sd entry sets none. */
  cluster: string;
  /**
   * Static targets (host:port) per scrape job, written into prometheus/targets/<job>.yaml; jobs
   * without entries get an empty file to fill in (file_sd re-reads it without a restart).
   */
  staticTargets: Record<string, string[]>;
}

export const defaultPrometheusConfig: PrometheusConfig = {
  scrapeInterval: '15s',
  evaluationInterval: '30s',
  alertmanagers: ['localhost:9093'],
  cluster: 'default',
  staticTargets: {},
};
