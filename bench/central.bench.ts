// One central exporter over a fleet (issue 11 item 4): 32 simulated GPU nodes, each a dcgm-exporter
// (8 H100s × 7 MIG slices), 15 vLLM engines and Kepler: 544 targets, ~24 MB of upstream text a cycle.
// Run as the systemd unit runs it (the bundle, V8's old generation capped at 96 MB) for CENTRAL_BENCH_S
// seconds (default 600): it must stay alive with RSS ≤ 256 MB (limits.maxConcurrentScrapes bounds what
// is held at once; docs/exporter-memory.md). Before the bound it died out of memory after two cycles.
import { UNIT_NODE_FLAGS } from './unit-flags.ts';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procStat, simNode, sleep } from './node-sim.ts';

const HOSTS = Number(process.env.CENTRAL_BENCH_HOSTS ?? 32);
const DURATION_S = Number(process.env.CENTRAL_BENCH_S ?? 600);
const GOALS = { rssMb: 256, alive: true };

export default async function bench() {
  const nodes = Array.from({ length: HOSTS }, (_, h) => simNode(1000 + h, `/n${h}`, 15, 50));
  const routes = new Map<string, () => string>(nodes.flatMap((n) => n.routes));
  const upstream = http.createServer((req, res) => {
    const r = routes.get(req.url ?? '');
    if (!r) { res.statusCode = 404; res.end(); return; }
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(r());
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-central-'));
  const config = join(dir, 'tokenwatt.yaml');
  writeFileSync(config, [
    `listen: 127.0.0.1:${port}`, 'interval: 5s', 'nvml: off', 'logLevel: warn', 'targets:',
    ...nodes.flatMap((n) => n.targets(base)), 'placement:', ...nodes.flatMap((n) => n.placement(base)),
  ].join('\n') + '\n');
  const targets = nodes.reduce((a, n) => a + n.routes.length, 0);
  const upstreamBytesPerCycle = [...routes.values()].reduce((a, r) => a + Buffer.byteLength(r()), 0);

  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'ignore' });
  const args = [...UNIT_NODE_FLAGS, join(root, 'dist', 'bin', 'tokenwatt.mjs'), 'exporter', '--config', config];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000); });
  let exitCode: number | null | undefined;
  child.once('exit', (code, signal) => { exitCode = code ?? (signal === 'SIGTERM' ? 0 : -1); });
  const url = `http://127.0.0.1:${port}`;
  const rss: { s: number; mb: number }[] = [];
  let metricsErrors = 0;
  let scrapes = 0;
  let upTargets = 0;
  const t0 = performance.now();
  const c0 = { cpuS: 0 };
  try {
    for (let i = 0; ; i++) {
      if (exitCode !== undefined) throw new Error(`exporter exited (${exitCode}) before ready: ${stderr}`);
      const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
      if (status === 200) break;
      if (i > 600) throw new Error(`exporter not ready after 120 s: ${stderr}`);
      await sleep(200);
    }
    c0.cpuS = procStat(child.pid!).cpuS;
    const w0 = performance.now();
    while (performance.now() - w0 < DURATION_S * 1000 && exitCode === undefined) {
      await sleep(1000);
      if (exitCode !== undefined) break;
      let mb: number;
      try {
        mb = procStat(child.pid!).rssMb;
      } catch {
        break; // exited between the check and the read
      }
      rss.push({ s: (performance.now() - t0) / 1000, mb });
      if (rss.length % 15 === 0) {
        scrapes++;
        const ok = await fetch(`${url}/metrics`).then((r) => r.ok && r.text().then(() => true), () => false);
        if (!ok) metricsErrors++;
      }
    }
    await sleep(200);
    const alive = exitCode === undefined;
    let cpuPercent = NaN;
    if (alive) {
      cpuPercent = ((procStat(child.pid!).cpuS - c0.cpuS) / ((performance.now() - w0) / 1000)) * 100;
      const t = ((await fetch(`${url}/api/targets`).then((r) => r.json())) as { targets: { up: boolean }[] }).targets;
      upTargets = t.filter((x) => x.up).length;
    }
    child.kill('SIGTERM');
    const rssMaxMb = Math.max(...rss.map((r) => r.mb));
    const half = rss.filter((r) => r.s >= rss[rss.length - 1]!.s / 2);
    return {
      fleet: { hosts: HOSTS, targets, upstreamBytesPerCycle },
      entry: `node ${args.slice(0, UNIT_NODE_FLAGS.length + 1).map((a) => a.replace(`${root}/`, '')).join(' ')} exporter`,
      durationS: DURATION_S,
      alive,
      ...(!alive && { exitCode, diedAfterS: Number(((performance.now() - t0) / 1000).toFixed(1)), stderrTail: stderr.slice(-2000) }),
      targetsUp: upTargets,
      rssMb: { max: Number(rssMaxMb.toFixed(1)), last: Number(rss[rss.length - 1]!.mb.toFixed(1)), secondHalfSlopeMbPerMin: Number((slope(half) * 60).toFixed(2)) },
      collectionCpuPercent: Number(cpuPercent.toFixed(1)),
      metricsScrapes: scrapes, metricsErrors,
      goals: GOALS,
      met: { alive, rss: rssMaxMb <= GOALS.rssMb },
      note: 'exporter, upstreams and this bench share the machine (2 shared cores when measured): numbers are pessimistic.',
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  }
}

/** Least-squares slope of mb over s. */
export function slope(points: { s: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const ms = points.reduce((a, p) => a + p.s, 0) / n;
  const mm = points.reduce((a, p) => a + p.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) { num += (p.s - ms) * (p.mb - mm); den += (p.s - ms) ** 2; }
  return den === 0 ? 0 : num / den;
}
