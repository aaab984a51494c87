// Every scrape job (prometheus.yml jobs and ServiceMonitors/PodMonitors): one per upstream kind of the
// registry (src/kinds/index.ts), in its order. The jobs of the first kinds are written one file each
// here; a newer kind keeps its job in its own folder.
import { upstreamKinds } from '../src/kinds/index.ts';
import type { ScrapeJob } from './types.ts';

export type { ScrapeJob } from './types.ts';
export const scrapeJobs: ScrapeJob[] = upstreamKinds.map((k) => k.scrape);
