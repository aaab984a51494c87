import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterDelta, CounterFollower, MonotonicCounter } from '../src/energy/counter.ts';
import { CumulativeSeries } from '../src/energy/window.ts';

describe('counters', () => {
  it('takes a decrease as a reset whose increase is the new value (as Prometheus does)', () => {
    expect(counterDelta(100, 130)).toBe(30);
    expect(counterDelta(100, 7)).toBe(7);
    expect(counterDelta(5, 5)).toBe(0);
  });

  it('the first reading is only a baseline', () => {
    const f = new CounterFollower();
    expect(f.read(1000)).toBeUndefined();
    expect(f.read(1500)).toBe(500);
    expect(f.read(20)).toBe(20);
    expect(() => f.read(Number.NaN)).toThrow(/finite/);
  });

  it('a monotonic counter refuses negative increments', () => {
    const c = new MonotonicCounter();
    c.add(2);
    expect(() => c.add(-1)).toThrow(/>= 0/);
    expect(c.value).toBe(2);
  });

  it('cumulative series: increase is the difference of the last points at or before each bound', () => {
    const s = new CumulativeSeries();
    // Raw readings 10, 15, 3 (reset), 8 → cumulative 0, 5, 8, 13.
    s.pushRaw(0, 10);
    s.pushRaw(1, 15);
    s.pushRaw(2, 3);
    s.pushRaw(3, 8);
    expect([s.at(-1), s.at(0), s.at(1.5), s.at(2), s.at(9)]).toEqual([0, 0, 5, 8, 13]);
    expect(s.increase(0.5, 2.5)).toBe(8);
    s.prune(2.5);
    expect(s.at(2.5)).toBe(8);
    expect(s.increase(2.5, 3)).toBe(5);
  });

  it('never decreases whatever the raw readings do (resets anywhere)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 60 }), (raw) => {
        const s = new CumulativeSeries();
        raw.forEach((v, i) => s.pushRaw(i, v));
        for (let i = 1; i < raw.length; i++) expect(s.at(i)).toBeGreaterThanOrEqual(s.at(i - 1));
      }),
    );
  });
});
