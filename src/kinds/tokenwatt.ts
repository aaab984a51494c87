// tokenwatt's own exporter, as Prometheus scrapes it: a job and a selector like any upstream.
import { tokenwattMetrics } from '../catalog/tokenwatt.ts';
import { tokenwatt as scrape } from '../../scrape-configs/tokenwatt.ts';
import type { UpstreamKind } from './types.ts';

export const tokenwatt: UpstreamKind<'tokenwatt'> = {
  id: 'tokenwatt',
  title: 'tokenwatt',
  metrics: tokenwattMetrics,
  scrape,
};
