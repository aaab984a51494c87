// The grafana part of `npm run build`; see src/build/emitters.ts for the order.
// dashboards/*.ts -> finalised JSON (ids, sorted keys) -> checks (lint.ts, schema.ts) ->
// grafana/dashboards/<folder>/<uid>.json, the provisioning files, and the sidecar ConfigMaps.
import { dashboards as allDashboards } from '../../../dashboards/index.ts';
import type { DashboardFn } from '../../../dashboards/index.ts';
import type { MixinConfig } from '../../config/mixin.ts';
import { BuildError } from '../types.ts';
import type { Artifact, Emitter } from '../types.ts';
import { addDataLinks } from './annotations.ts';
import { CONFIGMAP_LIMIT, dashboardConfigMaps } from './configmaps.ts';
import { finalise, serialise } from './finalise.ts';
import type { DashboardJson } from './finalise.ts';
import { lintDashboard } from './lint.ts';
import { dashboardProvider, prometheusDatasource } from './provisioning.ts';
import { schemaProblems } from './schema.ts';

export interface BuiltDashboard {
  uid: string;
  title: string;
  /** Path under the output folder: grafana/dashboards/<folder>/<uid>.json. */
  path: string;
  json: DashboardJson;
  /** The file's exact text. */
  text: string;
}

function schemaMessages(d: DashboardJson): string[] {
  return schemaProblems(d).map(({ path, message }) => {
    const panel = path[0] === 'panels' && typeof path[1] === 'number' ? d.panels[path[1]] : undefined;
    const at = panel ? ` panel '${String(panel.title)}' (id ${String(panel.id)})` : '';
    return `dashboard '${d.uid}'${at}: schema: ${path.join('.')}: ${message}`;
  });
}

/**
 * Every dashboard as the JSON written to disk, with its path; throws BuildError listing every
 * problem (PromQL, catalog, MIG, lint, schema, uids), each naming its dashboard and panel.
 */
export function builtDashboards(config: MixinConfig, fns: readonly DashboardFn[] = allDashboards): BuiltDashboard[] {
  const problems: string[] = [];
  const out: BuiltDashboard[] = [];
  const uids = new Map<string, string>();
  for (const fn of fns) {
    const json = addDataLinks(finalise(fn(config)), config);
    const uid = String(json.uid ?? '');
    if (!uid.startsWith(config.grafana.uidPrefix)) problems.push(`dashboard '${uid}': uid must start with the config prefix '${config.grafana.uidPrefix}'`);
    const clash = uids.get(uid);
    if (clash !== undefined) problems.push(`dashboard '${uid}': uid also used by '${clash}'`);
    uids.set(uid, String(json.title));
    problems.push(...lintDashboard(json, config.clusterLabel), ...schemaMessages(json));
    const text = serialise(json);
    if (Buffer.byteLength(text) > CONFIGMAP_LIMIT) problems.push(`dashboard '${uid}': ${Buffer.byteLength(text)} bytes is too large for a ConfigMap`);
    out.push({ uid, title: String(json.title), path: `grafana/dashboards/${config.grafana.folder}/${uid}.json`, json, text });
  }
  if (problems.length > 0) throw new BuildError(problems);
  return out;
}

export function grafanaArtifacts(config: MixinConfig, fns: readonly DashboardFn[] = allDashboards): Artifact[] {
  const built = builtDashboards(config, fns);
  return [
    ...built.map((b) => ({ path: b.path, content: b.text })),
    { path: 'grafana/provisioning/dashboards/tokenwatt.yaml', content: dashboardProvider() },
    { path: 'grafana/provisioning/datasources/prometheus.yaml', content: prometheusDatasource(config) },
    { path: 'kubernetes/grafana-dashboards.yaml', content: dashboardConfigMaps(config, built) },
  ];
}

export const grafanaEmitters: Emitter[] = [{ name: 'grafana', emit: (config) => grafanaArtifacts(config) }];
