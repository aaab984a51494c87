// Every scrape job, one file each (prometheus.yml jobs and ServiceMonitors/PodMonitors).
import { dcgmExporter } from './dcgm-exporter.ts';
import { kepler } from './kepler.ts';
import { node } from './node.ts';
import { sglang } from './sglang.ts';
import { tokenwatt } from './tokenwatt.ts';
import type { ScrapeJob } from './types.ts';
import { vllm } from './vllm.ts';

export type { ScrapeJob } from './types.ts';
export const scrapeJobs: ScrapeJob[] = [vllm, sglang, dcgmExporter, kepler, node, tokenwatt];
