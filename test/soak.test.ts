// A 60 s soak (issue 12): a real exporter process over a small simulated node and 12 hostile upstreams
// (bench/soak-run.ts), scraped by 20 paced loopback scrapers. Behaviour only (speed is the bench's:
// `npm run bench soak`): it stays up, no scrape fails, no derived counter ever decreases, every hostile
// target is down with its reason (or up, when heavy but valid), the healthy ones are up, and a target
// that goes down is seen down within two intervals.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE_EXPECT, soak } from '../bench/soak-run.ts';

describe('soak: hostile upstreams and 20 scrapers for 60 s', () => {
  it('stays up and correct', async () => {
    const intervalS = 3;
    const r = await soak({
      durationS: 60, scrapers: 20, paceMs: 100, intervalS, engines: 4, keplerPods: 0, flapS: 10,
      entry: [join(import.meta.dirname, '..', 'bin', 'tokenwatt.js')],
    });
    expect(r.alive).toBe(true);
    expect(r.errors).toBe(0);
    expect(r.requests).toBeGreaterThan(1000);
    expect(r.counters.decreased).toEqual([]);
    expect(r.counters.checked).toBeGreaterThan(10);
    for (const [name, h] of Object.entries(r.hostile)) expect([name, h.got]).toEqual([name, HOSTILE_EXPECT[name]]);
    expect(r.healthyTargetsUp).toBe(r.node.targets);
    expect(r.downDetectionS.transitions).toBeGreaterThanOrEqual(2);
    expect(r.downDetectionS.max).toBeLessThanOrEqual(2 * intervalS + 1);
  }, 150_000);
});
