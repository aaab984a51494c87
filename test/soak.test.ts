// A 60 s soak (issue 12): a real exporter process over a small simulated node and 12 hostile upstreams
// (bench/soak-run.ts), scraped by 20 loopback scrapers at 10 requests a second each. Behaviour only (speed is the bench's:
// `npm run bench soak`): it stays up, no scrape fails, no derived counter ever decreases, every hostile
// target is down with its reason (or up, when heavy but valid), the healthy ones are up, and a target
// that goes down is seen down within a few intervals.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTILE_EXPECT, soak } from '../bench/soak-run.ts';

describe('soak: hostile upstreams and 20 scrapers for 60 s', () => {
  it('stays up and correct', async () => {
    const intervalS = 3;
    const r = await soak({
      durationS: 60, scrapers: 20, periodMs: 100, intervalS, engines: 4, keplerPods: 0, flapS: 10,
      entry: [join(import.meta.dirname, '..', 'bin', 'tokenwatt.js')],
    });
    expect(r.alive).toBe(true);
    expect(r.errors).toBe(0);
    expect(r.requests).toBeGreaterThan(1000);
    expect(r.counters.decreased).toEqual([]);
    expect(r.counters.checked).toBeGreaterThan(10);
    // On a loaded machine an oversized body may still be arriving when the target's timeout ends: down
    // either way, never held whole (the bench, on its own, holds them to too_large).
    const alsoTimeout = new Set(['endless', 'gzip-bomb']);
    for (const [name, h] of Object.entries(r.hostile)) {
      const ok = h.got === HOSTILE_EXPECT[name] || (alsoTimeout.has(name) && h.got === 'timeout');
      expect([name, ok ? HOSTILE_EXPECT[name] : h.got]).toEqual([name, HOSTILE_EXPECT[name]]);
    }
    expect(r.healthyTargetsUp).toBe(r.node.targets);
    expect(r.downDetectionS.transitions).toBeGreaterThanOrEqual(2);
    // Down as soon as the next cycle's read of it fails (health is published per target, not when the
    // hung targets end the cycle): within one interval plus the read; twice the interval leaves room for
    // a loaded machine (it was 3 intervals + 2 s when health waited for the cycle's end).
    expect(r.downDetectionS.max).toBeLessThanOrEqual(2 * intervalS);
    expect(r.fixedRate?.requests).toBeGreaterThan(0);
  }, 150_000);
});
