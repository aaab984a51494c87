// The one workload model behind every simulated endpoint: request arrivals, prompt/output lengths,
// continuous batching, latency, throughput and power, advanced in fixed steps of simulated time.
//
// Calibration (test/fixtures/nvidia-h100/phases.json: Llama-2-7B shape, fp16, one H100 at 700 W):
// batch 1/8/32/64/128 gave 31.7/90.0/295/639/891 tokens/s at 182/154/178/223/256 W, idle 71.5 W
// without a CUDA context and about 120 W with one. Power above idle is made monotone in batch (the
// bs1 reading is pooled with bs8: a lone request runs the clocks higher, noise for this purpose).
// Each GPU scales both curves by its power limit / 700 W; a model by 7B / its size; a MIG instance
// of g compute slices by g/7 with its batch seen as batch × 7/g. The fixture ran HF transformers;
// vLLM (paged attention, CUDA graphs) makes about 3x the tokens at the same batch and power: ML.ENERGY's
// vLLM figures (domain notes §7: 0.211 J/token, 4.7 tokens/J, on an A100-40GB at batch 32) against
// 1.3 tokens/J for this curve scaled to that GPU, so throughput carries ENGINE_SPEEDUP = 3 (power does
// not). Check of the raw curve: at batch 16 it gives about 160 tokens/s at 165 W, ~0.97 tokens/J, against
// 0.825 tokens/J and 162 W measured over the HF serving-7b trace (mixed batches 1–48).
//
// Determinism: every draw comes from one seeded PRNG per engine, and time advances in steps of
// STEP_SECONDS whatever the wall clock does, so one seed gives one run.
import { parseMigProfile } from '../recognise/mig-profile.ts';
import { GPU_MODELS } from './fleet.ts';
import type { Fleet, FleetGpu, FleetHost, FleetServer } from './fleet.ts';

export const STEP_SECONDS = 0.1;

const REF_LIMIT_W = 700;
/** Board idle without a CUDA context, and what a loaded server's context adds, as fractions of the limit. */
export const IDLE_FRACTION = 71.5 / REF_LIMIT_W;
export const CONTEXT_FRACTION = (120 - 71.5) / REF_LIMIT_W;
/** [batch, tokens/s] and [batch, W above idle] measured on the H100 (see above). */
const TPS: readonly [number, number][] = [[0, 0], [1, 31.7], [8, 90.0], [32, 295.1], [64, 638.7], [128, 890.8]];
const DYN_W: readonly [number, number][] = [[0, 0], [1, 96.5], [8, 96.5], [32, 106.3], [64, 151.4], [128, 184.4]];
/** Prefill tokens/s of the reference (compute-bound: far above decode). */
const PREFILL_TPS = 8000;
/** vLLM against the HF transformers run the curves come from (see above). */
export const ENGINE_SPEEDUP = 3;

function interpolate(table: readonly [number, number][], x: number): number {
  const last = table[table.length - 1]!;
  // Past the table: slow growth (batching gains flatten out).
  if (x >= last[0]) return last[1] * (x / last[0]) ** 0.2;
  for (let i = 1; i < table.length; i++) {
    const [x1, y1] = table[i]!;
    const [x0, y0] = table[i - 1]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return last[1];
}

/** Reference decode throughput (tokens/s) and power above idle (fraction of the limit) at a batch. */
export const refTokensPerSecond = (batch: number): number => interpolate(TPS, batch);
export const refDynamicFraction = (batch: number): number => Math.min(1 - IDLE_FRACTION - CONTEXT_FRACTION, interpolate(DYN_W, batch) / REF_LIMIT_W);

/** mulberry32: small, fast, good enough for a simulation, and the same on every platform. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const l = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > l) { k++; p *= this.next(); }
    return k;
  }
  /** Log-normal with the given mean and log-space sigma. */
  lognormal(mean: number, sigma: number): number {
    return mean * Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }
}

/** A Prometheus histogram's state: per-bucket (non-cumulative) counts, sum and count. */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) { this.counts = new Array<number>(bounds.length + 1).fill(0); }
  observe(v: number, n = 1): void {
    if (n <= 0) return;
    let i = this.bounds.findIndex((b) => v <= b);
    if (i < 0) i = this.bounds.length;
    this.counts[i]! += n;
    this.sum += v * n;
    this.count += n;
  }
  /** Cumulative counts per bound, then +Inf. */
  cumulative(): number[] {
    let acc = 0;
    return this.counts.map((c) => (acc += c));
  }
}

