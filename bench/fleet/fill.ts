// Fills a real Prometheus 2.42 with a simulated fleet's data without waiting for it: the fleet is
// simulated in its own time (src/simulate/workload.ts), every scrape target is rendered each scrape
// interval, relabelled as the generated prometheus.yml would (bench/fleet/relabel.ts: target labels,
// relabel_configs, metric_relabel_configs, honor_labels, `up`), written as OpenMetrics with
// timestamps and backfilled with `promtool tsdb create-blocks-from openmetrics`. The tokenwatt
// exporter runs for real, one per host as designed (src/exporter/exporter.ts, its collectors reading
// the simulated endpoints over loopback HTTP), each cycle driven at the simulated time.
//
// Recording rules: backfilled raw data gets no rule evaluations, so the recorded series are made with
// `promtool tsdb create-blocks-from rules` against a Prometheus serving the raw blocks. promtool
// cannot see series it is writing itself, so a rule that reads another recorded series (an SLO
// cascade) goes in a later pass: rules are layered by dependency, and Prometheus is restarted on the
// new blocks between layers. Alerting rules are not backfilled (no ALERTS series in the past).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { build } from '../../src/build/index.ts';
import { defaultConfig } from '../../src/config/mixin.ts';
import type { MixinConfig } from '../../src/config/mixin.ts';
import { parseExporterConfig } from '../../src/exporter/config.ts';
import { Exporter } from '../../src/exporter/exporter.ts';
import { scheduleCollectors } from '../../src/exporter/setup.ts';
import { DcgmEndpoint } from '../../src/simulate/dcgm.ts';
import type { Fleet } from '../../src/simulate/fleet.ts';
import { KeplerEndpoint } from '../../src/simulate/kepler.ts';
import { vllmExposition } from '../../src/simulate/vllm.ts';
import { FleetSim } from '../../src/simulate/workload.ts';
import { compile, formatSeries, parseSeries, relabel } from './relabel.ts';
import type { Labels, RelabelConfig } from './relabel.ts';

export const CLUSTER = 'bench';
export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

const PORTS = { vllm: 8000, dcgm: 9400, kepler: 28282, tokenwatt: 9464 };

/** The mixin config for a bench fleet: static targets per host, labelled with it, as an operator lists them. */
export function benchConfig(fleet: Fleet): MixinConfig {
  const byHost = (port: (h: string) => string[]) => fleet.hosts.map((h) => ({ targets: port(h.name), labels: { host: h.name } }));
  const local = (host: string) => fleet.servers.filter((s) => s.host === host);
  return {
    ...defaultConfig,
    prometheus: {
      ...defaultConfig.prometheus,
      cluster: CLUSTER,
      staticTargets: {
        vllm: byHost((h) => local(h).map((_s, i) => `${h}:${PORTS.vllm + i}`)),
        'dcgm-exporter': byHost((h) => [`${h}:${PORTS.dcgm}`]),
        kepler: byHost((h) => [`${h}:${PORTS.kepler}`]),
        tokenwatt: byHost((h) => [`${h}:${PORTS.tokenwatt}`]),
      },
    },
  };
}

interface ScrapeTarget {
  job: string;
  address: string;
  host: string;
  labels: Labels;
  honorLabels: boolean;
  metricRelabel: ReturnType<typeof compile>;
  /** Exposition line's series part → output series (undefined: dropped by metric_relabel_configs). */
  cache: Map<string, string | undefined>;
}

interface PromJob { job_name: string; metrics_path?: string; honor_labels?: boolean; relabel_configs?: RelabelConfig[]; metric_relabel_configs?: RelabelConfig[]; file_sd_configs?: { files: string[] }[] }

