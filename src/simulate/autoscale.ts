// A serving Deployment under an autoscaler, on the simulator's workload model: replicas of one vLLM
// engine (EngineSim) behind a Service that spreads arrivals evenly over the ready ones, pods that take
// `startupSeconds` to load the model before they serve (and are scraped), and a load profile that
// warms, ramps up, holds, then goes idle. The autoscaling scenario test drives it in simulated time
// against a real Prometheus (test/autoscaling-scenario.test.ts).
import type { FleetServer } from './fleet.ts';
import { GPU_MODELS } from './fleet.ts';
import { ENGINE_SPEEDUP, EngineSim, STEP_SECONDS } from './workload.ts';
import { vllmExposition } from './vllm.ts';

/** Requests per second over time: `base` while warm, a linear ramp to `peak`, a hold, then 0. */
export interface LoadProfile {
  warmSeconds: number;
  rampSeconds: number;
  holdSeconds: number;
  idleSeconds: number;
  baseRps: number;
  peakRps: number;
}

export const profileEnd = (p: LoadProfile): number => p.warmSeconds + p.rampSeconds + p.holdSeconds + p.idleSeconds;
/** When the load starts to rise, and when it drops to zero. */
export const surgeAt = (p: LoadProfile): number => p.warmSeconds;
export const idleAt = (p: LoadProfile): number => p.warmSeconds + p.rampSeconds + p.holdSeconds;

export function loadAt(p: LoadProfile, t: number): number {
  if (t < p.warmSeconds) return p.baseRps;
  if (t < p.warmSeconds + p.rampSeconds) return p.baseRps + ((p.peakRps - p.baseRps) * (t - p.warmSeconds)) / p.rampSeconds;
  if (t < idleAt(p)) return p.peakRps;
  return 0;
}

/** An 8B fp16 model on one H100, the shape the workload model is calibrated for (src/simulate/workload.ts). */
export function h100Server(model: string): FleetServer {
  return {
    model, engine: 'vllm', names: 'v1', parametersB: 8, quantization: 'fp16', host: 'node', gpus: [0],
    requestsPerSecond: 0, promptTokens: { mean: 400, max: 4096 }, outputTokens: { mean: 200, max: 1024 },
    maxNumSeqs: 256, maxModelLen: 4096, prefixHitRatio: 0.3,
  };
}

const H100 = GPU_MODELS['NVIDIA H100 80GB HBM3'];

function engineOn(server: FleetServer, index: number, seed: number): EngineSim {
  // As FleetSim does for a whole GPU: limit / 700 W x 7B / size x ENGINE_SPEEDUP.
  const scale = (H100.powerLimitWatts / 700) * (7 / server.parametersB) * ENGINE_SPEEDUP;
  return new EngineSim(index, server, scale, 1, H100.memoryMiB, seed);
}

/**
 * Generated tokens/s one replica sustains when saturated, measured by running one engine at `rps`
 * for `seconds` and counting the tokens of the second half: the capacity a team would measure with a
 * load test and put into `tokensPerSecondPerReplica`.
 */
export function measureReplicaCapacity(server: FleetServer, rps: number, seconds = 120, seed = 7): number {
  const e = engineOn(server, 0, seed);
  let t = 0;
  let before = 0;
  while (t < seconds) {
    e.step(t, STEP_SECONDS, rps, 1);
    t = Math.round((t + STEP_SECONDS) * 1e6) / 1e6;
    if (Math.abs(t - seconds / 2) < 1e-9) before = e.generationTokens;
  }
  return (e.generationTokens - before) / (seconds / 2);
}

export interface Replica {
  name: string;
  engine: EngineSim;
  readyAt: number;
}

export class DeploymentSim {
  replicas: Replica[] = [];
  /** Replicas removed since the last scrape: their series must go stale. */
  removed: Replica[] = [];
  private made = 0;

  constructor(readonly name: string, readonly server: FleetServer, readonly startupSeconds: number, readonly seed: number, initialReplicas: number) {
    for (let i = 0; i < initialReplicas; i++) this.add(-startupSeconds);
  }

  private add(t: number): void {
    const i = this.made++;
    const e = engineOn(this.server, i, this.seed * 1000 + i);
    e.startedAt = t + this.startupSeconds;
    this.replicas.push({ name: `${this.name}-${i}`, engine: e, readyAt: t + this.startupSeconds });
  }

  /** spec.replicas. */
  get count(): number { return this.replicas.length; }
  ready(t: number): Replica[] { return this.replicas.filter((r) => r.readyAt <= t + 1e-9); }

  /** Scale to n: new pods start loading; removed ones go newest first (what a ReplicaSet deletes first: the youngest). */
  scaleTo(n: number, t: number): void {
    while (this.replicas.length < n) this.add(t);
    while (this.replicas.length > n) this.removed.push(this.replicas.pop()!);
  }

  /** Advance one step; `rps` arrivals spread evenly over the ready replicas (none ready: none served). */
  step(t: number, dt: number, rps: number): void {
    const ready = this.ready(t);
    for (const r of ready) r.engine.step(t, dt, ready.length > 0 ? rps / ready.length : 0, 1);
  }

  /** What a scrape of every ready pod returns now. */
  scrape(t: number): { replica: Replica; text: string }[] {
    return this.ready(t).map((r) => ({ replica: r, text: vllmExposition(r.engine) }));
  }

  totals(t: number): { waiting: number; running: number; tokens: number } {
    const ready = this.ready(t);
    return {
      waiting: ready.reduce((a, r) => a + r.engine.waiting.length, 0),
      running: ready.reduce((a, r) => a + r.engine.running.length, 0),
      tokens: this.replicas.reduce((a, r) => a + r.engine.generationTokens, 0),
    };
  }
}