// vLLM's bucket bounds (vllm/v1/metrics/loggers.py).
export const BUCKETS = {
  ttft: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0],
  itl: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0],
  request: [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0],
  /** CACHE_RESIDENCY (vllm/v1/metrics/buckets.py @ 3168f587): the kv_block_*_seconds histograms. */
  residency: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600],
  iteration: [1, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176, 184, 192, 200, 208, 216, 224, 232, 240, 248, 256, 512, 1024, 2048, 4096, 8192],
} as const;

/** vLLM's build_1_2_5_buckets: 1, 2, 5, 10, 20, 50 … up to max_model_len. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let e = 1; ; e *= 10) {
    for (const m of [1, 2, 5]) {
      if (m * e > max) return out;
      out.push(m * e);
    }
  }
}

export type FinishedReason = 'stop' | 'length' | 'abort' | 'error';
export const FINISHED_REASONS: readonly FinishedReason[] = ['stop', 'length', 'abort', 'error'];

interface Request {
  arrival: number;
  prompt: number;
  /** Tokens it will generate before it ends, and why it ends then. */
  target: number;
  reason: FinishedReason;
  scheduledAt?: number;
  firstTokenAt?: number;
  generated: number;
  /** Prompt tokens found in the prefix cache, and 1 when the whole prompt was (its last token is recomputed). */
  hits?: number;
  recomputed?: number;
  /** The LoRA adapter it names, if any (vLLM --enable-lora). */
  adapter?: string;
}

/** prometheus-fastapi-instrumentator's status groups of vLLM's API server (http_requests_total). */
export type HttpStatus = '2xx' | '4xx' | '5xx';
export const PROMPT_SOURCES = ['local_compute', 'local_cache_hit', 'external_kv_transfer'] as const;

/**
 * vLLM-only engine detail (src/simulate/vllm.ts prints it): speculative decoding, prompt tokens by
 * source, MFU estimates, HTTP statuses, LoRA adapters, KV block residency. Its random draws come from
 * a PRNG of its own, so adding it changed no other number of a seeded run.
 */
export class VllmDetail {
  readonly rng: Rng;
  specDrafts = 0;
  specDraftTokens = 0;
  specAccepted = 0;
  specAcceptedPerPos: number[];
  bySource: Record<(typeof PROMPT_SOURCES)[number], number> = { local_compute: 0, local_cache_hit: 0, external_kv_transfer: 0 };
  cached = 0;
  recomputed = 0;
  flops = 0;
  readBytes = 0;
  writeBytes = 0;
  http: Record<HttpStatus, number> = { '2xx': 0, '4xx': 0, '5xx': 0 };
  /** Every vllm:lora_requests_info label set seen (running, waiting adapters) and the Unix time it was last current. */
  lora = new Map<string, { running: string; waiting: string; at: number }>();
  readonly blockLifetime = new Histogram(BUCKETS.residency);
  readonly blockIdle = new Histogram(BUCKETS.residency);
  readonly blockReuseGap = new Histogram(BUCKETS.residency);
  constructor(seed: number, specTokens: number) {
    this.rng = new Rng(seed ^ 0x5bd1e995);
    this.specAcceptedPerPos = new Array<number>(specTokens).fill(0);
  }
}

/** What a fault does to an engine (faults.ts sets these). */
export interface EngineFaults {
  /** The server does not answer (its /metrics fails); on recovery it restarts with fresh counters. */
  down: boolean;
  /** Every request waits this long before its prefill (a stalled tokenizer or KV transfer): TTFT climbs, throughput does not change. */
  stallSeconds: number;
  /** Tokens per joule above idle is multiplied by this: the same tokens for 1/efficiency of the dynamic power (a lost optimisation such as CUDA graphs or a bad kernel). */
  efficiency: number;
}

