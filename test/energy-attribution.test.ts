import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBoardEnergy, splitByTokens } from '../src/energy/attribution.ts';

describe('attribution of one board interval', () => {
  it('splits idle by weight, keeps never-allocated idle as unallocated, active by activity × weight', () => {
    // 2g (2/7) at activity 0.5 and 3g (3/7) at activity 1; idle 50 W over 10 s = 500 J of a 2000 J delta.
    // idle: 2g 500·2/7, 3g 500·3/7, unallocated 500·2/7. active 1500 by 0.5·2 : 1·3 = 1 : 3 → 375, 1125.
    const r = splitBoardEnergy(2000, 10, 50, [{ weight: 2 / 7, activity: 0.5 }, { weight: 3 / 7, activity: 1 }]);
    expect(r.idle).toBe(500);
    expect(r.active).toBe(1500);
    expect(r.slices[0]!.idle).toBeCloseTo(1000 / 7, 9);
    expect(r.slices[1]!.idle).toBeCloseTo(1500 / 7, 9);
    expect(r.unallocated).toBeCloseTo(1000 / 7, 9);
    expect(r.slices[0]!.active).toBeCloseTo(375, 9);
    expect(r.slices[1]!.active).toBeCloseTo(1125, 9);
  });

  it('caps idle at the delta (idle power set too high) and shares active by weight when nothing is active', () => {
    const capped = splitBoardEnergy(300, 10, 50, [{ weight: 1, activity: 1 }]);
    expect(capped).toEqual({ idle: 300, active: 0, slices: [{ idle: 300, active: 0 }], unallocated: 0 });
    const noActivity = splitBoardEnergy(1000, 10, 40, [{ weight: 0.25, activity: 0 }, { weight: 0.5, activity: 0 }]);
    // active 600 shared 1 : 2 among the two slices; unallocated gets only its idle part 400 · 0.25.
    expect(noActivity.slices.map((s) => s.active)).toEqual([200, 400]);
    expect(noActivity.unallocated).toBe(100);
  });

  it('rejects weights adding up to more than the GPU', () => {
    expect(() => splitBoardEnergy(1, 1, 0, [{ weight: 0.6, activity: 1 }, { weight: 0.6, activity: 1 }])).toThrow(/at most 1/);
  });

  it('conserves energy: slices + unallocated = board delta to 1e-9 relative, on random layouts and activity', () => {
    const profiles = [[1, 1], [1, 2], [2, 2], [3, 4], [4, 4], [7, 8]] as const;
    const layout = fc.array(fc.tuple(fc.constantFrom(...profiles), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 7 });
    fc.assert(
      fc.property(
        layout,
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 3600, noNaN: true }),
        fc.double({ min: 0, max: 700, noNaN: true }),
        fc.constantFrom('compute', 'memory'),
        (raw, delta, dt, idleW, basis) => {
          // Keep the slices that fit on a 7g/8m GPU (as MIG placement does).
          let g = 0;
          let m = 0;
          const slices = [];
          for (const [[cg, cm], act] of raw) {
            if (g + cg > 7 || m + cm > 8) continue;
            g += cg;
            m += cm;
            slices.push({ weight: basis === 'compute' ? cg / 7 : cm / 8, activity: act });
          }
          const r = splitBoardEnergy(delta, dt, idleW, slices);
          const sum = r.slices.reduce((s, x) => s + x.idle + x.active, 0) + r.unallocated;
          expect(Math.abs(sum - delta)).toBeLessThanOrEqual(1e-9 * Math.max(delta, 1e-300));
          for (const s of r.slices) expect(s.idle >= 0 && s.active >= 0).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('shares among engines by generated tokens, equally when none generated', () => {
    expect(splitByTokens(90, [10, 20, 0])).toEqual([30, 60, 0]);
    expect(splitByTokens(90, [0, 0, 0])).toEqual([30, 30, 30]);
    expect(splitByTokens(90, [])).toEqual([]);
  });
});
