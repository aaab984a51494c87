// All rule groups (alerts/ then rules/) compiled with one config, checked against the conventions.
import { alertGroups } from '../../alerts/index.ts';
import { HOST_LOSS_ALERTS, HOST_LOSS_SYMPTOMS } from '../../alerts/routing.ts';
import { recordingGroups } from '../../rules/index.ts';
import { BuildError } from '../build/types.ts';
import type { MixinConfig } from '../config/mixin.ts';
import { undeclaredSloWindows } from './slo.ts';
import type { RuleGroup } from './types.ts';
import { validateGroups } from './validate.ts';
import type { Inhibition, ValidateOptions } from './validate.ts';

/** The routing's inhibitions whose timing the build checks: a lost host silences its servers' down alerts. */
const INHIBITIONS: Inhibition[] = [{ sources: HOST_LOSS_ALERTS, targets: HOST_LOSS_SYMPTOMS }];

/** Recording groups first: alerts read what they record. */
export function compileGroups(config: MixinConfig): RuleGroup[] {
  return [...recordingGroups.map((g) => g(config)), ...alertGroups.map((g) => g(config))];
}

/** The groups, or BuildError listing every problem (group and rule named). */
export function checkedGroups(config: MixinConfig, groups: RuleGroup[] = compileGroups(config), opts: ValidateOptions = {}): RuleGroup[] {
  const problems = validateGroups(groups, config, { inhibitions: INHIBITIONS, ...opts });
  for (const w of undeclaredSloWindows(config)) {
    problems.push(`config alerting.slo: window ${w} has no recorded name; add it to SLO_WINDOWS in src/catalog/recording.ts`);
  }
  if (problems.length > 0) throw new BuildError(problems);
  return groups;
}