/** One serving engine's counters, histograms and queues. */
export class EngineSim {
  readonly rng: Rng;
  startedAt = 0;
  /** Unix time of the simulation's t = 0 (FleetSim.epochS). */
  epochS = 0;
  promptTokens = 0;
  generationTokens = 0;
  finished: Record<FinishedReason, number> = { stop: 0, length: 0, abort: 0, error: 0 };
  preemptions = 0;
  prefixQueries = 0;
  prefixHits = 0;
  /** GPU-busy seconds in prefill (prompt compute) and in decode steps (SGLang's gpu_execution_seconds_total). */
  prefillBusySeconds = 0;
  decodeBusySeconds = 0;
  readonly h: {
    ttft: Histogram; itl: Histogram; tpot: Histogram; e2e: Histogram; queue: Histogram; inference: Histogram;
    prefill: Histogram; decode: Histogram; promptLen: Histogram; genLen: Histogram; iteration: Histogram;
  };
  waiting: Request[] = [];
  running: Request[] = [];
  /** KV-cache capacity in tokens and what is in use. */
  readonly kvCapacity: number;
  kvUsed = 0;
  private prefillBusyUntil = 0;
  private stepCarry = 0;
  faults: EngineFaults = { down: false, stallSeconds: 0, efficiency: 1 };
  /** Decode batch of the last step, for the GPU power and activity model. */
  batch = 0;
  readonly vllm: VllmDetail;
  /** Bytes of weights and of one token's K and V, per GPU of the engine (tensor parallel splits both). */
  private readonly weightBytesPerGpu: number;
  private readonly kvBytesPerTokenPerGpu: number;

  constructor(
    readonly index: number,
    readonly server: FleetServer,
    /** Throughput scale against the reference (GPU limit, model size, slice, tensor parallel). */
    readonly scale: number,
    /** Batch seen by the silicon per running request (7/g on a slice). */
    readonly batchWeight: number,
    readonly memoryMiB: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    const bytesPerParam = { fp16: 2, fp8: 1, gptq: 0.55, awq: 0.55 }[server.quantization];
    const weightsMiB = (server.parametersB * 1e9 * bytesPerParam) / 2 ** 20;
    // ~0.5 MiB of K and V per token for a 7B (32 layers x 4096 x 2 x fp16), growing slower than size.
    const kvMiBPerToken = 0.5 * (server.parametersB / 7) ** 0.6;
    this.kvCapacity = Math.max(server.maxModelLen, Math.floor((memoryMiB * 0.9 - weightsMiB) / kvMiBPerToken));
    this.weightBytesPerGpu = (weightsMiB * 2 ** 20) / server.gpus.length;
    this.kvBytesPerTokenPerGpu = (kvMiBPerToken * 2 ** 20) / server.gpus.length;
    this.vllm = new VllmDetail(seed, server.speculative?.tokens ?? 0);
    const maxLen = server.maxModelLen;
    this.h = {
      ttft: new Histogram(BUCKETS.ttft), itl: new Histogram(BUCKETS.itl), tpot: new Histogram(BUCKETS.itl),
      e2e: new Histogram(BUCKETS.request), queue: new Histogram(BUCKETS.request), inference: new Histogram(BUCKETS.request),
      prefill: new Histogram(BUCKETS.request), decode: new Histogram(BUCKETS.request),
      promptLen: new Histogram(buckets125(maxLen)), genLen: new Histogram(buckets125(maxLen)),
      iteration: new Histogram(BUCKETS.iteration),
    };
  }

  /** A restart after being down: counters and queues start again from zero (Prometheus sees a reset). */
  restart(t: number): EngineSim {
    const e = new EngineSim(this.index, this.server, this.scale, this.batchWeight, this.memoryMiB, Math.floor(this.rng.next() * 2 ** 31));
    e.startedAt = t;
    e.epochS = this.epochS;
    e.faults = { ...this.faults, down: false };
    return e;
  }

  get kvUsage(): number { return Math.min(1, this.kvUsed / this.kvCapacity); }
  /** When this engine's metrics were created (its start), Unix seconds. */
  get createdAtS(): number { return this.epochS + this.startedAt; }

  /** Decode tokens/s of the whole engine at a batch. */
  tokensPerSecond(batch: number, speed: number): number {
    return refTokensPerSecond(batch * this.batchWeight) / this.batchWeight * this.scale * speed;
  }

