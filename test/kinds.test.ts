// The upstream-kind registry (src/kinds/): every per-kind list is derived from it and agrees with it,
// every serving kind's simulator is recognised by its own recogniser, and the layering the registry
// relies on holds (collectors never import the exporter, rule validation never imports alerts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allMetrics, lookupSeries } from '../src/catalog/index.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { TARGET_KINDS } from '../src/exporter/config.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import { findKind, inspectShapes, recognisers, SERVING_KIND_IDS, servingOf, upstreamKinds } from '../src/kinds/index.ts';
import { ledgerCounters } from '../src/kinds/serving.ts';
import { parseFleet } from '../src/simulate/fleet.ts';
import { FleetSim } from '../src/simulate/workload.ts';
import { scrapeJobs } from '../scrape-configs/index.ts';
import inspect from '../src/commands/inspect.ts';

const ROOT = join(import.meta.dirname, '..');

describe('the kind registry', () => {
  it("each kind's catalog entries are exactly the catalog's entries of that source", () => {
    for (const k of upstreamKinds) {
      expect(allMetrics.filter((d) => d.source === k.id).map((d) => d.name), k.id).toEqual(k.metrics.map((d) => d.name));
    }
    const sources = new Set([...upstreamKinds.map((k) => k.id as string), 'recording', 'prometheus']);
    expect(allMetrics.filter((d) => !sources.has(d.source)).map((d) => d.name)).toEqual([]);
  });

  it('derives selectors, scrape jobs, target kinds and inspect kinds from the one list', () => {
    for (const k of upstreamKinds) expect(defaultConfig.selectors[k.id]).toBe(`job="${k.scrape.job}"`);
    expect(Object.keys(defaultConfig.selectors)).toEqual(upstreamKinds.map((k) => k.id));
    expect(scrapeJobs).toEqual(upstreamKinds.map((k) => k.scrape));
    expect(new Set(scrapeJobs.map((j) => j.job)).size).toBe(scrapeJobs.length);
    expect([...TARGET_KINDS]).toEqual(upstreamKinds.filter((k) => k.target).map((k) => k.id));
    expect(Object.keys(recognisers)).toEqual(upstreamKinds.filter((k) => k.inspect).map((k) => k.id));
    for (const id of Object.keys(recognisers)) {
      expect(inspect.usage).toContain(id);
      expect(inspectShapes()).toContain(findKind(id)!.inspect!.json);
    }
  });

  it('the existing kinds keep their jobs and selectors', () => {
    expect(scrapeJobs.map((j) => j.job).slice(0, 6)).toEqual(['vllm', 'sglang', 'dcgm-exporter', 'kepler', 'node', 'tokenwatt']);
    expect(defaultConfig.selectors.dcgm).toBe('job="dcgm-exporter"');
  });

  it("every serving kind's ledger counters are catalog counters of that kind", () => {
    expect(ledgerCounters(servingOf('triton'))).toContain('nv_energy_consumption');
    for (const id of SERVING_KIND_IDS) {
      const counters = ledgerCounters(servingOf(id));
      expect(counters.size, id).toBeGreaterThanOrEqual(2);
      for (const name of counters) {
        // A catalog counter, or the _sum of a token histogram (TGI counts tokens in no counter).
        const def = lookupSeries(name);
        // Triton counts tokens only through its vLLM backend's series; its GPU energy counter is its own.
        expect(def?.source, name).toBe(id === 'triton' && name !== servingOf(id).gpuEnergy ? 'vllm' : id);
        expect(def?.type === 'counter' || (def?.type === 'histogram' && name === `${def.name}_sum`), name).toBe(true);
      }
    }
  });

  it("every serving kind's simulator serves engines its own recogniser reads, with the workload's token counts", () => {
    for (const id of SERVING_KIND_IDS) {
      const fleet = parseFleet({
        seed: 3,
        hosts: [{ name: 'h', gpus: [{ model: 'NVIDIA H100 80GB HBM3' }] }],
        servers: [{ model: 'm/7b', engine: id, parametersB: 7, host: 'h', gpus: [0], requestsPerSecond: 2, promptTokens: { mean: 200, max: 1000 }, outputTokens: { mean: 100, max: 500 }, maxNumSeqs: 16, maxModelLen: 2048 }],
      });
      const sim = new FleetSim(fleet, 1_700_000_000);
      sim.advanceTo(120);
      const e = sim.engines[0]!;
      const view = findKind(id)!.inspect!.recognise(parseExposition(servingOf(id).simulate(e), { format: 'text' })) as { engines: { model: string; promptTokens: number; generationTokens: number; missing?: unknown }[] };
      // A kind whose metrics name no model reports '' (the exporter target or inspect --model fills it).
      expect(view.engines.map((v) => v.model), id).toEqual([servingOf(id).namesModel ? 'm/7b' : '']);
      expect(view.engines[0]!.missing, id).toBeUndefined();
      expect(view.engines[0]!.generationTokens, id).toBe(e.generationTokens);
      expect(view.engines[0]!.promptTokens, id).toBe(e.promptTokens);
      expect(e.generationTokens, id).toBeGreaterThan(0);
    }
  });

  it('a fleet naming an engine no kind serves is refused, naming the field', () => {
    expect(() => parseFleet({ hosts: [{ name: 'h', gpus: [{ model: 'NVIDIA H100 80GB HBM3' }] }], servers: [{ model: 'm', engine: 'nope', parametersB: 7, host: 'h', gpus: [0], requestsPerSecond: 1, promptTokens: { mean: 10, max: 20 }, outputTokens: { mean: 10, max: 20 }, maxNumSeqs: 4, maxModelLen: 64 }] }))
      .toThrow(/servers\.0\.engine: must be a serving kind/);
  });
});

function importsOf(dir: string): { file: string; from: string }[] {
  const out: { file: string; from: string }[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const file = join(e.parentPath, e.name);
    for (const m of readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^']+)';/gms)) out.push({ file, from: m[1]! });
  }
  return out;
}

describe('layering', () => {
  it('collectors never import the exporter (the exporter imports them)', () => {
    expect(importsOf('src/collectors').filter((i) => i.from.includes('/exporter/'))).toEqual([]);
  });

  it('rule validation takes routing content as an option instead of importing alerts/', () => {
    expect(importsOf('src/rules').filter((i) => i.file.endsWith('validate.ts') && i.from.includes('alerts/'))).toEqual([]);
  });
});

describe('engines whose metrics name no model', () => {
  it('targets[].model is accepted on serving targets and refused elsewhere, naming the field', async () => {
    const { parseExporterConfig } = await import('../src/exporter/config.ts');
    const ok = parseExporterConfig({ nvml: 'off', targets: [{ kind: 'vllm', url: 'http://127.0.0.1:1/metrics', model: 'm' }] });
    expect(ok.targets[0]!.model).toBe('m');
    expect(() => parseExporterConfig({ nvml: 'off', targets: [{ kind: 'dcgm', url: 'http://127.0.0.1:1/metrics', model: 'm' }] }))
      .toThrow(/targets\[0\]\.model: applies only to serving targets/);
  });
});
