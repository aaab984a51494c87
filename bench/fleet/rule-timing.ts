// How the fleet bench times rule evaluation (issue 11: ≤ 750 ms per 15 s cycle at 32 hosts).
//
// Prometheus cannot evaluate its rule files over backfilled data (the rule manager evaluates at
// "now", and the data ended hours ago), so each rule's expression runs as an instant query at the
// time being measured, and what is counted is the time Prometheus's query engine spent on it, read
// from Prometheus's own `prometheus_engine_query_duration_seconds_sum` (slices prepare_time:
// selecting the series; inner_eval: reading and computing; result_sort) before and after the
// query (median of three runs after one untimed run). That is the work the rule manager does for the rule (it runs the same engine on the same
// expression); what it leaves out is what the rule manager does not pay: the HTTP round trip,
// JSON encoding of the result and the engine's queue. The old figure, the HTTP round trip of each
// query summed, is kept beside it (`httpSeconds`) with a baseline of that overhead per query
// (`vector(1)`, `httpBaselineSecondsPerQuery`), so the change of method is visible.
//
// Per cycle: issue 11's budget is per 15 s cycle (the scrape interval). A group evaluated every
// `interval` seconds costs 15/interval of one evaluation per 15 s: the generated evaluation interval
// is 30 s (half), tokenwatt-serving-latency-panels runs every 2 × that (60 s: a quarter),
// tokenwatt-serving-latency-detail and tokenwatt-serving-vllm-detail every 4 × (120 s: an eighth). The sum of
// one evaluation of every group (`engineSeconds`, as if each ran every 15 s) is kept beside it.
import { readdir, readFile } from 'node:fs/promises';
import type { ruleGroups } from './fill.ts';
import { timeQuery } from './queries.ts';

type Cpu = () => Promise<number>;
type RuleGroup = Awaited<ReturnType<typeof ruleGroups>>[number];

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The cycle issue 11's budget is stated for: the 15 s scrape interval. */
export const CYCLE_S = 15;

/** Prometheus engine seconds so far (prepare_time + inner_eval + result_sort), from its /metrics. */
export async function engineSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  let seen = 0;
  for (const m of text.matchAll(/^prometheus_engine_query_duration_seconds_sum\{slice="(\w+)"\} (\S+)$/gm)) {
    if (m[1] === 'queue_time') continue;
    total += Number(m[2]);
    seen++;
  }
  if (seen === 0) throw new Error(`bench: ${url}/metrics has no prometheus_engine_query_duration_seconds_sum: cannot time rules by engine time`);
  return total;
}

/**
 * CPU seconds a process has run so far, all its threads, in nanoseconds from /proc/<pid>/task/<tid>/schedstat
 * (Linux): on a shared machine the CPU a query costs is steadier than its wall time, and finer than
 * /proc/<pid>/stat's 10 ms ticks.
 */
