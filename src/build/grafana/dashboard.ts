// The frame every tokenwatt dashboard shares: uid from the config prefix, read-only, the
// `tokenwatt` tag, a dropdown linking to every other dashboard with that tag (keeping
// time range and variables), so the dashboards link to each other, and the shared annotations.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, DashboardLinkBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../../config/mixin.ts';
import { tokenwattAnnotations } from './annotations.ts';

export const TAG = 'tokenwatt';

export interface DashboardFrame {
  /** The uid without the config prefix; also the file name. */
  slug: string;
  title: string;
  description: string;
}

export function dashboardUid(config: MixinConfig, slug: string): string {
  return `${config.grafana.uidPrefix}${slug}`;
}

export function tokenwattDashboard(config: MixinConfig, frame: DashboardFrame): DashboardBuilder {
  const d = new DashboardBuilder(frame.title)
    .uid(dashboardUid(config, frame.slug))
    .description(frame.description)
    .tags([TAG])
    .readonly()
    .timezone('utc')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new DashboardLinkBuilder('tokenwatt dashboards').type(dashboard.DashboardLinkType.Dashboards)
      .tags([TAG]).asDropdown(true).includeVars(true).keepTime(true).targetBlank(false).icon('external link').tooltip(''));
  // Alerts, config changes (annotations.ts); the data links are added at build (index.ts).
  for (const a of tokenwattAnnotations(config)) d.annotation(a);
  return d;
}
