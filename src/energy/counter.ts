// Counters the way Prometheus treats them: an upstream counter that goes DOWN was reset (driver
// reload, process restart) and counts again from zero, so the increase across the reset is the new
// value itself (Prometheus's rate/increase do the same). Everything tokenwatt exports is a monotonic
// sum of such increases.

/** Increase of a cumulative counter from `previous` to `current`, reset-aware. */
export function counterDelta(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/**
 * Follows one upstream cumulative counter. The first reading only sets the baseline (returns
 * undefined): what happened before tokenwatt saw the counter is not attributable to any interval.
 */
export class CounterFollower {
  private last: number | undefined;

  /** The increase since the previous reading, or undefined on the first one. */
  read(value: number): number | undefined {
    if (!Number.isFinite(value) || value < 0) throw new Error(`counter reading must be a finite number >= 0, got ${value}`);
    const previous = this.last;
    this.last = value;
    return previous === undefined ? undefined : counterDelta(previous, value);
  }
}

/** An output counter: only ever grows, by finite non-negative amounts. */
export class MonotonicCounter {
  private total = 0;

  add(amount: number): void {
    if (!Number.isFinite(amount) || amount < 0) throw new Error(`counter increment must be a finite number >= 0, got ${amount}`);
    this.total += amount;
  }

  get value(): number {
    return this.total;
  }
}