  /** Advance from t to t + dt. `rate` is the arrival rate now; `speed` the GPU's clock factor (throttling). */
  step(t: number, dt: number, rate: number, speed: number): void {
    if (this.faults.down) { this.batch = 0; return; }
    const s = this.server;
    // Arrivals.
    for (let n = this.rng.poisson(rate * dt); n > 0; n--) {
      const prompt = Math.max(1, Math.min(s.promptTokens.max, Math.round(this.rng.lognormal(s.promptTokens.mean, 0.6))));
      let target = Math.max(1, Math.round(this.rng.lognormal(s.outputTokens.mean, 0.7)));
      let reason: FinishedReason = 'stop';
      if (target >= s.outputTokens.max) { target = s.outputTokens.max; reason = 'length'; }
      // A few clients hang up mid-answer.
      if (this.rng.next() < 0.004) { target = Math.max(1, Math.floor(target * this.rng.next())); reason = 'abort'; }
      const r: Request = { arrival: t + this.rng.next() * dt, prompt, target, reason, generated: 0 };
      this.arrive(r);
      this.waiting.push(r);
    }
    // Admission (FIFO) while there is a sequence slot and KV space for the prompt.
    const prefillRate = PREFILL_TPS * this.scale * speed;
    while (this.waiting.length > 0 && this.running.length < s.maxNumSeqs) {
      const r = this.waiting[0]!;
      if (this.kvUsed + r.prompt + r.generated > this.kvCapacity * 0.95 && this.running.length > 0) break;
      this.waiting.shift();
      const at = Math.max(t, r.arrival);
      r.scheduledAt ??= at;
      const cached = Math.floor(r.prompt * s.prefixHitRatio * this.rng.next() * 2);
      const hits = Math.min(r.prompt - 1, cached);
      this.prefixQueries += r.prompt;
      this.prefixHits += hits;
      r.hits = hits;
      r.recomputed = cached >= r.prompt ? 1 : 0;
      // Prefills run one after another (a simplification of chunked prefill).
      const start = Math.max(at, this.prefillBusyUntil);
      const first = start + (r.prompt + r.generated - hits) / prefillRate;
      this.prefillBusySeconds += first - start;
      this.prefillBusyUntil = first;
      // A stall delays the request, not the engine.
      r.firstTokenAt ??= first + this.faults.stallSeconds;
      this.kvUsed += r.prompt + r.generated;
      this.running.push(r);
    }
    // Decode: requests past their first token share the engine's throughput.
    const end = t + dt;
    const decoding = this.running.filter((r) => r.firstTokenAt !== undefined && r.firstTokenAt < end);
    this.batch = decoding.length;
    const tps = this.tokensPerSecond(decoding.length, speed);
    const perRequest = decoding.length > 0 ? tps / decoding.length : 0;
    const done: Request[] = [];
    for (const r of decoding) {
      if (r.generated === 0) {
        // The first token comes out of prefill.
        this.promptTokens += r.prompt;
        this.prefilled(r);
        this.h.ttft.observe(r.firstTokenAt! - r.arrival);
        this.h.queue.observe(r.scheduledAt! - r.arrival);
        this.h.prefill.observe(r.firstTokenAt! - r.scheduledAt!);
        this.generationTokens += 1;
        r.generated = 1;
        this.kvUsed += 1;
      }
      const from = Math.max(t, r.firstTokenAt!);
      const before = Math.floor(r.generated);
      r.generated = Math.min(r.target, r.generated + perRequest * (end - from));
      const made = Math.floor(r.generated) - before;
      if (made > 0) {
        this.generationTokens += made;
        this.kvUsed += made;
        this.h.itl.observe(1 / perRequest, made);
        this.decoded(made);
      }
      if (r.generated >= r.target) done.push(r);
    }
    // Engine steps: one per inter-token interval; each processes the whole decode batch.
    if (decoding.length > 0) {
      this.decodeBusySeconds += dt;
      this.stepCarry += dt * perRequest;
      const steps = Math.floor(this.stepCarry);
      this.stepCarry -= steps;
      this.h.iteration.observe(decoding.length, steps);
      // Each step reads the weights and the batch's KV once (MFU estimates, per GPU).
      if (this.server.mfuMetrics) this.vllm.readBytes += steps * (this.weightBytesPerGpu + this.kvUsed * this.kvBytesPerTokenPerGpu);
    }
    for (const r of done) this.finish(r, end);
    this.noteLora(end);
    // Out of KV space: preempt the newest request (recomputed later, as vLLM's default does).
    while (this.kvUsed > this.kvCapacity && this.running.length > 1) {
      const victim = this.running.pop()!;
      this.kvUsed -= victim.prompt + Math.floor(victim.generated);
      victim.firstTokenAt = undefined;
      this.preemptions++;
      this.waiting.unshift(victim);
    }
  }