/** Every target of the built prometheus.yml with its final target labels, as Prometheus computes them. */
async function scrapeTargets(dist: string): Promise<ScrapeTarget[]> {
  const yml = parseYaml(await readFile(join(dist, 'prometheus', 'prometheus.yml'), 'utf8')) as { global: { scrape_interval: string }; scrape_configs: PromJob[] };
  const out: ScrapeTarget[] = [];
  for (const job of yml.scrape_configs) {
    const rel = compile(job.relabel_configs);
    const metricRelabel = compile(job.metric_relabel_configs);
    for (const sd of job.file_sd_configs ?? []) {
      for (const file of sd.files) {
        const groups = (parseYaml(await readFile(join(dist, 'prometheus', file), 'utf8')) ?? []) as { targets: string[]; labels?: Record<string, string> }[];
        for (const g of groups) {
          for (const address of g.targets) {
            const l: Labels = new Map([['__address__', address], ['__scheme__', 'http'], ['__metrics_path__', job.metrics_path ?? '/metrics'], ['job', job.job_name], ...Object.entries(g.labels ?? {})]);
            const r = relabel(l, rel);
            if (!r) continue;
            if (!r.has('instance')) r.set('instance', r.get('__address__')!);
            for (const k of [...r.keys()]) if (k.startsWith('__') || r.get(k) === '') r.delete(k);
            out.push({ job: job.job_name, address, host: g.labels?.host ?? address.split(':')[0]!, labels: r, honorLabels: job.honor_labels ?? false, metricRelabel, cache: new Map() });
          }
        }
      }
    }
  }
  return out;
}

/** One exposition's samples as OpenMetrics lines at `ts` (seconds), labelled as scraped by `t`. */
function appendScrape(t: ScrapeTarget, text: string, ts: string, out: string[]): number {
  let n = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end > start && text.charCodeAt(start) !== 35 /* # */) {
      const line = text.slice(start, end);
      const sp = line.lastIndexOf(' ');
      const key = line.slice(0, sp);
      let series = t.cache.get(key);
      if (series === undefined && !t.cache.has(key)) {
        series = seriesFor(t, key);
        t.cache.set(key, series);
      }
      if (series !== undefined) {
        out.push(`${series} ${line.slice(sp + 1)} ${ts}`);
        n++;
      }
    }
    start = end + 1;
  }
  out.push(`up${t.cache.get('\u0000up') ?? upSeries(t)} 1 ${ts}`);
  return n + 1;
}

function upSeries(t: ScrapeTarget): string {
  const s = formatSeries(new Map([['__name__', 'up'], ...t.labels])).slice(2);
  t.cache.set('\u0000up', s);
  return s;
}

function seriesFor(t: ScrapeTarget, key: string): string | undefined {
  const l = parseSeries(key);
  for (const [k, v] of t.labels) {
    const scraped = l.get(k);
    if (t.honorLabels) {
      if (scraped === undefined || scraped === '') l.set(k, v);
    } else {
      if (scraped !== undefined && scraped !== '') l.set(`exported_${k}`, scraped);
      l.set(k, v);
    }
  }
  const r = relabel(l, t.metricRelabel);
  if (!r) return undefined;
  for (const k of [...r.keys()]) if (r.get(k) === '') r.delete(k);
  return formatSeries(r);
}

