// The one config of selectors and thresholds that dashboards, rules, scrape configs and routing
// are compiled with (the monitoring-mixin `_config` idea). `tokenwatt build` starts from these
// defaults; tests and the demo override a few fields (shorter `for:` durations, say).
import { defaultAlertingConfig, defaultAlertmanagerConfig } from './alerting.ts';
import type { AlertingConfig, AlertmanagerConfig } from './alerting.ts';
import { defaultSelectors } from '../kinds/index.ts';
import type { KindId } from '../kinds/index.ts';
import { defaultPrometheusConfig } from './prometheus.ts';
import type { PrometheusConfig } from './prometheus.ts';

export interface MixinConfig {
  /**
   * Label matchers that pick each upstream kind's series (`selectors.vllm`...): one per kind of the
   * registry (src/kinds/index.ts), by default its scrape job (`job="dcgm-exporter"`).
   */
  selectors: Record<KindId, string>;
  /** Labels kept on every series as target labels (Prometheus config, not the exporter). */
  clusterLabel: string;
  grafana: {
    /** Fixed uid of the provisioned Prometheus datasource. */
    datasourceUid: string;
    /** URL Grafana reaches Prometheus at, written into the provisioned datasource. */
    prometheusUrl: string;
    folder: string;
    /** Prefix of every dashboard uid. */
    uidPrefix: string;
  };
  /** Base URL of docs/runbooks/<Alert>.md as users browse it. */
  runbookBaseUrl: string;
  kubernetes: {
    namespace: string;
    /** kube-prometheus-stack selects rules and monitors by `release: <name>`. */
    release: string;
  };
  /** Alert thresholds, `for` durations and SLOs (src/config/alerting.ts). */
  alerting: AlertingConfig;
  /** Receivers and timings of alertmanager.yml (src/config/alerting.ts). */
  alertmanager: AlertmanagerConfig;
  /** prometheus.yml: intervals, Alertmanagers, static targets (src/config/prometheus.ts). */
  prometheus: PrometheusConfig;
}

export const defaultConfig: MixinConfig = {
  selectors: defaultSelectors(),
  clusterLabel: 'cluster',
  grafana: { datasourceUid: 'tokenwatt-prometheus', prometheusUrl: 'http://localhost:9090', folder: 'tokenwatt', uidPrefix: 'tokenwatt-' },
  runbookBaseUrl: 'https://github.com/tokenwatt/tokenwatt/blob/main/docs/runbooks',
  kubernetes: { namespace: 'monitoring', release: 'kube-prometheus-stack' },
  alerting: defaultAlertingConfig,
  alertmanager: defaultAlertmanagerConfig,
  prometheus: defaultPrometheusConfig,
};
