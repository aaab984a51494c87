// The generated autoscaling policy, run closed-loop against a real Prometheus 2.42. A vLLM Deployment
// (simulated engines, src/simulate/autoscale.ts) warms at 2 req/s, ramps to 36 req/s, holds, then goes
// idle. In simulated time, faster than the wall clock:
//   - every scrape interval (15 s) each ready pod's /metrics is pushed into Prometheus with its
//     timestamp (remote-write receiver), and a removed pod's series get stale markers;
//   - every evaluation interval (30 s) the tokenwatt-autoscaling-vllm recording rules are evaluated
//     by that Prometheus at that time (/api/v1/query) and their results appended, as its rule manager does;
//   - every 15 s the four trigger queries of the generated objects (src/autoscaling/triggers.ts, the
//     text in the ScaledObject and the adapter rules) are evaluated by Prometheus, and the replicas are
//     computed as KEDA and the HPA do (src/autoscaling/replicas.ts), and applied (new pods serve after
//     a 60 s model load).
// Two Deployments run side by side in one Prometheus (namespaces keda and hpa), one per policy.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hpa, Keda } from '../src/autoscaling/replicas.ts';
import type { Behavior } from '../src/autoscaling/replicas.ts';
import { triggersFor } from '../src/autoscaling/triggers.ts';
import type { Trigger } from '../src/autoscaling/triggers.ts';
import { resolveBuildConfig } from '../src/config/build-config.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import { compileGroups } from '../src/rules/collect.ts';
import type { RecordingRule } from '../src/rules/types.ts';
import { DeploymentSim, h100Server, idleAt, loadAt, measureReplicaCapacity, profileEnd, surgeAt } from '../src/simulate/autoscale.ts';
import type { LoadProfile } from '../src/simulate/autoscale.ts';
import { startPrometheus } from './support/prometheus.ts';
import type { RunningPrometheus } from './support/prometheus.ts';
import { remoteWrite, STALE_NAN } from './support/remote-write.ts';
import type { Series } from './support/remote-write.ts';

const MODEL = 'sim/llama-3.1-8b';
const SCRAPE = 15;
const EVAL = 30;
const SYNC = 15;
const STARTUP = 60;
const PROFILE: LoadProfile = { warmSeconds: 120, rampSeconds: 120, holdSeconds: 900, idleSeconds: 900, baseRps: 2, peakRps: 36 };
/** Simulation step: 0.5 s instead of the live fleet's 0.1 s (5x less CPU; arrivals stay Poisson per step, prefill times exact). */
const DT = 0.5;

interface Point { t: number; rps: number; keda: number; kedaReady: number; hpa: number; hpaReady: number; values: Record<string, number> }

let prom: RunningPrometheus;
let dir = '';
let config: MixinConfig;
let capacity = 0;
const curve: Point[] = [];

/** Start of simulated time: an hour ago, so every pushed sample lies in the past. */
const baseS = Math.floor(Date.now() / 1000) - 3600;
const at = (t: number) => (baseS + t) * 1000;

async function queryAt(expr: string, t: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await prom.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`query?query=${encodeURIComponent(expr)}&time=${baseS + t}`);
  return r.result;
}

async function scalarAt(expr: string, t: number): Promise<number> {
  const r = await queryAt(expr, t);
  if (r.length !== 1) throw new Error(`${expr} at t=${t}: ${r.length} series (a trigger must return exactly one)`);
  return Number(r[0]!.value[1]);
}

function behaviorOf(c: MixinConfig): Behavior {
  const a = c.autoscaling;
  return {
    scaleUp: { stabilizationWindowSeconds: a.scaleUpStabilizationSeconds, pods: a.scaleUpPods, periodSeconds: a.scaleUpPeriodSeconds },
    scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds, pods: a.scaleDownPods, periodSeconds: a.scaleDownPeriodSeconds },
  };
}

