// `tokenwatt report` without a Prometheus: bucket planning, the period quantile, the figures from
// bucket values (gaps, a model arriving mid-period, idle shares, mixed currencies), flag errors
// (exit 2) and an unreachable server (exit 1). Against real Prometheus: report-prometheus.test.ts
// (weeks of backfilled data, the HTML in Chromium) and report-demo.test.ts (the demo fleet).
import { createServer as createHttpServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { parseRange, parseTime } from '../src/commands/report.ts';
import { planPieces, planWindow } from '../src/report/collect.ts';
import type { Bucketed, Collected } from '../src/report/collect.ts';
import { histogramQuantile } from '../src/report/histogram.ts';
import { buildReport, ReportDataError } from '../src/report/model.ts';
import type { ReportInput } from '../src/report/model.ts';
import { TABLES } from '../src/report/tables.ts';
import type { Table } from '../src/report/tables.ts';
import { toCsvTable, toMarkdown, toText } from '../src/report/render.ts';

afterEach(() => vi.restoreAllMocks());

describe('planWindow', () => {
  it('tiles the period exactly: daily from 7 days, hourly from 12 hours, finer below', () => {
    const to = 1_795_000_000;
    expect(planWindow(to - 30 * 86_400, to)).toMatchObject({ stepSeconds: 86_400, n: 30, from: to - 30 * 86_400 });
    expect(planWindow(to - 7 * 86_400, to)).toMatchObject({ stepSeconds: 86_400, n: 7 });
    expect(planWindow(to - 86_400, to)).toMatchObject({ stepSeconds: 3600, n: 24 });
    expect(planWindow(to - 3600, to)).toMatchObject({ stepSeconds: 300, n: 12 });
    // Never shorter than 4 scrape intervals: an increase needs two samples in its bucket.
    expect(planWindow(to - 120, to, 15).stepSeconds).toBeGreaterThanOrEqual(60);
    for (const [from, scrape] of [[to - 10 * 86_400 - 1234, 15], [to - 5000, 1], [to - 37, 1]] as const) {
      const w = planWindow(from, to, scrape);
      expect(w.to).toBe(to);
      expect(w.from + w.n * w.stepSeconds).toBeCloseTo(to, 6);
      expect(Math.abs(w.from - from)).toBeLessThanOrEqual(w.stepSeconds);
    }
  });
});

describe('planPieces', () => {
  const H = 3600;
  const rec = (ends: number[]) => ({ windowSeconds: H, ends, unusable: null });
  it('uses the recorded windows inside the period and reads raw counters for the edges, tiling it', () => {
    // Windows end at hh:20; the period is midnight to midnight (a day).
    const from = 86_400;
    const ends = Array.from({ length: 30 }, (_, i) => from - 2 * H + 1200 + i * H);
    const p = planPieces(from, from + 86_400, rec(ends), 60);
    expect(p.used[0]).toBe(from + 1200 + H);
    expect(p.used.at(-1)).toBe(from + 23 * H + 1200);
    expect(p.raw).toEqual([[from, from + 1200], [from + 23 * H + 1200, from + 86_400]]);
    const covered = p.used.length * H + p.raw.reduce((a, [x, y]) => a + (y - x), 0);
    expect(covered).toBe(86_400);
  });
  it('gives a raw piece shorter than the minimum the window beside it, and fills missing windows from raw counters', () => {
    const from = 0;
    // Windows end 30 s after the hour; one (ending 5h + 30 s) is missing (Prometheus was down).
    const ends = [1, 2, 3, 4, 6, 7, 8].map((h) => h * H + 30);
    const p = planPieces(from, 8 * H + 40, rec(ends), 60);
    // (0, 30 s] is under 60 s: the first window goes raw with it; (8h30s, 8h40s] likewise at the end.
    expect(p.raw).toEqual([[0, H + 30], [4 * H + 30, 5 * H + 30], [7 * H + 30, 8 * H + 40]]);
    expect(p.used).toEqual([2 * H + 30, 3 * H + 30, 4 * H + 30, 6 * H + 30, 7 * H + 30]);
  });
  it('reads everything raw without recorded windows', () => {
    expect(planPieces(10, 1000, { windowSeconds: null, ends: [], unusable: 'none' }, 60)).toMatchObject({ used: [], raw: [[10, 1000]] });
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket as PromQL does, and answers the highest finite bound for +Inf', () => {
    const b = [{ le: 1, count: 10 }, { le: 2, count: 30 }, { le: 4, count: 40 }, { le: Infinity, count: 40 }];
    // rank 20 falls in (1, 2]: 1 + (20 - 10) / (30 - 10) = 1.5
    expect(histogramQuantile(0.5, b)).toBeCloseTo(1.5, 10);
    // rank 38 falls in (2, 4]: 2 + 2 × (38 - 30) / 10 = 3.6
    expect(histogramQuantile(0.95, b)).toBeCloseTo(3.6, 10);
    expect(histogramQuantile(0.99, [{ le: 1, count: 1 }, { le: Infinity, count: 10 }])).toBe(1);
    expect(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeNull();
  });
});

const series = (labels: Record<string, string>, values: (number | null)[]): Bucketed => ({ labels, values });
const SLICE = { cluster: 'c1', host: 'h1', gpu: '0', gpu_uuid: 'GPU-1', gpu_model: 'H100', gpu_profile: 'whole' };
const MIG = { cluster: 'c1', host: 'h1', gpu: '1', gpu_uuid: 'GPU-2', gpu_model: 'H100' };

function input(over: Partial<Collected> = {}): ReportInput {
  const w = { from: 1_000_000, to: 1_000_000 + 4 * 3600, stepSeconds: 3600, n: 4 };
  const q: Partial<Collected> = {
    gpuEnergy: [series(SLICE, [3.6e6, 3.6e6, 3.6e6, 3.6e6]), series(MIG, [1.8e6, 1.8e6, 1.8e6, 1.8e6])],
    gpuCost: [series({ ...SLICE, component: 'capacity', currency: 'USD' }, [4, 4, 4, 4]), series({ ...SLICE, component: 'energy', currency: 'USD' }, [0.2, 0.2, 0.2, 0.2]),
      series({ ...MIG, component: 'capacity', currency: 'USD' }, [4, 4, 4, 4]), series({ ...MIG, component: 'energy', currency: 'USD' }, [0.1, 0.1, 0.1, 0.1])],
    sliceEnergy: [series({ ...SLICE, state: 'active' }, [2.6e6, 2.6e6, 2.6e6, 2.6e6]), series({ ...SLICE, state: 'idle' }, [1e6, 1e6, 1e6, 1e6]),
      series({ ...MIG, gpu_instance_id: '2', gpu_profile: '3g.40gb', state: 'active' }, [1e6, 1e6, 1e6, 1e6]), series({ ...MIG, gpu_instance_id: '2', gpu_profile: '3g.40gb', state: 'idle' }, [0.4e6, 0.4e6, 0.4e6, 0.4e6])],
    sliceCost: [series({ ...SLICE, component: 'capacity', currency: 'USD' }, [4, 4, 4, 4]), series({ ...SLICE, component: 'energy', currency: 'USD' }, [0.2, 0.2, 0.2, 0.2])],
    idleCost: [series({ ...SLICE, currency: 'USD' }, [1, 1, 1, 1])],
    unallocatedEnergy: [series(MIG, [0.4e6, 0.4e6, 0.4e6, 0.4e6])],
    unallocatedCost: [series({ ...MIG, currency: 'USD' }, [2, 2, 2, 2])],
    // Two models share GPU 0 (by cost 3:1); "late" arrives in the third bucket; "early" has a hole in bucket 2.
    generationTokens: [series({ ...SLICE, model_name: 'early', namespace: 'llm' }, [3e6, null, 3e6, 3e6]), series({ ...SLICE, model_name: 'late', namespace: 'llm' }, [null, null, 1e6, 1e6])],
    modelEnergy: [series({ ...SLICE, model_name: 'early', namespace: 'llm' }, [3.6e6, null, 2.7e6, 2.7e6]), series({ ...SLICE, model_name: 'late', namespace: 'llm' }, [null, null, 0.9e6, 0.9e6])],
    modelCost: [series({ ...SLICE, model_name: 'early', namespace: 'llm', currency: 'USD' }, [4.2, null, 3.15, 3.15]), series({ ...SLICE, model_name: 'late', namespace: 'llm', currency: 'USD' }, [null, null, 1.05, 1.05])],
    vllmRequests: [series({ cluster: 'c1', model_name: 'early' }, [10, 0, 10, 10])],
    vllmLatency: [series({ cluster: 'c1', model_name: 'early', le: '1' }, [10, 0, 0, 0]), series({ cluster: 'c1', model_name: 'early', le: '2' }, [20, 0, 10, 0]), series({ cluster: 'c1', model_name: 'early', le: '+Inf' }, [20, 0, 10, 10])],
    ...over,
  };
  // What the instant queries over the whole period answer: one value per series with data.
  const totals = Object.fromEntries(Object.entries(q).map(([k, rows]) => [k, rows!
    .filter((r) => r.values.some((v) => v !== null))
    .map((r) => ({ labels: r.labels, values: [r.values.reduce<number>((a, b) => a + (b ?? 0), 0)] }))])) as Partial<Collected>;
  return {
    source: 'http://prom', cluster: null, clusterLabel: 'cluster', window: w, current: q, totals, previous: null, previousWindow: null,
    coverage: { scrapeIntervalSeconds: 15, instances: [{ labels: { cluster: 'c1', instance: 'h1:9464' }, samples: 960, upSamples: 960 }] },
    monthToDate: { cost: 100, month: '1970-01', monthStart: 0, monthEnd: 31 * 86_400 },
    load: { queries: 1, series: 1, points: 1, seconds: 0, log: [] },
    reads: { recordedWindowSeconds: null, recordedSeconds: 0, rawSeconds: 4 * 3600, raw: [{ from: w.from, to: w.to }], note: 'Read from the raw counters over the whole period.' },
  };
}

describe('buildReport', () => {
  it('sums buckets per model and GPU, shares idle cost by cost, and marks a model that arrives mid-period and a hole', () => {
    const r = buildReport(input());
    const early = r.models.find((m) => m.model === 'early')!;
    const late = r.models.find((m) => m.model === 'late')!;
    expect(early.generationTokens).toBe(9e6);
    expect(early.energyKwh).toBeCloseTo(2.5, 10);
    expect(early.tokensPerJoule).toBeCloseTo(9e6 / 9e6, 10);
    expect(early.cost).toBeCloseTo(10.5, 10);
    // The slice's idle cost (4) split by cost on the slice (10.5 : 2.1).
    expect(early.idleCost).toBeCloseTo((4 * 10.5) / 12.6, 10);
    expect(late.idleCost).toBeCloseTo((4 * 2.1) / 12.6, 10);
    // Energy cost at the slice's price: 0.8 $ / 14.4e6 J.
    expect(early.energyCost).toBeCloseTo((9e6 * 0.8) / 14.4e6, 10);
    expect(early.costPerMillionTokens).toBeCloseTo((10.5 / 9e6) * 1e6, 10);
    expect(early.requests).toBe(30);
    // Period histogram: le=1 10, le=2 30, +Inf 40: p50 at rank 20 = 1 + (20-10)/(30-10) = 1.5.
    expect(early.latencyP50Seconds).toBeCloseTo(1.5, 10);
    expect(late.appearedAt).toBe(r.period.from + 2 * 3600);
    expect(late.requests).toBeNull();
    expect(r.warnings.some((w) => w.includes('late first appears'))).toBe(true);
    expect(r.gaps).toContainEqual({ what: 'model early', from: r.period.from + 3600, to: r.period.from + 2 * 3600 });
    // A hole is null in the time series, never 0.
    expect(r.series.find((s) => s.model === 'early')!.cost[1]).toBeNull();
    // Fleet totals come from the boards.
    expect(r.totals.energyKwh).toBeCloseTo(6, 10);
    expect(r.totals.cost).toBeCloseTo(33.2, 10);
    expect(r.totals.unallocatedCost).toBe(8);
    const mig = r.gpus.find((g) => g.gpu === '1')!;
    expect(mig.mig).toBe(true);
    expect(mig.unallocatedJoules).toBe(1.6e6);
    expect(r.projection.projectedMonthCost).toBeGreaterThan(100);
  });

  it('refuses to add costs in several currencies', () => {
    const q = input().current;
    expect(() => buildReport(input({ gpuCost: [...q.gpuCost!, series({ ...MIG, component: 'energy', currency: 'EUR' }, [1, 1, 1, 1])] }))).toThrow(ReportDataError);
  });

  it('prints every table with the columns docs/report.md documents', () => {
    const r = buildReport(input());
    const doc = readFileSync(new URL('../docs/report.md', import.meta.url), 'utf8');
    for (const make of Object.values(TABLES)) {
      const t = make(r) as Table<unknown>;
      for (const c of t.columns) expect(doc, `docs/report.md documents ${t.name}.${c.key}`).toContain(`\`${c.key}\``);
      expect(toCsvTable(r, t.name).split('\r\n')[0]).toBe(t.columns.map((c) => c.key).join(','));
    }
    expect(toText(r)).toContain('late first appears');
    expect(toMarkdown(r)).toContain('[^1]: Energy:');
    // A missing value is empty in CSV, '-' in tables, never 0.
    expect(toCsvTable(r, 'series')).toMatch(/,early,,,,\r\n/);
  });
});

describe('tokenwatt report flags', () => {
  const run = async (...args: string[]) => {
    const err: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await main(['report', ...args]);
    return { code, err: err.join('\n') };
  };

  it('exits 2 naming the flag on bad input', async () => {
    expect(await run()).toMatchObject({ code: 2, err: expect.stringContaining('--prometheus URL is required') });
    expect(await run('--prometheus', 'localhost:9090')).toMatchObject({ code: 2, err: expect.stringContaining('not an http(s) URL') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--format', 'pdf')).toMatchObject({ code: 2, err: expect.stringContaining('--format') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--range', '7 days')).toMatchObject({ code: 2, err: expect.stringContaining('--range') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--from', '2026-11-02', '--to', '2026-11-01')).toMatchObject({ code: 2, err: expect.stringContaining('--from must be before --to') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--from', '2026-11-01', '--range', '7d')).toMatchObject({ code: 2 });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--table', 'gpus')).toMatchObject({ code: 2, err: expect.stringContaining('--table applies only to --format csv') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--ca-file', '/etc/hostname')).toMatchObject({ code: 2, err: expect.stringContaining('https') });
    expect(await run('--prometheus', 'http://127.0.0.1:1', '--bearer-token-file', '/nonexistent/token')).toMatchObject({ code: 2, err: expect.stringContaining('--bearer-token-file') });
  });

  it('parses ranges and times', () => {
    expect(parseRange('7d')).toBe(7 * 86_400);
    expect(parseRange('2w')).toBe(14 * 86_400);
    expect(parseRange('90m')).toBe(5400);
    expect(parseTime('2026-11-01', '--from')).toBe(Date.UTC(2026, 10, 1) / 1000);
    expect(parseTime('2026-11-01T12:00:00+01:00', '--from')).toBe(Date.UTC(2026, 10, 1, 11) / 1000);
    expect(parseTime('1795000000', '--to')).toBe(1_795_000_000);
    expect(() => parseTime('yesterday', '--from')).toThrow(/RFC 3339/);
  });

  it('exits 1 with the reason when Prometheus cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    const r = await run('--prometheus', `http://127.0.0.1:${port}`, '--range', '1h');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot reach Prometheus at http://127.0.0.1:${port}`);
  });

  it('sends the bearer token or basic auth, and names the flag to check on HTTP 401', async () => {
    // A stand-in for an authenticating proxy in front of Prometheus: 401 unless the header matches;
    // with it, an empty but valid API answer (so the report stops at "no tokenwatt series").
    let expected = '';
    const server = createHttpServer((req, res) => {
      if (req.headers.authorization !== expected) { res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: req.url?.includes('query_range') ? 'matrix' : 'vector', result: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const dir = await mkdtemp(join(tmpdir(), 'tokenwatt-report-auth-'));
    try {
      await writeFile(join(dir, 'token'), 's3cret\n');
      await writeFile(join(dir, 'password'), 'pa:ss\n');
      expected = 'Bearer s3cret';
      expect(await run('--prometheus', url, '--range', '1h', '--bearer-token-file', join(dir, 'token'))).toMatchObject({ code: 1, err: expect.stringContaining('no tokenwatt series') });
      expected = `Basic ${Buffer.from('reporter:pa:ss').toString('base64')}`;
      expect(await run('--prometheus', url, '--range', '1h', '--basic-auth-user', 'reporter', '--basic-auth-password-file', join(dir, 'password'))).toMatchObject({ code: 1, err: expect.stringContaining('no tokenwatt series') });
      const denied = await run('--prometheus', url, '--range', '1h', '--bearer-token-file', join(dir, 'token'));
      expect(denied.code).toBe(1);
      expect(denied.err).toContain('answered HTTP 401: check --bearer-token-file');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
