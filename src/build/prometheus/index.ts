// The prometheus part of `npm run build`; see src/build/emitters.ts for the order.
// prometheus/rules/<group>.yaml (one group per file), prometheus/prometheus.yml and the file_sd
// target files it reads (prometheus/targets/<job>.yaml).
import { configuredJobs } from '../../config/jobs.ts';
import type { ScrapeJob } from '../../../scrape-configs/index.ts';
import type { MixinConfig } from '../../config/mixin.ts';
import type { TargetGroup } from '../../config/prometheus.ts';
import { checkedGroups, compileGroups } from '../../rules/collect.ts';
import type { Emitter } from '../types.ts';
import { toYaml, toYamlWithHeader } from '../yaml.ts';
import { externalLabels, globalViewEmitters, remoteWriteEntry } from './global-view.ts';

export const ruleFilePath = (group: string): string => `rules/${group}.yaml`;

const rules: Emitter = {
  name: 'prometheus rules',
  emit(config) {
    return checkedGroups(config).map((g) => ({
      path: `prometheus/${ruleFilePath(g.name)}`,
      content: toYaml({ groups: [g] }, `the rule group ${g.name} (alerts/, rules/)`),
    }));
  },
};

/** Relabelling shared by every static job: cluster when the targets file sets none, host from the address. */
export function staticRelabel(job: ScrapeJob, config: MixinConfig): object[] {
  const cl = config.clusterLabel;
  const out: object[] = [{ source_labels: [cl], regex: '', target_label: cl, replacement: config.prometheus.cluster }];
  if (job.hostLabel) {
    out.push({ source_labels: ['host', '__address__'], separator: ';', regex: ';([^:]+)(?::\\d+)?', target_label: 'host', replacement: '$1' });
  }
  return out;
}

/**
 * metric_relabel_configs: the exporter's own host label (ScrapeJob.hostFrom) copied into `host`
 * once at ingest, so no query or rule needs label_replace. An empty source label leaves `host` as
 * the target set it.
 */
export function hostMetricRelabel(job: ScrapeJob): object[] {
  return [
    ...(job.hostFrom ?? []).map((label) => ({ source_labels: [label], regex: '(.+)', target_label: 'host', replacement: '$1' })),
    ...(job.modelFrom ? [{ source_labels: [job.modelFrom], regex: '(.+)', target_label: 'model_name', replacement: '$1' }] : []),
  ];
}

export function prometheusYml(config: MixinConfig, ruleFiles: string[]): object {
  const p = config.prometheus;
  return {
    global: { scrape_interval: p.scrapeInterval, evaluation_interval: p.evaluationInterval, external_labels: externalLabels(config) },
    rule_files: ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: p.alertmanagers }] }] },
    scrape_configs: configuredJobs(config).map((j) => ({
      job_name: j.job,
      metrics_path: j.path,
      honor_labels: j.honorLabels,
      file_sd_configs: [{ files: [`targets/${j.job}.yaml`] }],
      relabel_configs: staticRelabel(j, config),
      ...(hostMetricRelabel(j).length > 0 ? { metric_relabel_configs: hostMetricRelabel(j) } : {}),
    })),
    ...(config.globalView.remoteWrite && { remote_write: [remoteWriteEntry(config)] }),
  };
}

const config: Emitter = {
  name: 'prometheus config',
  emit(c) {
    // Rule file names come from the groups themselves (unchecked here: the rules emitter reports).
    const names = compileGroups(c).map((g) => ruleFilePath(g.name));
    const targets = configuredJobs(c).map((j) => {
      const given = c.prometheus.staticTargets[j.job] ?? [];
      const cluster = { [c.clusterLabel]: c.prometheus.cluster };
      const addresses = given.filter((e): e is string => typeof e === 'string');
      const entries = [
        ...(addresses.length > 0 ? [{ targets: addresses, labels: cluster }] : []),
        ...given.filter((e): e is TargetGroup => typeof e !== 'string').map((g) => ({ targets: g.targets, labels: { ...cluster, ...g.labels } })),
      ];
      const header = `# file_sd targets of job ${j.job} (host:${j.port}), re-read by Prometheus without a restart. Written by\n`
        + '# `tokenwatt build` from prometheus.staticTargets (src/config/prometheus.ts): list them there, or edit\n'
        + '# this file in place (a rebuild rewrites it). Set a `host` label on a group whose address is not the host name.\n';
      return { path: `prometheus/targets/${j.job}.yaml`, content: toYamlWithHeader(entries, header) };
    });
    return [{ path: 'prometheus/prometheus.yml', content: toYaml(prometheusYml(c, names), 'scrape-configs/ and src/config/prometheus.ts') }, ...targets];
  },
};

export const prometheusEmitters: Emitter[] = [rules, config, ...globalViewEmitters];
