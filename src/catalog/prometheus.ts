// Series that Prometheus itself and node_exporter provide, used by rules and dashboards.
import { defineMetrics } from './types.ts';

export const prometheusMetrics = defineMetrics([
  { name: 'up', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: 'Prometheus: 1 when the last scrape of the target succeeded.', labels: ['job', 'instance'], source: 'prometheus' },
  { name: 'scrape_duration_seconds', type: 'gauge', unit: 'seconds', grafanaUnit: 's', help: 'Prometheus: duration of the last scrape.', labels: ['job', 'instance'], source: 'prometheus' },
  { name: 'scrape_samples_scraped', type: 'gauge', unit: 'samples', grafanaUnit: 'short', help: 'Prometheus: samples in the last scrape.', labels: ['job', 'instance'], source: 'prometheus' },
  { name: 'ALERTS', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: 'Prometheus: pending and firing alerts.', labels: ['alertname', 'alertstate', 'severity'], source: 'prometheus' },
  { name: 'node_uname_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'node_exporter: host identity.', labels: ['nodename', 'release', 'machine'], source: 'node' },
  { name: 'node_cpu_seconds_total', type: 'counter', unit: 'seconds', grafanaUnit: 'percentunit', help: 'node_exporter: CPU time by mode.', labels: ['cpu', 'mode'], source: 'node' },
]);