  /** A request reaches the API server: it names a LoRA adapter or not; a few are refused (4xx) before the engine sees them. */
  private arrive(r: Request): void {
    const v = this.vllm;
    const lora = this.server.lora;
    if (lora && v.rng.next() < 0.6) r.adapter = lora.adapters[Math.floor(v.rng.next() * lora.adapters.length)];
    if (v.rng.next() < 0.003) v.http['4xx']++;
  }

  /** Prompt tokens by source and FLOPs of a finished prefill (2 x parameters per token, split over the GPUs). */
  private prefilled(r: Request): void {
    const v = this.vllm;
    const hits = r.hits ?? 0;
    const recomputed = r.recomputed ?? 0;
    v.bySource.local_compute += r.prompt - hits;
    v.bySource.local_cache_hit += hits + recomputed;
    v.cached += hits;
    v.recomputed += recomputed;
    if (this.server.mfuMetrics) {
      v.flops += (2 * this.server.parametersB * 1e9 * (r.prompt - hits)) / this.server.gpus.length;
      v.writeBytes += (r.prompt - hits) * this.kvBytesPerTokenPerGpu;
    }
  }

  /**
   * Generated tokens: FLOPs and KV writes, and with speculative decoding the drafts that made them. Each
   * draft of k tokens is accepted up to its first rejected token, so position i (0-based) is accepted
   * with chance a^(i+1) and a draft yields 1 + sum a^i tokens (the bonus token included), as vLLM counts
   * mean acceptance length. Expected values, not draws: the counters grow smoothly.
   */
  private decoded(made: number): void {
    const v = this.vllm;
    const s = this.server;
    if (s.mfuMetrics) {
      v.flops += (2 * s.parametersB * 1e9 * made) / s.gpus.length;
      v.writeBytes += made * this.kvBytesPerTokenPerGpu;
    }
    const spec = s.speculative;
    if (!spec) return;
    const perPos = Array.from({ length: spec.tokens }, (_x, i) => spec.acceptance ** (i + 1));
    const accepted = perPos.reduce((a, b) => a + b, 0);
    const drafts = made / (1 + accepted);
    v.specDrafts += drafts;
    v.specDraftTokens += drafts * spec.tokens;
    v.specAccepted += drafts * accepted;
    perPos.forEach((p, i) => { v.specAcceptedPerPos[i]! += drafts * p; });
  }

  /** The adapters of running and waiting requests, as vLLM sets vllm:lora_requests_info each step. */
  private noteLora(at: number): void {
    if (!this.server.lora || this.faults.down) return;
    const names = (rs: Request[]) => [...new Set(rs.map((r) => r.adapter).filter((a): a is string => a !== undefined))].sort().join(',');
    const running = names(this.running);
    const waiting = names(this.waiting);
    this.vllm.lora.set(`${running}|${waiting}`, { running, waiting, at: this.epochS + at });
  }

  private finish(r: Request, at: number): void {
    const v = this.vllm;
    v.http[r.reason === 'error' ? '5xx' : '2xx']++;
    if (this.server.kvCacheMetrics) {
      // One sampled block per request: it lives from scheduling to some idle time after the request ends.
      const idle = -Math.log(1 - v.rng.next()) * 20;
      v.blockLifetime.observe(at - r.scheduledAt! + idle);
      v.blockIdle.observe(idle);
      if ((r.hits ?? 0) > 0) v.blockReuseGap.observe(-Math.log(1 - v.rng.next()) * 10);
    }
    this.running.splice(this.running.indexOf(r), 1);
    this.kvUsed -= r.prompt + Math.floor(r.generated);
    const out = Math.floor(r.generated);
    this.finished[r.reason]++;
    this.h.e2e.observe(at - r.arrival);
    this.h.inference.observe(at - r.scheduledAt!);
    this.h.decode.observe(at - r.firstTokenAt!);
    if (out > 1) this.h.tpot.observe((at - r.firstTokenAt!) / (out - 1));
    this.h.promptLen.observe(r.prompt);
    this.h.genLen.observe(out);
  }
}

