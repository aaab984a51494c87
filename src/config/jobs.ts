// The scrape jobs of scrape-configs/ with a config's `jobs` overrides applied (job name, labels,
// port, namespaces). The prometheus and kubernetes emitters write these; selectors follow a renamed
// job in loadBuildConfig (src/config/build-config.ts).
import { scrapeJobs } from '../../scrape-configs/index.ts';
import type { ScrapeJob } from '../../scrape-configs/index.ts';
import type { MixinConfig } from './mixin.ts';

export function configuredJobs(config: MixinConfig): ScrapeJob[] {
  const jobs = config.jobs ?? {};
  return scrapeJobs.map((j) => {
    const o = jobs[j.job];
    if (!o) return j;
    return {
      ...j,
      job: o.name ?? j.job,
      kubernetes: {
        ...j.kubernetes,
        ...(o.matchLabels && { matchLabels: o.matchLabels }),
        ...(o.port && { port: o.port }),
        ...(o.namespaces && { namespaces: o.namespaces }),
      },
    };
  });
}
