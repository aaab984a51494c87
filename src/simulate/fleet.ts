// The simulated fleet's description (exporters/simulate/*.yaml): hosts, their GPUs (whole or split
// into MIG instances) and the serving engines placed on them. Checked by zod; a bad file gives one
// error naming every bad field (FleetError), which `tokenwatt simulate` turns into exit 2.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
// The registry is read only while a fleet is parsed (isServingKind), never as this module loads: the
// kinds' simulators import this module.
import { isServingKind } from '../kinds/index.ts';
import type { ServingKindId } from '../kinds/index.ts';
import { migGeometry, parseMigProfile } from '../recognise/mig-profile.ts';

/** GPU models the simulator knows: board power limit, memory, clocks (NVIDIA datasheets). */
export const GPU_MODELS = {
  'NVIDIA A100-SXM4-40GB': { powerLimitWatts: 400, memoryMiB: 40960, smClockMaxMHz: 1410, memClockMHz: 1215, slowdownCelsius: 90, nvlink: true },
  'NVIDIA A100-SXM4-80GB': { powerLimitWatts: 400, memoryMiB: 81920, smClockMaxMHz: 1410, memClockMHz: 1593, slowdownCelsius: 90, nvlink: true },
  'NVIDIA H100 80GB HBM3': { powerLimitWatts: 700, memoryMiB: 81559, smClockMaxMHz: 1980, memClockMHz: 2619, slowdownCelsius: 90, nvlink: true },
  'Tesla T4': { powerLimitWatts: 70, memoryMiB: 15360, smClockMaxMHz: 1590, memClockMHz: 5000, slowdownCelsius: 88, nvlink: false },
} as const;
export type GpuModelName = keyof typeof GPU_MODELS;

const Duration = z.number().finite().positive();

const MigInstanceSchema = z.object({
  /** MIG profile as dcgm-exporter prints it (GPU_I_PROFILE), e.g. 3g.20gb. */
  profile: z.string().regex(/^\d+g\.\d+gb/, 'a MIG profile such as 3g.20gb'),
  /** NVML GPU-instance id (dcgm-exporter GPU_I_ID). */
  gpuInstanceId: z.number().int().nonnegative(),
}).strict();

const GpuSchema = z.object({
  model: z.enum(Object.keys(GPU_MODELS) as [GpuModelName, ...GpuModelName[]]),
  /** Enforced power limit in W; default: the model's board limit. */
  powerLimitWatts: z.number().finite().positive().optional(),
  /** MIG instances; absent: MIG off, the whole GPU is one device. */
  mig: z.array(MigInstanceSchema).min(1).optional(),
}).strict();

const LengthSchema = z.object({
  /** Mean tokens; lengths are log-normal around it. */
  mean: z.number().finite().positive(),
  max: z.number().int().positive(),
}).strict();

const ServerSchema = z.object({
  /** Served model name (vLLM model_name). */
  model: z.string().min(1),
  /** A serving kind of the registry (src/kinds/index.ts): vllm, sglang, ... */
  engine: z.string().default('vllm').refine((v): v is ServingKindId => isServingKind(v), { message: 'must be a serving kind (see src/kinds/index.ts: vllm, sglang, ...)' }),
  /** vLLM metric names: v1 (current), old (V0-era: no engine label, pre-rename names), both (0.9.2–0.10 window). */
  names: z.enum(['v1', 'old', 'both']).default('v1'),
  /** Weights in billions of parameters: throughput scales with 7 / this (calibrated on a 7B model). */
  parametersB: z.number().finite().positive(),
  /** Quantisation, for the weights' memory: fp16 2 bytes per parameter, gptq/awq 0.5. */
  quantization: z.enum(['fp16', 'gptq', 'awq', 'fp8']).default('fp16'),
  host: z.string().min(1),
  /** GPU indices on the host (several: tensor parallel). */
  gpus: z.array(z.number().int().nonnegative()).min(1),
  /** The MIG instance (GPU_I_ID) on that GPU, for a server on a slice. */
  gpuInstanceId: z.number().int().nonnegative().optional(),
  /** Mean request arrival rate (Poisson), per second. */
  requestsPerSecond: z.number().finite().nonnegative(),
  promptTokens: LengthSchema,
  outputTokens: LengthSchema,
  maxNumSeqs: z.number().int().positive().default(256),
  maxModelLen: z.number().int().positive().default(4096),
  /** Fraction of prompt tokens found in the prefix cache. */
  prefixHitRatio: z.number().min(0).max(1).default(0.3),
  /**
   * vLLM speculative decoding: num_speculative_tokens and the chance each draft token is accepted given
   * the ones before it were (vLLM's spec_decode_* counters; 0.6-0.8 is typical of an EAGLE or n-gram drafter).
   */
  speculative: z.object({ tokens: z.number().int().min(1).max(16), acceptance: z.number().min(0).max(1).default(0.7) }).strict().optional(),
  /** vLLM --enable-lora: the adapters requests name (vllm:lora_requests_info) and --max-loras. */
  lora: z.object({ adapters: z.array(z.string().min(1)).min(1), maxLoras: z.number().int().positive().default(4) }).strict().optional(),
  /** vLLM --enable-mfu-metrics (vllm:estimated_*_per_gpu_total) and --kv-cache-metrics (vllm:kv_block_*_seconds). */
  mfuMetrics: z.boolean().optional(),
  kvCacheMetrics: z.boolean().optional(),
  /** Kubernetes pod serving it, for Kepler's pod series and dcgm-exporter's pod mapping. */
  pod: z.object({ namespace: z.string().min(1), name: z.string().min(1) }).strict().optional(),
}).strict();

