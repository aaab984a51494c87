// The one config of selectors and thresholds that dashboards, rules, scrape configs and routing
// are compiled with (the monitoring-mixin `_config` idea). `tokenwatt build` starts from these
// defaults; tests and the demo override a few fields (shorter `for:` durations, say).
import { defaultAlertingConfig, defaultAlertmanagerConfig } from './alerting.ts';
import type { AlertingConfig, AlertmanagerConfig } from './alerting.ts';
import { defaultGlobalViewConfig } from './global-view.ts';
import type { GlobalViewConfig } from './global-view.ts';
import { defaultSelectors } from '../kinds/index.ts';
import type { KindId } from '../kinds/index.ts';
import { defaultPrometheusConfig } from './prometheus.ts';
import type { PrometheusConfig } from './prometheus.ts';
import type { EnergyConfigInput } from '../energy/config.ts';
import { defaultAutoscalingConfig } from './autoscaling.ts';
import type { AutoscalingConfig } from './autoscaling.ts';

/** Changes to one scrape job of scrape-configs/ (keyed by its default job name there). */
export interface JobOverride {
  /** The Prometheus job label; the matching selector follows unless `selectors` sets it. */
  name?: string;
  /** Labels of the Service (ServiceMonitor) or Pod (PodMonitor) to scrape. */
  matchLabels?: Record<string, string>;
  /** Name of the container/Service port that serves metrics. */
  port?: string;
  /** Namespaces to look in; empty: all namespaces. */
  namespaces?: string[];
}

/** The exporter as deployed by dist/kubernetes/exporter/ (its DaemonSet and ConfigMap). */
export interface ExporterDeployConfig {
  /** Container image of the exporter (Dockerfile in this repository). */
  image: string;
  /** Collection interval written into the exporter's config. */
  interval: string;
  /** Nodes the DaemonSet runs on: GPU nodes, by the label NVIDIA's GPU feature discovery sets. */
  nodeSelector: Record<string, string>;
  /** Label selector of dcgm-exporter's pods for discovery (GPU operator: app=nvidia-dcgm-exporter). */
  dcgmSelector: string;
  /** RuntimeClass of the NVIDIA container runtime (the GPU operator creates `nvidia`); '' for a cluster whose default runtime is NVIDIA's. */
  runtimeClassName: string;
  /** Prices, PUE, grid intensity... of the exporter's energy ledger (src/energy/config.ts); unset fields keep its defaults. */
  energy: EnergyConfigInput;
  /**
   * Node directory (hostPath) the ledger's state file lives in, so a restarted or rolled pod resumes its
   * counters and attributes its downtime; '' keeps no state (a restart then starts the ledger clean).
   */
  stateDir: string;
  /** Image of the init container that hands stateDir to the exporter's non-root user (needs `chown`). */
  stateInitImage: string;
}

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
    /** Label (and its value) the Grafana dashboard sidecar of kube-prometheus-stack loads ConfigMaps by. */
    sidecarLabel?: string;
    sidecarLabelValue?: string;
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
  /** Job names, labels and ports of scrape-configs/ jobs, by default job name. */
  jobs: Record<string, JobOverride>;
  exporter: ExporterDeployConfig;
  /** KEDA ScaledObjects, prometheus-adapter rules and HPAs of the serving Deployments (src/config/autoscaling.ts). */
  autoscaling: AutoscalingConfig;
  /** Scale-out: remote_write to VictoriaMetrics, vmalert, vmagent (src/config/global-view.ts, docs/scaling.md). */
  globalView: GlobalViewConfig;
}

export const defaultConfig: MixinConfig = {
  selectors: defaultSelectors(),
  clusterLabel: 'cluster',
  grafana: { datasourceUid: 'tokenwatt-prometheus', prometheusUrl: 'http://localhost:9090', folder: 'tokenwatt', uidPrefix: 'tokenwatt-', sidecarLabel: 'grafana_dashboard', sidecarLabelValue: '1' },
  runbookBaseUrl: 'https://github.com/tokenwatt/tokenwatt/blob/main/docs/runbooks',
  kubernetes: { namespace: 'monitoring', release: 'kube-prometheus-stack' },
  alerting: defaultAlertingConfig,
  alertmanager: defaultAlertmanagerConfig,
  prometheus: defaultPrometheusConfig,
  jobs: {},
  exporter: {
    image: 'ghcr.io/tokenwatt/tokenwatt:0.1.0',
    interval: '5s',
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    runtimeClassName: 'nvidia',
    dcgmSelector: 'app.kubernetes.io/name=dcgm-exporter',
    energy: {},
    stateDir: '/var/lib/tokenwatt',
    stateInitImage: 'busybox:1.36.1',
  },
  autoscaling: defaultAutoscalingConfig,
  globalView: defaultGlobalViewConfig,
};