beforeAll(async () => {
  // The capacity a team would measure: one saturated replica (40 req/s) of the same engine.
  capacity = Math.round(measureReplicaCapacity(h100Server(MODEL), 40));
  config = resolveBuildConfig({
    autoscaling: {
      deployments: ['keda', 'hpa'].map((ns) => ({ name: 'chat', namespace: ns, engine: 'vllm', model: MODEL, tokensPerSecondPerReplica: capacity })),
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-scale-'));
  const file = join(dir, 'prometheus.yml');
  await writeFile(file, 'global: {}\n');
  prom = await startPrometheus(file, ['--web.enable-remote-write-receiver']);

  const rules = compileGroups(config).find((g) => g.name === 'tokenwatt-autoscaling-vllm')!.rules as RecordingRule[];
  const [kedaDep, hpaDep] = config.autoscaling.deployments as [typeof config.autoscaling.deployments[0], typeof config.autoscaling.deployments[0]];
  const triggers: Record<'keda' | 'hpa', Trigger[]> = { keda: triggersFor(kedaDep, config), hpa: triggersFor(hpaDep, config) };
  const a = config.autoscaling;
  const keda = new Keda(a.minReplicas, a.maxReplicas, a.idleSecondsBeforeZero, behaviorOf(config), 0, a.initialCooldownSeconds);
  const hpa = new Hpa(a.hpaMinReplicas, a.maxReplicas, behaviorOf(config));
  const sims = { keda: new DeploymentSim('chat-keda', h100Server(MODEL), STARTUP, 11, 1), hpa: new DeploymentSim('chat-hpa', h100Server(MODEL), STARTUP, 11, 1) };
  const lastSeries = new Map<string, Record<string, string>[]>();
  const lastRecorded = new Map<string, Record<string, string>>();

  const end = profileEnd(PROFILE);
  let t = 0;
  while (t <= end + 1e-9) {
    const whole = Math.abs(t - Math.round(t)) < 1e-9 ? Math.round(t) : -1;
    if (whole >= 0 && whole % SCRAPE === 0) {
      const push: Series[] = [];
      for (const [ns, sim] of Object.entries(sims)) {
        for (const r of sim.removed) {
          for (const labels of lastSeries.get(r.name) ?? []) push.push({ labels, samples: [{ value: STALE_NAN, timestampMs: at(whole) }] });
          lastSeries.delete(r.name);
        }
        sim.removed = [];
        for (const { replica, text } of sim.scrape(whole)) {
          const target = { job: 'vllm', instance: `${replica.name}:8000`, namespace: ns, pod: replica.name, cluster: config.prometheus.cluster, host: `node-${replica.name}` };
          const seen: Record<string, string>[] = [];
          for (const fam of parseExposition(text, { format: 'text' })) {
            for (const s of fam.samples) {
              const labels = { ...s.labels, ...target, __name__: s.name };
              seen.push(labels);
              push.push({ labels, samples: [{ value: s.value, timestampMs: at(whole) }] });
            }
          }
          lastSeries.set(replica.name, seen);
        }
      }
      await remoteWrite(prom.url, push);
    }
    if (whole >= 0 && whole % EVAL === 0) {
      // The recording rules, evaluated by Prometheus at this instant; a series that left a rule's
      // output gets a stale marker, as the rule manager writes one.
      const push: Series[] = [];
      const now = new Set<string>();
      for (const rule of rules) {
        for (const s of await queryAt(rule.expr, whole)) {
          const labels = { ...s.metric, __name__: rule.record };
          const key = JSON.stringify(labels);
          now.add(key);
          lastRecorded.set(key, labels);
          push.push({ labels, samples: [{ value: Number(s.value[1]), timestampMs: at(whole) }] });
        }
      }
      for (const [key, labels] of lastRecorded) {
        if (!now.has(key)) { push.push({ labels, samples: [{ value: STALE_NAN, timestampMs: at(whole) }] }); lastRecorded.delete(key); }
      }
      await remoteWrite(prom.url, push);
    }
    if (whole >= 0 && whole % SYNC === 0) {
      const point: Point = { t: whole, rps: loadAt(PROFILE, whole), keda: 0, kedaReady: 0, hpa: 0, hpaReady: 0, values: {} };
      for (const which of ['keda', 'hpa'] as const) {
        const sim = sims[which];
        const readings = [];
        for (const tr of triggers[which]) {
          const value = await scalarAt(tr.query, whole);
          point.values[`${which}:${tr.name}`] = value;
          readings.push({ metricType: tr.metricType, value, target: tr.threshold, activationThreshold: tr.activationThreshold });
        }
        const ready = sim.ready(whole).length;
        const next = which === 'keda' ? keda.sync(whole, sim.count, ready, readings) : hpa.sync(whole, sim.count, ready, readings);
        sim.scaleTo(next, whole);
        if (which === 'keda') { point.keda = next; point.kedaReady = ready; } else { point.hpa = next; point.hpaReady = ready; }
      }
      curve.push(point);
    }
    const rps = loadAt(PROFILE, t);
    sims.keda.step(t, DT, rps);
    sims.hpa.step(t, DT, rps);
    t = Math.round((t + DT) * 1e6) / 1e6;
  }
  // The curves, every minute, for docs/autoscaling.md and the project notes.
  const v = (p: Point, k: string, d: number) => `${p.values[`keda:${k}`]!.toFixed(d)} / ${p.values[`hpa:${k}`]!.toFixed(d)}`;
  const rows = curve.filter((p) => p.t % 60 === 0).map((p) => [
    p.t, p.rps.toFixed(1), `${p.keda} (${p.kedaReady})`, `${p.hpa} (${p.hpaReady})`,
    v(p, 'waiting-requests', 0), v(p, 'token-headroom', 0), v(p, 'kv-cache-usage', 2), v(p, 'ttft-p95', 2),
  ].join(' | '));
  console.log(`capacity ${capacity} tokens/s per replica, token threshold ${triggers.keda.find((x) => x.name === 'token-headroom')!.threshold}\n| t (s) | load (req/s) | KEDA replicas (ready) | HPA replicas (ready) | waiting KEDA / HPA | tokens/s | KV usage | TTFT p95 (s) |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.map((r) => `| ${r} |`).join('\n')}`);
}, 600_000);

afterAll(async () => {
  await prom?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const during = (from: number, to: number) => curve.filter((p) => p.t >= from && p.t <= to);
const firstAt = (pred: (p: Point) => boolean, from = 0) => curve.find((p) => p.t >= from && pred(p))?.t;

describe('the generated policy against real Prometheus over a surge, a hold and an idle period', () => {
  it('every trigger query returned exactly one sample at every tick (no error, no NaN)', () => {
    expect(curve.length).toBeGreaterThan(100);
    for (const p of curve) for (const [k, v] of Object.entries(p.values)) expect(Number.isFinite(v), `${k} at ${p.t}`).toBe(true);
  });

  it('replicas rise within 3 minutes of the surge and reach the load\'s need', () => {
    // The load passes one replica's capacity (12.5 req/s) about 75 s into the ramp.
    const surge = surgeAt(PROFILE);
    expect(firstAt((p) => p.keda > 1, surge)! - surge).toBeLessThanOrEqual(180);
    expect(firstAt((p) => p.hpa > 1, surge)! - surge).toBeLessThanOrEqual(180);
    // Peak demand 36 req/s x 200 tokens ~ 7,200 tokens/s over a threshold of 0.8 x capacity: 4 replicas.
    const need = Math.ceil((PROFILE.peakRps * 200) / (capacity * config.autoscaling.targets.tokenUtilisation));
    const hold = during(idleAt(PROFILE) - 300, idleAt(PROFILE));
    for (const p of hold) {
      expect(p.keda, `t=${p.t}`).toBeGreaterThanOrEqual(need);
      expect(p.hpa, `t=${p.t}`).toBeGreaterThanOrEqual(need);
    }
  });

  it('holds without flapping: during the hold the count never rises again once it fell, stays at or above the need, and the queue drains', () => {
    const need = Math.ceil((PROFILE.peakRps * 200) / (capacity * config.autoscaling.targets.tokenUtilisation));
    const hold = during(surgeAt(PROFILE) + PROFILE.rampSeconds, idleAt(PROFILE));
    for (const which of ['keda', 'hpa'] as const) {
      const counts = hold.map((p) => p[which]);
      const fell = counts.findIndex((c, i) => i > 0 && c < counts[i - 1]!);
      if (fell > 0) for (let i = fell; i < counts.length; i++) expect(counts[i], `${which} rose again at t=${hold[i]!.t}`).toBeLessThanOrEqual(counts[i - 1]!);
      expect(Math.min(...hold.slice(-20).map((p) => p[which])), which).toBeGreaterThanOrEqual(need);
      expect(Math.max(...hold.slice(-10).map((p) => p.values[`${which}:waiting-requests`]!)), which).toBeLessThan(config.autoscaling.targets.waitingPerReplica * 2);
    }
  });

  it('KEDA reaches zero after the idle time (not before), the HPA reaches its minimum', () => {
    const idle = idleAt(PROFILE);
    const a = config.autoscaling;
    const zero = firstAt((p) => p.keda === 0, idle)!;
    // Tokens leave the 1m rate window within ~1 min (+ one rule interval), then cooldownPeriod.
    expect(zero - idle).toBeGreaterThanOrEqual(a.idleSecondsBeforeZero);
    expect(zero - idle).toBeLessThanOrEqual(a.idleSecondsBeforeZero + 60 + EVAL + SYNC);
    expect(during(zero, profileEnd(PROFILE)).every((p) => p.keda === 0)).toBe(true);
    const min = firstAt((p) => p.hpa === a.hpaMinReplicas, idle)!;
    const peak = Math.max(...during(idle - 60, idle).map((p) => p.hpa));
    // Scale-down window, then one pod per period.
    expect(min - idle).toBeLessThanOrEqual(60 + EVAL + a.scaleDownStabilizationSeconds + (peak - a.hpaMinReplicas) * a.scaleDownPeriodSeconds + SYNC);
    expect(during(min, profileEnd(PROFILE)).every((p) => p.hpa === a.hpaMinReplicas)).toBe(true);
  });
});