export async function schedCpuSeconds(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try { ns += Number((await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')).split(' ')[0]); } catch { /* thread gone */ }
  }
  return ns / 1e9;
}

/** A Prometheus duration of whole seconds, minutes or hours (`15s`, `1m`) in seconds. */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(d);
  if (!m) throw new Error(`bench: rule group interval '${d}' is not whole seconds, minutes or hours`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}

export interface GroupTiming {
  rules: number;
  intervalSeconds: number;
  /** Engine seconds of one evaluation of the group. */
  engineSeconds: number;
  /** engineSeconds × 15 s / interval: the group's cost per 15 s cycle. */
  perCycleSeconds: number;
  /** The old method: HTTP round trips of the group's expressions, summed. */
  httpSeconds: number;
  /** Prometheus's CPU seconds (all threads) while the expressions ran, less `cpuBaseline` per expression. */
  cpuSeconds: number;
  /** cpuSeconds × 15 s / interval. */
  perCycleCpuSeconds: number;
  slowest: { rule: string; engineSeconds: number }[];
  errors: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One timed run of an expression: the engine seconds Prometheus spent on it, the HTTP round trip, Prometheus's CPU. */
interface Run { engine: number; http: number; cpu: number }

async function timedRun(url: string, expr: string, at: number, cpu: Cpu): Promise<Run> {
  const before = await engineSeconds(url);
  const t = await timeQuery(url, expr, { time: at }, cpu);
  return { engine: (await engineSeconds(url)) - before, http: t.seconds, cpu: t.cpuSeconds };
}

/**
 * Every group's expressions at `at`: each once untimed (caches warm), then `reps` times timed, engine
 * time from /metrics around each run; a rule's figure is its median run (one slow run on a shared
 * machine does not count). `evaluationS`: the global evaluation interval (groups without their own).
 */
export async function timeRuleGroups(url: string, cpu: Cpu, groups: RuleGroup[], at: number, evaluationS: number, cpuBaseline = 0, reps = 3): Promise<Record<string, GroupTiming>> {
  const out: Record<string, GroupTiming> = {};
  for (const g of groups) {
    const intervalSeconds = g.interval ? durationSeconds(g.interval) : evaluationS;
    let http = 0;
    let c = 0;
    let engine = 0;
    const errors: string[] = [];
    const per: { rule: string; engineSeconds: number }[] = [];
    for (const r of g.rules) {
      const first = await timeQuery(url, r.expr, { time: at }, cpu);
      if (first.error) errors.push(`${r.record ?? r.alert}: ${first.error}`);
      const runs: Run[] = [];
      for (let i = 0; i < reps; i++) runs.push(await timedRun(url, r.expr, at, cpu));
      const e = median(runs.map((x) => x.engine));
      engine += e;
      http += median(runs.map((x) => x.http));
      c += Math.max(0, median(runs.map((x) => x.cpu)) - cpuBaseline);
      per.push({ rule: r.record ?? r.alert ?? '?', engineSeconds: r4(e) });
    }
    out[g.name] = {
      rules: g.rules.length, intervalSeconds, engineSeconds: r4(engine), perCycleSeconds: r4((engine * CYCLE_S) / intervalSeconds),
      httpSeconds: r4(http), cpuSeconds: r4(c), perCycleCpuSeconds: r4((c * CYCLE_S) / intervalSeconds), slowest: per.sort((a, b) => b.engineSeconds - a.engineSeconds).slice(0, 3), errors,
    };
  }
  return out;
}

/** The HTTP round trip and Prometheus CPU of a query that costs the engine nothing (`vector(1)`), medians of `n`. */
export async function httpBaseline(url: string, cpu: Cpu, at: number, n = 50): Promise<{ seconds: number; cpuSeconds: number }> {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await timeQuery(url, 'vector(1)', { time: at }, cpu));
  return { seconds: r4(median(runs.map((r) => r.seconds))), cpuSeconds: Number(median(runs.map((r) => r.cpuSeconds)).toFixed(6)) };
}

export interface AgeGrowth {
  reps: number;
  /** Per age: Prometheus CPU (less `cpuBaseline` per expression) and engine seconds of one evaluation of the group, each rule's median summed. */
  old: { cpuSeconds: number; engineSeconds: number };
  young: { cpuSeconds: number; engineSeconds: number };
  /** old / young, on CPU seconds. */
  growth: number;
}

/**
 * Whether a group's cost grows with the data it reads: each rule at `old` and at `young`, alternately,
 * `reps` times (after one untimed run of each), medians per rule and age summed per group. Alternating
 * keeps a slow moment of a shared machine from landing on one age only: timed one age after the other
 * with three runs each, an SLO group (a few milliseconds) measured 0.67x and 1.53x in two runs of the
 * same build and data.
 */
export async function timeAgeGrowth(url: string, cpu: Cpu, groups: RuleGroup[], old: number, young: number, cpuBaseline = 0, reps = 21): Promise<Record<string, AgeGrowth>> {
  const out: Record<string, AgeGrowth> = {};
  for (const g of groups) {
    const sum = { old: { cpu: 0, engine: 0 }, young: { cpu: 0, engine: 0 } };
    for (const r of g.rules) {
      const runs: { old: Run[]; young: Run[] } = { old: [], young: [] };
      for (const at of [old, young]) await timeQuery(url, r.expr, { time: at }, cpu);
      for (let i = 0; i < reps; i++) {
        runs.old.push(await timedRun(url, r.expr, old, cpu));
        runs.young.push(await timedRun(url, r.expr, young, cpu));
      }
      for (const age of ['old', 'young'] as const) {
        sum[age].cpu += Math.max(0, median(runs[age].map((x) => x.cpu)) - cpuBaseline);
        sum[age].engine += median(runs[age].map((x) => x.engine));
      }
    }
    out[g.name] = {
      reps,
      old: { cpuSeconds: r4(sum.old.cpu), engineSeconds: r4(sum.old.engine) },
      young: { cpuSeconds: r4(sum.young.cpu), engineSeconds: r4(sum.young.engine) },
      growth: Math.round((sum.old.cpu / Math.max(1e-6, sum.young.cpu)) * 1000) / 1000,
    };
  }
  return out;
}
