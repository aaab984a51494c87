// Ad-hoc A/B (not committed): old (a084f8a) vs new dashboards and rule groups on one backfilled fleet.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { benchFleet } from './bench/fleet/spec.ts';
import { fill, startPrometheus } from './bench/fleet/fill.ts';
import { dashboardQueries, grafanaBuiltins, referenceQueries, timeQuery } from './bench/fleet/queries.ts';
import { readdir } from 'node:fs/promises';

const hosts = Number(process.env.H ?? 8);
const work = `/tmp/fd-ab-${hosts}`;
import { existsSync, readFileSync as rf } from 'node:fs';
const blockS = 7200;
const startS = Math.floor(Date.now() / 1000 / blockS) * blockS - blockS + 600;
const f = existsSync(join(work, 'data')) && process.env.REUSE ? { dist: join(work, 'dist'), data: join(work, 'data'), endS: startS + 1200, scrapeIntervalS: 15 } : await fill(benchFleet(hosts), work, 20, (m) => console.log(m));
const prom = await startPrometheus(work, f.data);
const cpu = async () => { const st = rf(`/proc/${prom.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(st[11]) + Number(st[12])) / 100; };
const b = grafanaBuiltins(900, 1, f.scrapeIntervalS);
const nw = await dashboardQueries(f.dist, b);
const old = await dashboardQueries('/tmp/fd-old-dist', b);
const ref = await referenceQueries('./bench/fleet/vllm-example-dashboard.json', b);
const at = (instant: boolean) => (instant ? { time: f.endS } : { start: f.endS - 900, end: f.endS, step: 1 });
let cpuTotal = 0;
async function total(qs: { expr: string; instant: boolean }[]) { let s = 0; cpuTotal = 0; for (const q of qs) { const t = await timeQuery(prom.url, q.expr, at(q.instant), cpu); s += t.seconds; cpuTotal += t.cpuSeconds; } return s; }
const res: Record<string, { new: number[]; old: number[]; ref: number[]; cnew: number[]; cold: number[]; cref: number[] }> = {};
for (let round = 0; round < 2; round++) {
  for (const d of nw) {
    const o = old.find((x) => x.uid === d.uid);
    const r = (res[d.uid] ??= { new: [], old: [], ref: [], cnew: [], cold: [], cref: [] });
    r.new.push(await total(d.queries)); r.cnew.push(cpuTotal);
    if (o) { r.old.push(await total(o.queries)); r.cold.push(cpuTotal); }
  }
  const rr = await total(ref.queries); const rc = cpuTotal;
  for (const r of Object.values(res)) { r.ref.push(rr); r.cref.push(rc); }
}
for (const [uid, r] of Object.entries(res)) {
  const m = (a: number[]) => a.length ? Math.min(...a) : NaN;
  console.log(`${uid.padEnd(34)} wall: new ${m(r.new).toFixed(3)} old ${m(r.old).toFixed(3)} vLLM ${m(r.ref).toFixed(3)} (new/vLLM ${(m(r.new) / m(r.ref)).toFixed(3)}); prometheus cpu: new ${m(r.cnew).toFixed(2)} old ${m(r.cold).toFixed(2)} vLLM ${m(r.cref).toFixed(2)} (new/vLLM ${(m(r.cnew) / m(r.cref)).toFixed(3)})`);
}
async function groups(dir: string) {
  const out: { name: string; rules: { expr: string }[] }[] = [];
  for (const file of (await readdir(dir)).sort()) out.push(...(parse(await readFile(join(dir, file), 'utf8')).groups));
  return out;
}
for (const [label, dir] of [['new', join(f.dist, 'prometheus/rules')], ['old', '/tmp/fd-old-dist/prometheus/rules']] as const) {
  let sum = 0;
  const rows: string[] = [];
  for (const g of await groups(dir)) {
    let best = Infinity;
    for (let i = 0; i < 2; i++) { let s = 0; for (const r of g.rules) s += (await timeQuery(prom.url, r.expr, { time: f.endS }, cpu)).seconds; best = Math.min(best, s); }
    sum += best; rows.push(`${g.name} ${best.toFixed(3)}`);
  }
  console.log(`rules ${label}: total ${sum.toFixed(3)} s: ${rows.join(', ')}`);
}
await prom.stop();
process.exit(0);
