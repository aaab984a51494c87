// `tokenwatt report` against a real Prometheus 2.42 holding two weeks of one 8×H100 host's tokenwatt
// series (test/support/report-fleet.ts, backfilled with promtool): an exporter restart, a 3-hour
// outage and a model swapped in mid-week. Every total of a 7-day report matches PromQL increase()
// over the same 7 days within 0.5 %; the restart, outage and new model are warned about; then the
// HTML page is opened in headless Chromium (Debian's), where every chart must have drawn data with no
// console error and no network request. TOKENWATT_REPORT_SCREENSHOT=docs/report-screenshot.png
// writes the README's screenshot.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { toHtml } from '../src/report/html.ts';
import { generateReport } from '../src/report/index.ts';
import type { Report } from '../src/report/model.ts';
import { openSource } from '../src/report/source.ts';
import { startPrometheus } from './support/prometheus.ts';
import type { RunningPrometheus } from './support/prometheus.ts';
import { backfill, writeFleetData } from './support/report-fleet.ts';
import { makeCerts, tlsProxy } from './support/tls.ts';

const DAY = 86_400;
/** A UTC midnight in the past (late 2026), so buckets are calendar days. */
const END = 1_795_000_000 - (1_795_000_000 % DAY);
const FROM = END - 7 * DAY;
const CHROMIUM = '/usr/bin/chromium';
const SELECTORS = { tokenwatt: 'job="tokenwatt"', vllm: 'job="vllm"', sglang: 'job="sglang"', clusterLabel: 'cluster' };

