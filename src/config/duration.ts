// Durations people type in config files and flags: `500ms`, `5s`, `2m`, `1h`, or a bare number of
// seconds (decimals allowed). Prometheus-style compound durations (`1h30m`) are rule-side only.

const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not such a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * MS[m[2] ?? 's']!;
}
