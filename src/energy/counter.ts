// Counters the way Prometheus treats them: an upstream counter that goes DOWN was reset (driver
// reload, process restart) and counts again from zero, so the increase across the reset is the new
// value itself (Prometheus's rate/increase do the same). Everything tokenwatt exports is a monotonic
// sum of such increases.
//
// The ledger reads its upstream counters through GuardedCounter, which takes a decrease for a reset only
// when it is plausible (methodology §9): the drop must hold on the next reading (a glitch that comes back
// is dropped), and no increase may exceed the counter's ceiling rate × the time it covers (energy: the
// GPU's power limit with margin; tokens: a configured ceiling). What it drops it says, so it is counted.

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

/** What one reading of a GuardedCounter gave. */
export interface GuardedRead {
  /** The increase to count now (undefined: nothing to count this time). */
  delta: number | undefined;
  /** baseline: first reading; pending: a decrease waiting for the next reading to confirm it. */
  status: 'ok' | 'baseline' | 'pending' | 'reset' | 'implausible';
  /** Readings dropped as implausible by this read (a glitch that came back counts once, when it is known). */
  dropped: number;
}

export interface GuardedState {
  last?: { value: number; t: number };
  pending?: { value: number; t: number };
  suspect?: { value: number; t: number };
}

/**
 * A cumulative counter read with plausibility checks. `maxRate` bounds the increase per second (energy:
 * watts; tokens: tokens/s): an increase above maxRate × (time since the last counted reading) is dropped as
 * implausible, unless the next reading agrees with it (the counter really moved to a new level: counting
 * resumes from there, the jump itself is not counted). A decrease is held until the next reading: if that
 * one is back at or above the old level it was a glitch (dropped); if it stays below, it was a reset and
 * the increase since it is counted then (one interval late, nothing lost).
 *
 * A reading equal to the last one does not move the counter's time: a source that refreshes its value less
 * often than it is read (dcgm-exporter's 30 s sampling) is not made to look faster than it is.
 */
export class GuardedCounter {
  private s: GuardedState = {};

  constructor(state?: GuardedState) {
    if (state) this.s = structuredClone(state);
  }

  get state(): GuardedState {
    return structuredClone(this.s);
  }

  /** Time (s) of the last counted reading. */
  get lastT(): number | undefined {
    return this.s.last?.t;
  }

  read(value: number, t: number, maxRate = Infinity): GuardedRead {
    if (!Number.isFinite(value) || value < 0) throw new Error(`counter reading must be a finite number >= 0, got ${value}`);
    const s = this.s;
    const last = s.last;
    if (!last) {
      s.last = { value, t };
      return { delta: undefined, status: 'baseline', dropped: 0 };
    }
    const ceiling = (since: number) => maxRate * Math.max(0, t - since);
    let dropped = 0;
    if (s.pending) {
      const p = s.pending;
      s.pending = undefined;
      if (value < last.value) {
        if (value >= p.value && value <= ceiling(last.t)) {
          // The drop held: a reset after the last counted reading; everything since it is `value`.
          s.last = { value, t };
          s.suspect = undefined;
          return { delta: value, status: 'reset', dropped: 0 };
        }
        // Lower again, or too much since a reset: hold this one instead, the earlier one was noise.
        s.pending = { value, t };
        return { delta: undefined, status: 'pending', dropped: 1 };
      }
      dropped = 1; // back at the old level: the drop was a glitch
    } else if (value < last.value) {
      s.pending = { value, t };
      return { delta: undefined, status: 'pending', dropped: 0 };
    }
    const increase = value - last.value;
    if (increase === 0) return { delta: 0, status: 'ok', dropped };
    if (increase > ceiling(last.t)) {
      const sus = s.suspect;
      if (sus && value >= sus.value && value - sus.value <= ceiling(sus.t)) {
        // Two readings agree on the new level: count from it on; the jump itself is not counted.
        s.last = { value, t };
        s.suspect = undefined;
        return { delta: value - sus.value, status: 'ok', dropped };
      }
      s.suspect = { value, t };
      return { delta: undefined, status: 'implausible', dropped: dropped + 1 };
    }
    s.last = { value, t };
    s.suspect = undefined;
    return { delta: increase, status: 'ok', dropped };
  }
}

/** An output counter: only ever grows, by finite non-negative amounts. */
export class MonotonicCounter {
  private total = 0;

  constructor(start = 0) {
    this.total = start;
  }

  add(amount: number): void {
    if (!Number.isFinite(amount) || amount < 0) throw new Error(`counter increment must be a finite number >= 0, got ${amount}`);
    this.total += amount;
  }

  get value(): number {
    return this.total;
  }
}
