// The burn-rate windows the SLO recording rules record and the SLO alerts read.
import { SLO_WINDOWS } from '../catalog/recording.ts';
import type { MixinConfig } from '../config/mixin.ts';

/** Every long and short window of the page and ticket conditions, each once, in config order. */
export function sloWindows(c: MixinConfig): string[] {
  const all = [...c.alerting.slo.page, ...c.alerting.slo.ticket].flatMap((b) => [b.short, b.long]);
  return [...new Set(all)];
}

/** Windows without a declared recorded name (src/catalog/recording.ts SLO_WINDOWS). */
export function undeclaredSloWindows(c: MixinConfig): string[] {
  return sloWindows(c).filter((w) => !(SLO_WINDOWS as readonly string[]).includes(w));
}
