import { describe, expect, it } from 'vitest';
import { migGeometry, parseProfile, sliceWeight, sliceWeights } from '../src/energy/mig.ts';

describe('MIG geometry', () => {
  it('parses the A100-40GB profiles of the MIG user guide (g of 7, m of 8)', () => {
    const a100 = 'NVIDIA A100-SXM4-40GB';
    // Pairs from domain notes §6: 1g.5gb (1,1), 1g.10gb (1,2), 2g.10gb (2,2), 3g.20gb (3,4), 4g.20gb (4,4), 7g.40gb (7,8).
    const cases: [string, number, number][] = [['1g.5gb', 1, 1], ['1g.10gb', 1, 2], ['2g.10gb', 2, 2], ['3g.20gb', 3, 4], ['4g.20gb', 4, 4], ['7g.40gb', 7, 8]];
    for (const [p, g, m] of cases) expect(parseProfile(p, a100), p).toEqual({ computeSlices: g, memorySlices: m });
  });

  it('parses A100-80GB, H100 (with +me and dcgm-exporter 7g.79gb), H200 and A30 profiles', () => {
    expect(parseProfile('3g.40gb', 'NVIDIA A100-SXM4-80GB')).toEqual({ computeSlices: 3, memorySlices: 4 });
    expect(parseProfile('1g.10gb+me', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseProfile('1g.20gb', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 1, memorySlices: 2 });
    expect(parseProfile('7g.79gb', 'NVIDIA H100 80GB HBM3')).toEqual({ computeSlices: 7, memorySlices: 8 });
    expect(parseProfile('1g.18gb', 'NVIDIA H200')).toEqual({ computeSlices: 1, memorySlices: 1 });
    expect(parseProfile('3g.71gb', 'NVIDIA H200')).toEqual({ computeSlices: 3, memorySlices: 4 });
    expect(parseProfile('7g.141gb', 'NVIDIA H200')).toEqual({ computeSlices: 7, memorySlices: 8 });
    // A30: 4 compute and 4 memory slices of 6 GB (1g.6gb, 2g.12gb, 4g.24gb).
    expect(migGeometry('NVIDIA A30')).toMatchObject({ computeTotal: 4, memoryTotal: 4 });
    expect(parseProfile('2g.12gb', 'NVIDIA A30')).toEqual({ computeSlices: 2, memorySlices: 2 });
  });

  it('rejects a malformed profile or one that does not fit the GPU, naming it', () => {
    expect(() => parseProfile('3g', 'NVIDIA A100-SXM4-40GB')).toThrow(/'3g'/);
    expect(() => parseProfile('7g.40gb', 'NVIDIA A30')).toThrow(/'7g.40gb'/);
    expect(() => parseProfile('1g.10gb', 'Tesla T4')).toThrow(/no known MIG geometry/);
  });

  it('weighs a slice by compute, memory or the larger of the two', () => {
    const geo = { computeTotal: 7, memoryTotal: 8 };
    const s3g = { computeSlices: 3, memorySlices: 4 };
    expect(sliceWeight(s3g, geo, 'compute')).toBeCloseTo(3 / 7, 15);
    expect(sliceWeight(s3g, geo, 'memory')).toBe(0.5);
    expect(sliceWeight(s3g, geo, 'max')).toBe(0.5);
    // 3g.20gb + 4g.20gb under max: 4/8 + 4/7 = 15/14 > 1, scaled to add up to 1 (7/15 and 8/15).
    const w = sliceWeights([s3g, { computeSlices: 4, memorySlices: 4 }], geo, 'max');
    expect(w[0]).toBeCloseTo(7 / 15, 15);
    expect(w[1]).toBeCloseTo(8 / 15, 15);
  });
});
