// A cumulative series over time, for "increase over a window" figures (tokens/J, cost per 1M tokens)
// in both the ledger and `tokenwatt analyze`. The value at time t is the last point at or before t
// (counters only change when read), so increase(t0, t1) = value(t1) - value(t0) without extrapolation.
import { counterDelta } from './counter.ts';

export class CumulativeSeries {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private raw: number | undefined;

  /**
   * Append a raw upstream counter reading at time t (seconds, non-decreasing); a decrease is a reset
   * and adds the new value, as Prometheus does. The first reading is the zero point.
   */
  pushRaw(t: number, rawValue: number): void {
    const increase = this.raw === undefined ? 0 : counterDelta(this.raw, rawValue);
    this.raw = rawValue;
    this.pushCumulative(t, this.last + increase);
  }

  /** Append an already monotonic cumulative value at time t. */
  pushCumulative(t: number, value: number): void {
    const n = this.times.length;
    if (n > 0 && t < this.times[n - 1]!) throw new Error(`series time went backwards: ${t} < ${this.times[n - 1]}`);
    if (n > 0 && value < this.values[n - 1]!) throw new Error(`cumulative value went down: ${value} < ${this.values[n - 1]}`);
    if (n > 0 && t === this.times[n - 1]) {
      this.values[n - 1] = value;
      return;
    }
    this.times.push(t);
    this.values.push(value);
  }

  get length(): number {
    return this.times.length;
  }

  get first(): number | undefined {
    return this.times[0];
  }

  get lastTime(): number | undefined {
    return this.times[this.times.length - 1];
  }

  private get last(): number {
    return this.values[this.values.length - 1] ?? 0;
  }

  /** Cumulative value at time t: the last point at or before t (0 before the first point). */
  at(t: number): number {
    let lo = 0;
    let hi = this.times.length - 1;
    if (hi < 0 || t < this.times[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo]!;
  }

  /** Increase over (t0, t1]. */
  increase(t0: number, t1: number): number {
    return this.at(t1) - this.at(t0);
  }

  /** Forget points not needed to answer at(t) for any t >= before (keeps the last point at or before it). */
  prune(before: number): void {
    let keep = 0;
    while (keep + 1 < this.times.length && this.times[keep + 1]! <= before) keep++;
    if (keep > 0) {
      this.times.splice(0, keep);
      this.values.splice(0, keep);
    }
  }
}
