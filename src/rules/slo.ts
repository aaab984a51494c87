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

/** The window of the recorded SLI rates every longer burn-rate window is derived from. */
export const SLO_BASE_WINDOW = '5m';

/**
 * How a window's ratio is recorded. `base`: from the 5m recorded rates at that instant.
 * `derived`: the sum over the window of those 5m rates, numerator over denominator (the
 * Sloth / monitoring-mixin cascade): every evaluation reads a few recorded series per model,
 * never the raw counters over days, so its cost does not grow with the window. A window shorter
 * than 5m cannot be derived from 5m rates: `raw`, a rate of the counters over that window.
 */
export function sloWindowSource(window: string): 'raw' | 'base' | 'derived' {
  const ms = promDurationMs(window);
  const base = promDurationMs(SLO_BASE_WINDOW)!;
  if (ms === undefined) throw new Error(`SLO window '${window}' is not a Prometheus duration (e.g. 5m, 1h, 3d)`);
  return ms < base ? 'raw' : ms === base ? 'base' : 'derived';
}

/**
 * `sum by (...) (sel)` for the base window, `sum by (...) (sum_over_time(sel[w]))` for a derived
 * one: the numerator or denominator of a window's ratio over a recorded 5m rate.
 */
export function sloSum(by: string, recorded: string, window: string): string {
  return sloWindowSource(window) === 'base' ? `sum by (${by}) (${recorded})` : `sum by (${by}) (sum_over_time(${recorded}[${window}]))`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 };

/** A Prometheus duration (`1h30m`, `3d`) in milliseconds, or undefined. */
function promDurationMs(d: string): number | undefined {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(d)) return undefined;
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
