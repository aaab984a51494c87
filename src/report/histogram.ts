// A quantile from cumulative histogram buckets, as PromQL's histogram_quantile computes it (linear
// interpolation inside the bucket; the +Inf bucket answers with the highest finite bound). The report
// sums each `le` bucket's increase over the whole period first, so p95 is the period's p95, not an
// average of per-day p95s.

export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number | null {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  if (b.length < 2 || b.at(-1)!.le !== Infinity) return null;
  const total = b.at(-1)!.count;
  if (!(total > 0)) return null;
  // Counts must be monotonic in `le`; small dips (scrapes of different buckets at different times) are flattened.
  for (let i = 1; i < b.length; i++) if (b[i]!.count < b[i - 1]!.count) b[i] = { ...b[i]!, count: b[i - 1]!.count };
  const rank = q * total;
  const i = b.findIndex((x) => x.count >= rank);
  if (i === b.length - 1) return b[b.length - 2]!.le;
  const upper = b[i]!;
  const lowerLe = i === 0 ? (upper.le > 0 ? 0 : upper.le) : b[i - 1]!.le;
  const lowerCount = i === 0 ? 0 : b[i - 1]!.count;
  if (upper.count === lowerCount) return upper.le;
  return lowerLe + ((upper.le - lowerLe) * (rank - lowerCount)) / (upper.count - lowerCount);
}
