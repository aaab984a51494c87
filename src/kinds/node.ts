// node_exporter: scraped by Prometheus for host identity and CPU; the exporter does not read it.
import { prometheusMetrics } from '../catalog/prometheus.ts';
import { node as scrape } from '../../scrape-configs/node.ts';
import type { UpstreamKind } from './types.ts';

export const node: UpstreamKind<'node'> = {
  id: 'node',
  title: 'node_exporter',
  metrics: prometheusMetrics.filter((d) => d.source === 'node'),
  scrape,
};
