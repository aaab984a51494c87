// Template variables. `datasource` is the one datasource variable (dashboard-linter); the
// others are label_values() queries over a catalog series, multi-valued with an `.*` All so
// that a label missing on a single-cluster setup (cluster="") still matches.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DatasourceVariableBuilder, QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MixinConfig } from '../../config/mixin.ts';
import { DATASOURCE } from './panels.ts';

/** Defaults to the provisioned datasource (its fixed uid from the config). */
export function datasourceVariable(config: MixinConfig): cog.Builder<dashboard.VariableModel> {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').regex('')
    .current({ selected: true, text: 'Prometheus', value: config.grafana.datasourceUid });
}

/**
 * A variable listing the values of `labelName` on `series` (a selector such as
 * `up{job="vllm"}`); `series` may refer to earlier variables, which chains them.
 */
export function labelVariable(name: string, label: string, labelName: string, series: string): cog.Builder<dashboard.VariableModel> {
  const query = `label_values(${series}, ${labelName})`;
  return new QueryVariableBuilder(name).label(label).datasource(DATASOURCE)
    .query({ query, refId: `${name}-variable` }).definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged).sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true).includeAll(true).allValue('.*')
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** `a, b, c` from the non-empty matcher strings given: selectors and variable filters joined. */
export function matchers(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(', ');
}
