// `tokenwatt analyze` on the real H100 serving session, checked against counter truth worked out here
// from the raw CSVs with deliberately separate, plain code.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeRun } from '../src/energy/analyze.ts';
import { parseNumericCsv } from '../src/energy/csv.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const TRACE = 'test/fixtures/nvidia-h100/serving-7b/trace.csv';
const TOKENS = 'test/fixtures/nvidia-h100/serving-7b/tokens.csv';
const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows of a CSV as number arrays (header dropped). */
function rows(path: string): number[][] {
  return readFileSync(join(repo, path), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
}

/** Counter value at t: the last reading at or before t (a counter only changes when it is read). */
function valueAt(points: number[][], col: number, t: number): number {
  let v = points[0]![col]!;
  for (const p of points) {
    if (p[0]! > t) break;
    v = p[col]!;
  }
  return v;
}

describe('analyze on the H100 serving-7b session', () => {
  const trace = rows(TRACE);
  const tokens = rows(TOKENS);
  const start = Math.max(trace[0]![0]!, tokens[0]![0]!);
  const end = Math.min(trace.at(-1)![0]!, tokens.at(-1)![0]!);
  const truth = (a: number, b: number) => {
    const joules = (valueAt(trace, 2, b) - valueAt(trace, 2, a)) / 1000;
    const n = valueAt(tokens, 1, b) - valueAt(tokens, 1, a);
    return { joules, tokens: n, tpj: n / joules };
  };
  const analysis = analyzeRun(
    {
      trace: parseNumericCsv(readFileSync(join(repo, TRACE), 'utf8'), ['unix_s', 'energy_mJ', 'power_mW'], 'trace.csv'),
      tokens: parseNumericCsv(readFileSync(join(repo, TOKENS), 'utf8'), ['unix_s', 'generation_tokens_total'], 'tokens.csv'),
    },
    10,
  );

  it('the raw counters never go down in this recording (so no reset handling is needed for the truth)', () => {
    for (let i = 1; i < trace.length; i++) expect(trace[i]![2]!).toBeGreaterThanOrEqual(trace[i - 1]![2]!);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]![1]!).toBeGreaterThanOrEqual(tokens[i - 1]![1]!);
  });

  it('total tokens/J is within 0.5% of the counter truth (session.json: 14048 tokens, 17026.405 J)', () => {
    const t = truth(start, end);
    expect(t.tokens).toBe(14048);
    expect(t.joules).toBeCloseTo(17026.405, 3);
    expect(analysis.total.tokens).toBe(t.tokens);
    expect(Math.abs(analysis.total.joules - t.joules) / t.joules).toBeLessThan(0.005);
    expect(Math.abs(analysis.total.tokensPerJoule! - t.tpj) / t.tpj).toBeLessThan(0.005);
  });

  it('each 10 s window is within 0.5% of the counter truth', () => {
    expect(analysis.windows.length).toBe(Math.ceil((end - start) / 10));
    for (const w of analysis.windows) {
      const t = truth(w.start, w.end);
      expect(w.tokens).toBe(t.tokens);
      expect(Math.abs(w.joules - t.joules) / t.joules).toBeLessThan(0.005);
      if (t.tokens === 0) expect(w.tokensPerJoule).toBe(0);
      else expect(Math.abs(w.tokensPerJoule! - t.tpj) / t.tpj).toBeLessThan(0.005);
    }
  });

  it('power sampled every 15 s is off the counter by more than 5% in some 10 s windows (domain notes §7)', () => {
    const errs = analysis.windows.filter((w) => w.seconds >= 10).map((w) => Math.abs(w.powerSampledErrorPct!));
    expect(Math.max(...errs)).toBeGreaterThan(5);
  });
});