/** The simulated endpoints on one loopback server (for the exporters), by path. */
async function serve(bodies: Map<string, string>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    if (body === undefined) { res.statusCode = 404; res.end(); return; }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

export interface Filled {
  dist: string;
  data: string;
  startS: number;
  endS: number;
  scrapeIntervalS: number;
  series: number;
  samples: number;
  openMetricsBytes: number;
  seconds: { simulateAndWrite: number; promtoolRaw: number; promtoolRules: number };
  ruleLayers: number;
  /** The raw blocks came from an earlier fill (TOKENWATT_FLEET_DATA). */
  reusedRaw: boolean;
}

/**
 * Simulate `minutes` of the fleet, backfill it and its recording rules into `work/data`.
 * With `reuse`, the raw blocks of an earlier fill of the same fleet and scrape config
 * (`work/raw` + `work/raw.json`) are kept and only the recording rules are backfilled again, from
 * the current build: re-timing changed dashboards or rules takes a minute instead of a refill.
 */
export async function fill(fleet: Fleet, work: string, minutes: number, log: (m: string) => void, reuse = false): Promise<Filled> {
  if (!reuse) await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const config = benchConfig(fleet);
  const dist = join(work, 'dist');
  await rm(dist, { recursive: true, force: true });
  await build(dist, config);
  const scrapeS = Number(/^(\d+)s$/.exec(config.prometheus.scrapeInterval)?.[1]);
  if (!Number.isFinite(scrapeS)) throw new Error(`bench: scrape interval ${config.prometheus.scrapeInterval} is not whole seconds`);
  const rawDir = join(work, 'raw');
  const rawMeta = join(work, 'raw.json');
  const scrapeHash = await scrapeConfigHash(dist);
  let raw: RawFill | undefined;
  if (reuse) {
    try {
      const kept = JSON.parse(await readFile(rawMeta, 'utf8')) as RawFill;
      if (kept.minutes === minutes && kept.scrapeConfigHash === scrapeHash) raw = { ...kept, reused: true };
      else log(`fleet: ${work}: kept raw data is for another fill (minutes or prometheus.yml changed); filling again`);
    } catch { /* nothing kept yet */ }
  }
  if (raw) log(`fleet: reusing the raw blocks in ${rawDir} (${raw.series} series); backfilling recording rules only`);
  else {
    await rm(rawDir, { recursive: true, force: true });
    raw = await fillRaw(fleet, work, dist, minutes, scrapeS, rawDir, log);
    raw.scrapeConfigHash = scrapeHash;
    await writeFile(rawMeta, `${JSON.stringify(raw, null, 2)}\n`);
  }
  const { startS, endS } = raw;
  const data = join(work, 'data');
  await rm(data, { recursive: true, force: true });
  await cp(rawDir, data, { recursive: true });

  const t1 = performance.now();
  const layers = await ruleLayers(dist);
  for (const [i, layer] of layers.entries()) {
    const file = join(work, `rules-layer-${i}.yaml`);
    await writeFile(file, stringify({ groups: layer }));
    const prom = await startPrometheus(work, data);
    try {
      const out = join(work, `rules-out-${i}`);
      await rm(out, { recursive: true, force: true });
      await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'rules', '--quiet', `--start=${startS}`, `--end=${endS}`, `--url=${prom.url}`, `--output-dir=${out}`, `--eval-interval=${config.prometheus.evaluationInterval}`, file]);
      for (const b of await readdir(out)) await rename(join(out, b), join(data, b));
    } finally {
      await prom.stop();
    }
  }
  const promtoolRules = (performance.now() - t1) / 1000;
  return {
    dist, data, startS, endS, scrapeIntervalS: scrapeS, series: raw.series, samples: raw.samples, openMetricsBytes: raw.openMetricsBytes,
    seconds: { ...raw.seconds, promtoolRules: round(promtoolRules) },
    ruleLayers: layers.length, reusedRaw: raw.reused === true,
  };
}

interface RawFill {
  minutes: number; startS: number; endS: number; series: number; samples: number; openMetricsBytes: number;
  seconds: { simulateAndWrite: number; promtoolRaw: number }; scrapeConfigHash?: string; reused?: boolean;
}

/**
 * What the raw data depends on in the build: the scrape jobs and their targets files. Not the list
 * of rule files in prometheus.yml: the recorded series are backfilled again on every run, so a rule
 * group added or renamed must not throw away the raw blocks (minutes of simulation at 32 hosts).
 */
