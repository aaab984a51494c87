// exporters/dcgm-exporter/tokenwatt-counters.csv agrees with the catalog and the rules: every field
// it enables is a catalog entry of the same type, and every dcgm-exporter series a rule reads is on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lookupSeries } from '../src/catalog/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { metricNames } from '../src/promql/check.ts';
import { compileGroups } from '../src/rules/collect.ts';

const csv = readFileSync(new URL('../exporters/dcgm-exporter/tokenwatt-counters.csv', import.meta.url), 'utf8');
const rows = csv.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
  const [field, type, ...help] = l.split(',').map((x) => x.trim());
  return { field: field!, type: type!, help: help.join(',') };
});

describe('dcgm-exporter counters file', () => {
  it('has three columns, a known type and a help text on every line', () => {
    for (const r of rows) {
      expect(r.field, r.field).toMatch(/^DCGM_FI_[A-Z0-9_]+$/);
      expect(['gauge', 'counter', 'label'], r.field).toContain(r.type);
      expect(r.help.length, r.field).toBeGreaterThan(5);
    }
    expect(new Set(rows.map((r) => r.field)).size).toBe(rows.length);
  });

  it('enables only fields the catalog declares, with the catalog type', () => {
    for (const r of rows.filter((x) => x.type !== 'label')) {
      const def = lookupSeries(r.field);
      expect(def?.source, r.field).toBe('dcgm');
      expect(def?.type, r.field).toBe(r.type);
    }
  });

  it('enables every dcgm-exporter series the alert and recording rules read', () => {
    const used = new Set(compileGroups(defaultConfig).flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr).map((m) => m.name)))
      .filter((n) => lookupSeries(n)?.source === 'dcgm'));
    const enabled = new Set(rows.map((r) => r.field));
    expect([...used].filter((n) => !enabled.has(n))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });
});