/** A device on a GPU: the whole board, or one MIG instance. */
export interface DeviceSim {
  gpuInstanceId?: number;
  profile?: string;
  computeSlices: number;
  memoryMiB: number;
  engine?: EngineSim;
}

export interface GpuFaults {
  /** The last XID (0: none), as dcgm-exporter's gauge holds it. */
  xid: number;
  /** Throttled fraction of wall time by kind; 0: not throttled. */
  powerThrottle: number;
  thermalThrottle: number;
  /** Fallen off the bus: no telemetry at all (dcgm-exporter, Kepler) until it comes back. */
  lost: boolean;
}

/** One physical GPU: power from its devices' batches, an energy counter that integrates it. */
export class GpuSim {
  readonly spec: (typeof GPU_MODELS)[keyof typeof GPU_MODELS];
  readonly limitW: number;
  readonly uuid: string;
  readonly devices: DeviceSim[];
  powerW: number;
  /** Energy since "driver load", mJ: a seeded start, then the integral of powerW. Never decreases. */
  energyMj: number;
  tempC = 35;
  powerViolationNs = 0;
  thermalViolationNs = 0;
  faults: GpuFaults = { xid: 0, powerThrottle: 0, thermalThrottle: 0, lost: false };

  constructor(readonly host: FleetHost, readonly index: number, readonly gpu: FleetGpu, rng: Rng) {
    this.spec = GPU_MODELS[gpu.model];
    this.limitW = gpu.powerLimitWatts ?? this.spec.powerLimitWatts;
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rng.next() * 16).toString(16)).join('');
    this.uuid = `GPU-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
    this.devices = gpu.mig
      ? gpu.mig.map((m) => {
        const s = parseMigProfile(m.profile, gpu.model)!;
        return { gpuInstanceId: m.gpuInstanceId, profile: m.profile, computeSlices: s.computeSlices, memoryMiB: Number(/\.(\d+)gb/.exec(m.profile)![1]) * 1024 };
      })
      : [{ computeSlices: 7, memoryMiB: this.spec.memoryMiB }];
    this.powerW = this.limitW * IDLE_FRACTION;
    // Days of uptime already on the counter: a real board's counter starts at driver load.
    this.energyMj = Math.floor((2 + rng.next() * 20) * 86400 * this.powerW * 1000);
  }

  get mig(): boolean { return this.gpu.mig !== undefined; }
  /** Clock factor: throttling slows the SMs. */
  get speed(): number { return this.faults.powerThrottle > 0 || this.faults.thermalThrottle > 0 ? 0.7 : 1; }

  /** Activity 0–1 of a device (DCGM_FI_PROF_GR_ENGINE_ACTIVE): busy whenever it decodes, fuller with batch. */
  activity(d: DeviceSim): number {
    const b = d.engine && !d.engine.faults.down ? d.engine.batch * d.engine.batchWeight : 0;
    return b > 0 ? Math.min(0.99, 0.55 + 0.45 * Math.min(1, b / 64)) : 0;
  }

  /** Update power, temperature and counters over dt (after the engines stepped). */
  step(dt: number): void {
    let fraction = IDLE_FRACTION;
    for (const d of this.devices) {
      const e = d.engine;
      if (!e || e.faults.down) continue;
      const share = d.computeSlices / 7;
      // Tensor-parallel engines put the same batch on each of their GPUs.
      fraction += share * (CONTEXT_FRACTION + (refDynamicFraction(e.batch * e.batchWeight) * this.speed) / e.faults.efficiency);
    }
    // Throttling lowers the clocks (speed), and the dynamic power with them; it never adds power.
    this.powerW = Math.min(this.limitW, this.limitW * fraction);
    // Energy counter: the integral of the power (mJ), as the board's own counter is.
    this.energyMj += this.powerW * dt * 1000;
    // Temperature relaxes towards a load-dependent level (time constant ~20 s).
    const target = 30 + 45 * (this.powerW / this.limitW) + (this.faults.thermalThrottle > 0 ? 25 : 0);
    this.tempC += (target - this.tempC) * Math.min(1, dt / 20);
    this.powerViolationNs += this.faults.powerThrottle * dt * 1e9;
    this.thermalViolationNs += this.faults.thermalThrottle * dt * 1e9;
  }
}

export interface HostSim {
  host: FleetHost;
  gpus: GpuSim[];
  /** CPU package energy, J (Kepler's RAPL zones are derived from it). */
  cpuJoules: number;
  cpuWatts: number;
}

/** The whole fleet: hosts, GPUs, engines, one clock. */
export class FleetSim {
  t = 0;
  readonly hosts: HostSim[];
  readonly engines: EngineSim[];
  private readonly gpuOfEngine: GpuSim[][];

  /**
   * `epochS`: the Unix time of t = 0, for the timestamps the endpoints print (vLLM's `_created`).
   * Fixed by default so that one seed gives byte-identical expositions; the live fleet passes now.
   */
  constructor(readonly fleet: Fleet, readonly epochS = 1_800_000_000) {
    const rng = new Rng(fleet.seed);
    this.hosts = fleet.hosts.map((h) => ({ host: h, gpus: h.gpus.map((g, i) => new GpuSim(h, i, g, rng)), cpuJoules: 1e6 * (1 + rng.next()), cpuWatts: h.cpuIdleWatts }));
    this.gpuOfEngine = [];
    this.engines = fleet.servers.map((s, i) => {
      const host = this.hosts.find((h) => h.host.name === s.host)!;
      const gpus = s.gpus.map((g) => host.gpus[g]!);
      const devices = gpus.map((g) => (s.gpuInstanceId === undefined ? g.devices[0]! : g.devices.find((d) => d.gpuInstanceId === s.gpuInstanceId)!));
      const slices = devices[0]!.computeSlices;
      // Tensor parallel: n GPUs give ~0.8 n of one GPU's throughput (all-reduce costs the rest).
      const tp = gpus.length === 1 ? 1 : gpus.length * 0.8;
      const scale = (gpus[0]!.limitW / REF_LIMIT_W) * (7 / s.parametersB) * (slices / 7) * tp * ENGINE_SPEEDUP;
      const memory = devices.reduce((a, d) => a + d.memoryMiB, 0);
      const e = new EngineSim(i, s, scale, 7 / slices, memory, fleet.seed * 1000 + i + 1);
      e.epochS = epochS;
      for (const d of devices) d.engine = e;
      this.gpuOfEngine.push(gpus);
      return e;
    });
  }

  /** Arrival rate of a server at time t: its mean, swinging ±30 % over the diurnal period. */
  rate(s: FleetServer, t: number): number {
    const p = this.fleet.diurnalPeriodSeconds;
    return p > 0 ? s.requestsPerSecond * (1 + 0.3 * Math.sin((2 * Math.PI * t) / p)) : s.requestsPerSecond;
  }

  gpusOf(engine: EngineSim): GpuSim[] { return this.gpuOfEngine[engine.index]!; }

  /** Replace an engine (a restart): every device that pointed at it points at the new one. */
  replaceEngine(old: EngineSim, next: EngineSim): void {
    (this.engines as EngineSim[])[old.index] = next;
    for (const h of this.hosts) for (const g of h.gpus) for (const d of g.devices) if (d.engine === old) d.engine = next;
  }

  /** Advance in fixed steps until t reaches `until` (seconds since the start). */
  advanceTo(until: number): void {
    while (this.t + STEP_SECONDS <= until + 1e-9) this.stepOnce();
  }

  private stepOnce(): void {
    const dt = STEP_SECONDS;
    for (const e of this.engines) {
      const speed = Math.min(...this.gpusOf(e).map((g) => g.speed));
      e.step(this.t, dt, this.rate(e.server, this.t), speed);
    }
    for (const h of this.hosts) {
      for (const g of h.gpus) g.step(dt);
      // CPU: the tokenizer, scheduler and HTTP work of each busy server on top of idle.
      const busy = this.engines.filter((e) => e.server.host === h.host.name && e.batch > 0);
      const load = Math.min(1, 0.03 + busy.reduce((a, e) => a + 0.06 + 0.0008 * e.batch, 0));
      h.cpuWatts = h.host.cpuIdleWatts + (h.host.cpuMaxWatts - h.host.cpuIdleWatts) * load;
      h.cpuJoules += h.cpuWatts * dt;
    }
    this.t = Math.round((this.t + dt) * 1e6) / 1e6;
  }
}
