// One scrape job, written both as a prometheus.yml job (static hosts via file_sd) and as a
// prometheus-operator ServiceMonitor or PodMonitor. The job name is what config.selectors match.

export interface ScrapeJob {
  /** Prometheus job label; config.selectors.<x> select on it. */
  job: string;
  /** Default port of the exporter on a static host (documentation for the targets file). */
  port: number;
  path: string;
  /**
   * Keep the exporter's own labels on clashes: dcgm-exporter's pod/namespace name the GPU's
   * workload, and tokenwatt's host/gpu labels name the GPU, not the exporter's target.
   */
  honorLabels: boolean;
  /** Set `host` from the target address (static) or the pod's node (Kubernetes). */
  hostLabel: boolean;
  /**
   * Labels in which the exporter itself names its host (dcgm-exporter: `Hostname` in releases,
   * `hostname` on main). At ingest (metric_relabel_configs / metricRelabelings) each non-empty one
   * is copied into `host`, later ones winning, so every query and rule reads one `host` label and
   * none has to relabel at query time.
   */
  hostFrom?: string[];
  /** A label in which the upstream names its model (Triton: `model`), copied into `model_name` at ingest the same way. */
  modelFrom?: string;
  kubernetes: {
    kind: 'ServiceMonitor' | 'PodMonitor';
    /** Labels of the Service (ServiceMonitor) or Pod (PodMonitor) to scrape. */
    matchLabels: Record<string, string>;
    /** Name of the container/service port that serves metrics. */
    port: string;
    /** Namespaces to look in; empty: all namespaces. */
    namespaces: string[];
    /**
     * Target labels copied from pod labels (PodMonitor only): `{ model_name: 'tokenwatt.io/model' }` names
     * the model of an engine whose metrics name none. Static hosts set them as file_sd group labels.
     */
    podLabels?: Record<string, string>;
  };
}