describe('analyze on synthetic runs', () => {
  it('windows add up to the total, whatever the window length and counter resets', () => {
    const run = fc.array(fc.record({ dt: fc.double({ min: 0.01, max: 5, noNaN: true }), dE: fc.integer({ min: 0, max: 1e6 }), reset: fc.boolean(), dTok: fc.integer({ min: 0, max: 500 }) }), { minLength: 2, maxLength: 80 });
    fc.assert(
      fc.property(run, fc.double({ min: 0.5, max: 60, noNaN: true }), (steps, window) => {
        let t = 1000;
        let e = 5e6;
        let n = 0;
        const trace = [];
        const tokens = [];
        for (const st of steps) {
          t += st.dt;
          e = st.reset ? st.dE : e + st.dE;
          n += st.dTok;
          trace.push({ unix_s: t, energy_mJ: e, power_mW: 100_000 });
          tokens.push({ unix_s: t, generation_tokens_total: n });
        }
        const a = analyzeRun({ trace, tokens }, window);
        expect(a.windows.reduce((x, w) => x + w.tokens, 0)).toBe(a.total.tokens);
        const j = a.windows.reduce((x, w) => x + w.joules, 0);
        expect(Math.abs(j - a.total.joules)).toBeLessThanOrEqual(1e-9 * Math.max(a.total.joules, 1));
        for (const w of a.windows) expect(w.joules).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });

  it('constant power: the power-sampled estimate equals the counter at every phase; a counter reset is bridged', () => {
    // 100 W for 60 s, sampled every second: 100 J per second. The driver reloads at t = 30 (counter restarts at 0).
    const trace = [];
    for (let t = 0; t <= 60; t++) trace.push({ unix_s: t, power_mW: 100_000, energy_mJ: (t < 30 ? 5e6 + t * 1e5 : (t - 30) * 1e5) });
    const tokens = [{ unix_s: 0, generation_tokens_total: 0 }, { unix_s: 60, generation_tokens_total: 600 }];
    const a = analyzeRun({ trace, tokens }, 20);
    // 0–30 s: 3000 J; 30 s: reset reads 0 → Prometheus-style increase 0; 30–60: 3000 J. Total 6000 J − 100 J lost
    // in the reset second (the counter restarted from 0, so the 29→30 second is not seen), i.e. 5900 J.
    expect(a.total.joules).toBeCloseTo(5900, 9);
    expect(a.windows.map((w) => w.joules)).toEqual([2000, 1900, 2000]);
    expect(a.total.tokensPerJoule).toBeCloseTo(600 / 5900, 12);
    // Power sampling sees 100 W × 60 s = 6000 J: off by +1.69% only because of the reset second.
    expect(a.powerSampling.totalErrorPctRange![0]).toBeCloseTo((100 / 5900) * 100, 9);
    expect(a.powerSampling.totalErrorPctRange![1]).toBeCloseTo((100 / 5900) * 100, 9);
  });
});

interface Result { code: number; stdout: string; stderr: string }

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/tokenwatt.js', 'analyze', ...args], { cwd: repo }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('tokenwatt analyze CLI', () => {
  it('--json prints total and windows with the documented fields', async () => {
    const r = await cli(['--trace', TRACE, '--tokens', TOKENS, '--window', '30', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['total', 'windows']));
    for (const k of ['seconds', 'tokens', 'joules', 'tokensPerJoule']) expect(typeof out.total[k], k).toBe('number');
    // 105.04 s in 30 s windows: 0–30, 30–60, 60–90, 90–105.04.
    expect(out.windows).toHaveLength(4);
    for (const w of out.windows) for (const k of ['start', 'end', 'tokens', 'joules', 'tokensPerJoule']) expect(w, k).toHaveProperty(k);
    expect(out.windows.reduce((n: number, w: { tokens: number }) => n + w.tokens, 0)).toBe(out.total.tokens);
    expect(out.total.tokens).toBe(14048);
  });

  it('--window takes the durations record and the exporter config take: 30s, 30000ms, 0.5m, 30 (issue 12: 10s was refused)', async () => {
    const outs = [];
    for (const w of ['30s', '30000ms', '0.5m', '30']) {
      const r = await cli(['--trace', TRACE, '--tokens', TOKENS, '--window', w, '--json']);
      expect(r.code, w).toBe(0);
      outs.push(JSON.parse(r.stdout).windows.length);
    }
    expect(outs).toEqual([4, 4, 4, 4]);
  });

  it('prints a table ending in the total by default', async () => {
    const r = await cli(['--trace', TRACE, '--tokens', TOKENS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+total\s+105\.0\s+14048\s+17026\.4\s+0\.8251\s/m);
  });

  it('exits 2 naming the flag on usage errors', async () => {
    const missing = await cli(['--tokens', TOKENS]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--trace is required/);
    const badWindow = await cli(['--trace', TRACE, '--tokens', TOKENS, '--window', '0']);
    expect(badWindow.code).toBe(2);
    expect(badWindow.stderr).toMatch(/--window must be/);
    const unknown = await cli(['--trace', TRACE, '--tokens', TOKENS, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/frobnicate/);
    const unreadable = await cli(['--trace', join(dir, 'nope.csv'), '--tokens', TOKENS]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/--trace: cannot read/);
  });

  it('exits 1 naming line and column of a malformed CSV', async () => {
    const bad = join(dir, 'tokens.csv');
    writeFileSync(bad, 'unix_s,generation_tokens_total\n1795381051.248,0\n1795381061.945,sixteen\n');
    const r = await cli(['--trace', TRACE, '--tokens', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3, column 2 \(generation_tokens_total\): 'sixteen' is not a number/);
  });
});