let dir = '';
let prom: RunningPrometheus;
let report: Report;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-report-'));
  await writeFleetData(join(dir, 'data.om'), {
    hosts: 1, start: END - 14 * DAY - 3600, end: END + 1, stepSeconds: 900,
    restarts: [END - 5 * DAY + 7200], outage: { from: END - 3 * DAY + 3600, to: END - 3 * DAY + 4 * 3600 },
    swap: { at: END - 2.5 * DAY, model: 'Qwen/Qwen3-8B' }, changeAt: FROM, earlierLoad: 0.8,
  });
  await backfill(join(dir, 'data.om'), join(dir, 'data'));
  await writeFile(join(dir, 'prometheus.yml'), 'global: {}\n');
  // Retention long enough to keep the backfilled weeks (the default 15d would drop them).
  prom = await startPrometheus(join(dir, 'prometheus.yml'), ['--storage.tsdb.retention.time=100y'], join(dir, 'data'));
  report = await generateReport(openSource({ url: prom.url }), { from: FROM, to: END, selectors: SELECTORS });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function increase(expr: string): Promise<Map<string, number>> {
  const r = await prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent(expr)}&time=${END}`);
  return new Map(r.result.map((s) => [s.metric.model_name ?? '', Number(s.value[1])]));
}
const within = (got: number, want: number, what: string) => {
  expect(want, what).toBeGreaterThan(0);
  expect(Math.abs(got - want) / want, `${what}: report ${got} vs PromQL ${want}`).toBeLessThan(0.005);
};

describe('a 7-day report over backfilled data', () => {
  it('has daily buckets over exactly the period', () => {
    expect(report.period).toMatchObject({ from: FROM, to: END, stepSeconds: DAY });
    expect(report.period.buckets).toHaveLength(7);
  });

  it('matches PromQL increase() over the period within 0.5 % for every total', async () => {
    const one = async (e: string) => [...(await increase(e)).values()][0]!;
    within(report.totals.energyJoules, await one('sum(increase(tokenwatt_gpu_energy_joules_total[7d]))'), 'GPU energy');
    within(report.totals.cost, await one('sum(increase(tokenwatt_gpu_cost_total[7d]))'), 'cost');
    within(report.totals.capacityCost, await one('sum(increase(tokenwatt_gpu_cost_total{component="capacity"}[7d]))'), 'capacity cost');
    within(report.totals.idleCost, await one('sum(increase(tokenwatt_idle_cost_total[7d]))'), 'idle cost');
    within(report.totals.unallocatedCost, await one('sum(increase(tokenwatt_unallocated_cost_total[7d]))'), 'unallocated cost');
    within(report.totals.co2eGrams, await one('sum(increase(tokenwatt_gpu_co2e_grams_total[7d]))'), 'CO2e');
    within(report.totals.generationTokens, await one('sum(increase(tokenwatt_model_generation_tokens_total[7d]))'), 'generated tokens');
    within(report.totals.promptTokens, await one('sum(increase(tokenwatt_model_prompt_tokens_total[7d]))'), 'prompt tokens');
    const energy = await increase('sum by (model_name) (increase(tokenwatt_model_energy_joules_total[7d]))');
    const tokens = await increase('sum by (model_name) (increase(tokenwatt_model_generation_tokens_total[7d]))');
    const cost = await increase('sum by (model_name) (increase(tokenwatt_model_cost_total[7d]))');
    const requests = await increase('sum by (model_name) (increase(vllm:e2e_request_latency_seconds_count[7d]))');
    expect(report.models.map((m) => m.model).sort()).toEqual([...energy.keys()].sort());
    for (const m of report.models) {
      within(m.energyJoules, energy.get(m.model)!, `${m.model} energy`);
      within(m.cost, cost.get(m.model)!, `${m.model} cost`);
      within(m.tokensPerJoule!, tokens.get(m.model)! / energy.get(m.model)!, `${m.model} tokens/J`);
      within(m.requests!, requests.get(m.model)!, `${m.model} requests`);
    }
  });

  it('states the period quantile as histogram_quantile over the period\'s bucket increases', async () => {
    const p95 = await increase('histogram_quantile(0.95, sum by (model_name, le) (increase(vllm:e2e_request_latency_seconds_bucket[7d])))');
    for (const m of report.models) within(m.latencyP95Seconds!, p95.get(m.model)!, `${m.model} p95`);
  });

  it('warns about the restart, the outage and the model that arrived mid-period, and compares with the week before', () => {
    const swapped = report.models.find((m) => m.model === 'Qwen/Qwen3-8B')!;
    expect(swapped.appearedAt).toBe(END - 3 * DAY);
    expect(report.warnings.join('\n')).toMatch(/Qwen\/Qwen3-8B first appears at/);
    expect(report.warnings.join('\n')).toMatch(/12 of \d+ scrapes failed \(up=0, about 3h\)/);
    expect(report.coverage.restarts).toBeGreaterThanOrEqual(1);
    expect(report.previous.available).toBe(true);
    // The load was 0.8 of this week's before FROM: +25 % tokens for every model that ran both weeks.
    const tokens = report.changes.find((c) => c.model === 'meta-llama/Llama-3.1-70B-Instruct' && c.figure === 'generationTokens')!;
    expect(tokens.changePct).toBeGreaterThan(15);
    expect(report.changes.find((c) => c.model === 'Qwen/Qwen3-8B')!.note).toBe('new in this period');
  });

  it('filters by --cluster', async () => {
    const same = await generateReport(openSource({ url: prom.url }), { from: FROM, to: END, selectors: { ...SELECTORS, cluster: 'bench' }, previous: false });
    expect(same.totals.energyJoules).toBe(report.totals.energyJoules);
    expect(same.cluster).toBe('bench');
    await expect(generateReport(openSource({ url: prom.url }), { from: FROM, to: END, selectors: { ...SELECTORS, cluster: 'other' } })).rejects.toThrow(/no tokenwatt series .*cluster="other"/);
  });

  it('exits 1 with a clear message for a period with no tokenwatt series', async () => {
    const err: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
    const code = await main(['report', '--prometheus', prom.url, '--from', String(END - 60 * DAY), '--to', String(END - 50 * DAY)]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/no tokenwatt series between .* is the exporter scraped by this server/);
  });

  it('reads over https: succeeds with --ca-file naming the signing CA or with --insecure-skip-verify, exits 1 naming the option otherwise', async () => {
    const certs = await makeCerts(dir);
    const proxy = await tlsProxy(certs, prom.url);
    try {
      const run = async (...flags: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
        vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
        const code = await main(['report', '--prometheus', proxy.url, '--from', String(FROM), '--to', String(END), '--format', 'json', '--no-compare', ...flags]);
        vi.restoreAllMocks();
        return { code, json: code === 0 ? (JSON.parse(out.join('')) as Report) : null, err: err.join('\n') };
      };
      const good = await run('--ca-file', certs.ca);
      expect(good.err).not.toMatch(/TLS/);
      expect(good.code).toBe(0);
      expect(good.json!.totals.energyJoules).toBeCloseTo(report.totals.energyJoules, 3);
      const before = proxy.requests();
      expect(before).toBeGreaterThan(10);
      const wrong = await run('--ca-file', certs.otherCa);
      expect(wrong.code).toBe(1);
      expect(wrong.err).toMatch(new RegExp(`TLS to ${proxy.url} failed \\(\\w+\\): --ca-file ${certs.otherCa.replaceAll('.', '\\.')} does not verify the server's certificate.*--insecure-skip-verify`));
      const none = await run();
      expect(none.code).toBe(1);
      expect(none.err).toMatch(/TLS to .* failed \(\w+\): pass --ca-file .* or --insecure-skip-verify/);
      // Neither reached Prometheus: the handshake failed before any request.
      expect(proxy.requests()).toBe(before);
      const skip = await run('--insecure-skip-verify');
      expect(skip.code).toBe(0);
      expect(skip.json!.totals.energyJoules).toBeCloseTo(report.totals.energyJoules, 3);
    } finally {
      await proxy.close();
    }
  });

  it('renders an HTML page that draws every chart with data in headless Chromium, offline', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install it with 'apt-get install -y chromium' (scripts/debian-deps.sh does)`);
    const file = join(dir, 'report.html');
    const html = toHtml(report);
    await writeFile(file, html);
    expect(html).not.toMatch(/<script|<link |@import|url\(http/);
    const profile = await mkdtemp(join(tmpdir(), 'tokenwatt-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1000, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      await page.goto(`file://${file}`);
      const charts = await page.$$eval('figure[data-chart]', (figs) => figs.map((f) => {
        const svg = [...f.querySelectorAll('svg')].find((s) => (s.parentElement as unknown as { offsetParent: unknown }).offsetParent !== null);
        const paths = svg ? [...svg.querySelectorAll('path')].filter((p) => (p.getAttribute('d') ?? '').length > 10) : [];
        const box = svg?.getBoundingClientRect();
        return { id: f.getAttribute('data-chart'), visible: !!svg, paths: paths.length, width: box?.width ?? 0, height: box?.height ?? 0 };
      }));
      expect(charts.map((c) => c.id).sort()).toEqual(['changes', 'cost-over-time', 'cost-split', 'energy-over-time', 'gpu-energy', 'tokens-per-joule']);
      for (const c of charts) {
        expect(c.visible, `${c.id} visible`).toBe(true);
        expect(c.width, `${c.id} width`).toBeGreaterThan(300);
        // Axes and legend alone give a handful of paths; data (bars, lines) many more.
        expect(c.paths, `${c.id} drew its data`).toBeGreaterThan(20);
      }
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      // Dark: the other set of SVGs shows.
      await page.emulateMedia({ colorScheme: 'dark' });
      const darkShown = await page.$$eval('.chart-dark', (els) => els.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null).length);
      expect(darkShown).toBe(charts.length);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 1000, height: 1700 });
      const shot = await page.screenshot({ fullPage: false });
      expect(shot.length).toBeGreaterThan(10_000);
      const target = process.env.TOKENWATT_REPORT_SCREENSHOT;
      if (target) await writeFile(target, shot);
      // Printing (to PDF) works and keeps the light charts.
      await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      const lightInPrint = await page.$$eval('.chart-light', (els) => els.filter((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { display: string } }).getComputedStyle(e).display !== 'none').length);
      expect(lightInPrint).toBe(charts.length);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