async function scrapeConfigHash(dist: string): Promise<string> {
  const h = createHash('sha256');
  const dir = join(dist, 'prometheus');
  for (const f of (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.yml') || f.endsWith('.json')).filter((f) => !f.startsWith('rules')).sort()) {
    h.update(f);
    const text = await readFile(join(dir, f), 'utf8');
    if (f === 'prometheus.yml') {
      const { rule_files: _, ...scrape } = parseYaml(text) as Record<string, unknown>;
      h.update(JSON.stringify(scrape));
    } else h.update(text);
  }
  return h.digest('hex').slice(0, 16);
}

/** Simulate and backfill the raw scrapes into `rawDir`. */
async function fillRaw(fleet: Fleet, work: string, dist: string, minutes: number, scrapeS: number, rawDir: string, log: (m: string) => void): Promise<RawFill> {
  const targets = await scrapeTargets(dist);

  // All data inside one 2 h TSDB block range that ended recently (within retention, one promtool pass).
  const blockS = 7200;
  const startS = Math.floor(Date.now() / 1000 / blockS) * blockS - blockS + 600;
  const endS = startS + minutes * 60;
  const sim = new FleetSim(fleet, startS);

  // Each scrape target's renderer, by job and address.
  const render = new Map<string, () => string>();
  const local = new Map<string, number>();
  fleet.servers.forEach((s, i) => {
    const k = local.get(s.host) ?? 0;
    local.set(s.host, k + 1);
    render.set(`vllm/${s.host}:${PORTS.vllm + k}`, () => vllmExposition(sim.engines[i]!));
  });
  for (const h of sim.hosts) {
    const dcgm = new DcgmEndpoint(sim, h, fleet.driverVersion);
    const kepler = new KeplerEndpoint(sim, h);
    render.set(`dcgm-exporter/${h.host.name}:${PORTS.dcgm}`, () => dcgm.render());
    render.set(`kepler/${h.host.name}:${PORTS.kepler}`, () => kepler.render());
  }

  // One exporter per host, reading that host's endpoints through loopback HTTP at the simulated time.
  const bodies = new Map<string, string>();
  const { server, base } = await serve(bodies);
  const exporters = new Map<string, Exporter>();
  const quiet = (level: string, msg: string, fields?: Record<string, unknown>) => { if (level === 'error') log(`exporter: ${msg} ${JSON.stringify(fields ?? {})}`); };
  for (const h of fleet.hosts) {
    const mine = targets.filter((t) => t.host === h.name && t.job !== 'tokenwatt' && render.has(`${t.job}/${t.address}`));
    const kind = (job: string) => (job === 'dcgm-exporter' ? 'dcgm' : job);
    const servers = fleet.servers.filter((s) => s.host === h.name);
    const cfg = parseExporterConfig({
      listen: '127.0.0.1:0', host: h.name, interval: `${scrapeS}s`, logLevel: 'error', nvml: 'off',
      targets: mine.map((t) => ({ kind: kind(t.job), url: `${base}/${t.job}/${t.address}/metrics`, name: `${t.job}:${t.address}` })),
      placement: servers.map((s, i) => ({
        url: `${base}/vllm/${h.name}:${PORTS.vllm + i}/metrics`, host: h.name,
        gpu: s.gpus.length > 1 ? s.gpus.map(String) : String(s.gpus[0]), ...(s.gpuInstanceId !== undefined && { gpuInstanceId: String(s.gpuInstanceId) }),
      })),
    });
    exporters.set(h.name, new Exporter(scheduleCollectors(cfg, quiet, undefined), cfg.energy, cfg.intervalMs, quiet));
  }

  const om = join(work, 'fleet.om');
  const stream = createWriteStream(om);
  let failed: Error | undefined;
  stream.on('error', (err) => { failed = err; });
  const write = (s: string) => new Promise<void>((resolve, reject) => {
    if (failed) reject(failed);
    else if (stream.write(s)) resolve();
    else stream.once('drain', resolve);
  });
  let samples = 0;
  let bytes = 0;
  const t0 = performance.now();
  const steps = Math.round((endS - startS) / scrapeS);
  for (let k = 0; k <= steps; k++) {
    const t = k * scrapeS;
    sim.advanceTo(t);
    const ts = String(startS + t);
    bodies.clear();
    for (const [key, fn] of render) bodies.set(`/${key}/metrics`, fn());
    for (const [, e] of exporters) await e.runCycle((startS + t) * 1000);
    const out: string[] = [];
    for (const target of targets) {
      const body = target.job === 'tokenwatt' ? exporters.get(target.host)?.metrics.text : bodies.get(`/${target.job}/${target.address}/metrics`);
      if (body === undefined) throw new Error(`bench: no simulated endpoint for ${target.job} target ${target.address}`);
      samples += appendScrape(target, body, ts, out);
    }
    const chunk = `${out.join('\n')}\n`;
    bytes += chunk.length;
    await write(chunk);
    if (k % 20 === 0) log(`  simulated ${t}/${endS - startS} s, ${samples} samples`);
  }
  await write('# EOF\n');
  await new Promise<void>((r) => stream.end(r));
  server.closeAllConnections();
  server.close();
  const series = targets.reduce((a, t) => a + [...t.cache.values()].filter((v) => v !== undefined).length, 0);
  const simulated = (performance.now() - t0) / 1000;

  let t1 = performance.now();
  await run(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', om, rawDir]);
  const promtoolRaw = (performance.now() - t1) / 1000;
  await rm(om);
  return { minutes, startS, endS, series, samples, openMetricsBytes: bytes, seconds: { simulateAndWrite: round(simulated), promtoolRaw: round(promtoolRaw) } };
}

const round = (x: number) => Math.round(x * 10) / 10;

interface RuleGroup { name: string; interval?: string; limit?: number; rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[] }

export async function ruleGroups(dist: string): Promise<RuleGroup[]> {
  const dir = join(dist, 'prometheus', 'rules');
  const groups: RuleGroup[] = [];
  for (const f of (await readdir(dir)).sort()) groups.push(...(parseYaml(await readFile(join(dir, f), 'utf8')) as { groups: RuleGroup[] }).groups);
  return groups;
}

/** Recording rules in passes: a rule goes one pass after the latest rule whose series it reads. */
async function ruleLayers(dist: string): Promise<RuleGroup[][]> {
  const groups = await ruleGroups(dist);
  const recorded = new Set(groups.flatMap((g) => g.rules.map((r) => r.record).filter((r): r is string => r !== undefined)));
  const level = new Map<string, number>();
  const depsOf = (expr: string) => [...new Set(expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter((x) => recorded.has(x));
  const all = groups.flatMap((g) => g.rules.filter((r) => r.record !== undefined).map((r) => ({ g, r })));
  for (let pass = 0; pass <= all.length; pass++) {
    let changed = false;
    for (const { r } of all) {
      const l = Math.max(-1, ...depsOf(r.expr).map((d) => (d === r.record ? -1 : (level.get(d) ?? 0)))) + 1;
      if (level.get(r.record!) !== l) { level.set(r.record!, l); changed = true; }
    }
    if (!changed) break;
  }
  const layers: RuleGroup[][] = [];
  for (const { g, r } of all) {
    const l = level.get(r.record!)!;
    layers[l] ??= [];
    let lg = layers[l]!.find((x) => x.name === g.name);
    if (!lg) { lg = { name: g.name, ...(g.interval && { interval: g.interval }), rules: [] }; layers[l]!.push(lg); }
    lg.rules.push(r);
  }
  return layers.filter((l) => l !== undefined);
}

export interface BenchPrometheus { url: string; pid: number; stop(): Promise<void>; log(): string }

export async function startPrometheus(work: string, data: string): Promise<BenchPrometheus> {
  const cfg = join(work, 'prometheus-bench.yml');
  await writeFile(cfg, 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const proc = spawn(PROMETHEUS, [
    `--config.file=${cfg}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=30d', '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-20000); });
  proc.stderr.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-20000); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const stop = async () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); await exited; };
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) break;
    try { if ((await fetch(`${url}/-/ready`)).ok) return { url, pid: proc.pid!, stop, log: () => output }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}:\n${output}`);
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * Wait until Prometheus has merged the backfilled blocks (raw data and each rule layer overlap in
 * time): its compaction loop does it about a minute after start, and a merge running while queries
 * are timed would be timed with them. A live Prometheus holds compacted blocks too.
 */
export async function waitCompacted(url: string, timeoutS = 600): Promise<number> {
  const t0 = performance.now();
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
  while ((performance.now() - t0) / 1000 < timeoutS) {
    if ((await metric('prometheus_tsdb_blocks_loaded')) <= 1) return Math.round((performance.now() - t0) / 1000);
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`bench: Prometheus at ${url} did not compact its blocks within ${timeoutS} s`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (b: Buffer) => { out = (out + b.toString()).slice(-20000); });
    p.stderr.on('data', (b: Buffer) => { out = (out + b.toString()).slice(-20000); });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.slice(0, 3).join(' ')} exited ${code}:\n${out}`))));
  });
}