const HostSchema = z.object({
  name: z.string().min(1),
  /** CPU package power at idle and at full load, W (Kepler's RAPL zones). */
  cpuIdleWatts: z.number().finite().nonnegative().default(60),
  cpuMaxWatts: z.number().finite().positive().default(250),
  gpus: z.array(GpuSchema).min(1),
}).strict();

export const FleetSchema = z.object({
  /** Seed of every random draw: one seed, one run. */
  seed: z.number().int().default(1),
  driverVersion: z.string().default('550.90.07'),
  dcgm: z.object({
    /** dcgm-exporter's collection interval: values change once per interval (30 s upstream default). */
    collectIntervalSeconds: Duration.default(30),
  }).strict().default({ collectIntervalSeconds: 30 }),
  kepler: z.object({
    generation: z.enum(['rewrite', 'legacy']).default('rewrite'),
    /** Kepler 0.11.4+ experimental GPU series (rewrite only). */
    gpu: z.boolean().default(true),
  }).strict().default({ generation: 'rewrite', gpu: true }),
  /** Slow every request arrival rate up and down over this period (seconds), ±30 %; 0: steady. */
  diurnalPeriodSeconds: z.number().finite().nonnegative().default(600),
  hosts: z.array(HostSchema).min(1),
  servers: z.array(ServerSchema).min(1),
}).strict();

export type Fleet = z.infer<typeof FleetSchema>;
export type FleetServer = Fleet['servers'][number];
export type FleetHost = Fleet['hosts'][number];
export type FleetGpu = FleetHost['gpus'][number];

export class FleetError extends Error {}

export const FLEET_DIR = fileURLToPath(new URL('../../exporters/simulate/', import.meta.url));
export const REFERENCE_FLEET = `${FLEET_DIR}reference.yaml`;

/** Parse and check a fleet; throws FleetError naming every bad field (`servers.1.gpus.0: ...`). */
export function parseFleet(input: unknown, source = 'fleet'): Fleet {
  const r = FleetSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new FleetError(`${source}: ${problems.join('; ')}`);
  }
  const problems = crossCheck(r.data);
  if (problems.length > 0) throw new FleetError(`${source}: ${problems.join('; ')}`);
  return r.data;
}

export function loadFleet(file: string = REFERENCE_FLEET): Fleet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FleetError(`${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new FleetError(`${file}: not YAML: ${(err as Error).message}`);
  }
  return parseFleet(doc, file);
}

/** What zod cannot see: placements that name real GPUs and slices, MIG geometry that fits. */
function crossCheck(f: Fleet): string[] {
  const problems: string[] = [];
  const hosts = new Map(f.hosts.map((h) => [h.name, h]));
  if (hosts.size !== f.hosts.length) problems.push('hosts: two hosts share a name');
  f.hosts.forEach((h, hi) => h.gpus.forEach((g, gi) => {
    if (!g.mig) return;
    const at = `hosts.${hi}.gpus.${gi}.mig`;
    const geometry = migGeometry(g.model);
    if (!geometry) { problems.push(`${at}: ${g.model} has no MIG`); return; }
    let compute = 0;
    let memory = 0;
    const ids = new Set<number>();
    g.mig.forEach((m, mi) => {
      const s = parseMigProfile(m.profile, g.model);
      if (!s) return;
      compute += s.computeSlices;
      memory += s.memorySlices;
      if (ids.has(m.gpuInstanceId)) problems.push(`${at}.${mi}.gpuInstanceId: ${m.gpuInstanceId} is used twice on this GPU`);
      ids.add(m.gpuInstanceId);
    });
    if (compute > geometry.computeSlices) problems.push(`${at}: ${compute} compute slices exceed the ${geometry.computeSlices} of a ${g.model}`);
    if (memory > geometry.memorySlices) problems.push(`${at}: ${memory} memory slices exceed the ${geometry.memorySlices} of a ${g.model}`);
  }));
  const taken = new Set<string>();
  f.servers.forEach((s, si) => {
    const at = `servers.${si}`;
    const h = hosts.get(s.host);
    if (!h) { problems.push(`${at}.host: no host named '${s.host}'`); return; }
    if (s.gpuInstanceId !== undefined && s.gpus.length !== 1) problems.push(`${at}.gpuInstanceId: a server on a MIG instance uses exactly one GPU`);
    s.gpus.forEach((gi, k) => {
      const g = h.gpus[gi];
      if (!g) { problems.push(`${at}.gpus.${k}: host '${s.host}' has no GPU ${gi}`); return; }
      if (g.mig && s.gpuInstanceId === undefined) problems.push(`${at}.gpuInstanceId: GPU ${gi} of '${s.host}' is in MIG mode: name the instance`);
      if (!g.mig && s.gpuInstanceId !== undefined) problems.push(`${at}.gpuInstanceId: GPU ${gi} of '${s.host}' is not in MIG mode`);
      if (g.mig && s.gpuInstanceId !== undefined && !g.mig.some((m) => m.gpuInstanceId === s.gpuInstanceId)) {
        problems.push(`${at}.gpuInstanceId: GPU ${gi} of '${s.host}' has no instance ${s.gpuInstanceId}`);
      }
      const key = `${s.host}/${gi}/${s.gpuInstanceId ?? ''}`;
      if (taken.has(key)) problems.push(`${at}.gpus.${k}: ${key} already serves another model`);
      taken.add(key);
    });
    if (s.promptTokens.max + s.outputTokens.max > s.maxModelLen) problems.push(`${at}.maxModelLen: prompt max + output max exceed ${s.maxModelLen}`);
    if (s.engine !== 'vllm' && s.names !== 'v1') problems.push(`${at}.names: only vLLM servers have old names`);
  });
  return problems;
}
