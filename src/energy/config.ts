// The energy ledger's configuration (zod-validated; a bad field is named in the error). Every default
// below says where its figure comes from; prices are ILLUSTRATIVE and meant to be replaced by yours.
import { z } from 'zod';

const price = z.number().finite().nonnegative();

const GpuPrices = z.object({
  /** Price per GPU-hour at on-demand, reserved/committed and spot rates, in `currency`. */
  onDemand: price.optional(),
  reserved: price.optional(),
  spot: price.optional(),
  /** Which of the three applies to this GPU model (default: the config's `priceBasis`). */
  basis: z.enum(['onDemand', 'reserved', 'spot']).optional(),
});

/**
 * Illustrative on-demand prices per GPU-hour: AWS EC2 us-east-1 list prices divided by the 8 GPUs of
 * the instance, as listed before AWS's June 2025 P4/P5 price cut (p4d.24xlarge 32.77 $/h → 4.10 for an
 * A100-40GB; p4de.24xlarge 40.97 $/h → 5.12 for an A100-80GB; p5.48xlarge 98.32 $/h → 12.29 for an
 * H100). Not a quote: set your own contract prices.
 */
export const DEFAULT_GPU_PRICES: Record<string, z.input<typeof GpuPrices>> = {
  'NVIDIA A100-SXM4-40GB': { onDemand: 4.1 },
  'NVIDIA A100-SXM4-80GB': { onDemand: 5.12 },
  'NVIDIA H100 80GB HBM3': { onDemand: 12.29 },
};

const Basis = z.enum(['onDemand', 'reserved', 'spot']);

/**
 * A node pool: the value of the node label your cluster pools nodes by (cloud.google.com/gke-nodepool,
 * eks.amazonaws.com/nodegroup, karpenter.sh/capacity-type...), the price basis its GPUs are bought at,
 * and its nodes by name, or /regex/ (RE2 syntax: Prometheus applies the same pattern). List them with
 * `kubectl get nodes -l <label>=<pool> -o name`.
 */
const NodePool = z.object({
  priceBasis: Basis,
  hosts: z.array(z.string().min(1)).min(1),
}).strict();

export const EnergyConfigSchema = z
  .object({
    /** ISO 4217 code put in the `currency` label. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'a 3-letter ISO 4217 code such as USD').default('USD'),
    /**
     * Node pools whose GPUs are priced at their own basis (a spot pool, a reserved pool): on a host of a
     * pool the pool's basis wins over the GPU model's and `priceBasis`. Hosts of no pool keep those.
     */
    nodePools: z.record(z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a node label value'), NodePool).default(() => ({})),
    /** Which price applies where a GPU model does not say. */
    priceBasis: z.enum(['onDemand', 'reserved', 'spot']).default('onDemand'),
    /** Prices per GPU-hour keyed by the driver's model name ("NVIDIA A100-SXM4-40GB"; the "NVIDIA " prefix and case are ignored). A GPU model with no price is charged energy only. */
    gpuPrices: z.record(z.string(), GpuPrices).default(() => ({ ...DEFAULT_GPU_PRICES })),
    /**
     * Electricity price per kWh. Default 0.13: roughly the US average commercial retail price in 2024
     * (EIA Electric Power Monthly, table 5.6.A, ~12.7–13 ¢/kWh). Illustrative.
     */
    electricityPricePerKwh: price.default(0.13),
    /** Power usage effectiveness of the data centre (facility energy ÷ IT energy). 1.2: the hyperscaler range 1.1–1.2 (domain notes §8); set 1.0 to count GPU energy only. */
    pue: z.number().finite().min(1).default(1.2),
    /** Grid carbon intensity in gCO2e/kWh when no value is fed per tick. 475: CodeCarbon's world-average default. */
    gridIntensityGramsPerKwh: z.number().finite().nonnegative().default(475),
    /** How a MIG slice's share of its GPU is measured: compute g/7, memory m/8, or max of the two. */
    sliceWeightBasis: z.enum(['compute', 'memory', 'max']).default('compute'),
    /**
     * Idle board power in W per GPU model (same key rules as gpuPrices). Where absent, the ledger learns it
     * as the lowest power seen at zero activity. For scale: an H100 80GB HBM3 drew ≈ 72 W idle without a
     * CUDA context and ≈ 120 W with one (test/fixtures/nvidia-h100, domain notes §7).
     */
    idlePowerWatts: z.record(z.string(), z.number().finite().nonnegative()).default(() => ({})),
    /** Window of the tokens/J and cost-per-1M-tokens gauges, seconds. 300: five minutes, a common dashboard rate window. */
    windowSeconds: z.number().finite().positive().default(300),
    /**
     * A GPU, MIG slice or engine not seen for this long has its series dropped, as Prometheus drops a gone
     * target's series; otherwise every restarted pod would leave its series behind forever. 600 s: twice
     * Prometheus's 5-minute lookback.
     */
    retentionSeconds: z.number().finite().positive().default(600),
    /**
     * Plausibility of an energy counter's increase (methodology §9): at most the GPU's power limit × this
     * margin × the time it covers. 2: dcgm-exporter's 30 s sample can land in a 25 s window of the
     * exporter's clock (×1.2), and boards briefly exceed their limit; a counter that halves or jumps by
     * megajoules is far outside it.
     */
    powerLimitMargin: z.number().finite().min(1).default(2),
    /** Power limit assumed where the source does not report one (W). 1000: the highest board limit of current data-centre GPUs (B200). */
    defaultPowerLimitWatts: z.number().finite().positive().default(1000),
    /**
     * Ceiling on one engine's token counters, tokens per second (prompt and generated each): an increase
     * above it is dropped as implausible. 1e6 is far above any one engine; set it near your fleet's real
     * peak to catch glitching counters sooner.
     */
    maxTokensPerSecond: z.number().finite().positive().default(1_000_000),
    /**
     * How long a slice's energy waits for an engine placed on it whose tokens are missing (a failed scrape),
     * so a gap's energy goes to the engines by their tokens over it. 60 s: a dozen default intervals; an
     * engine silent longer no longer holds its neighbours' energy back (methodology §9).
     */
    gapHoldSeconds: z.number().finite().nonnegative().default(60),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    // A pool whose basis has no price for a priced GPU model would charge its GPUs 0: refuse it.
    for (const [pool, np] of Object.entries(cfg.nodePools)) {
      for (const [model, p] of Object.entries(cfg.gpuPrices)) {
        const hasAny = p.onDemand !== undefined || p.reserved !== undefined || p.spot !== undefined;
        if (hasAny && p[np.priceBasis] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['nodePools', pool, 'priceBasis'], message: `node pool '${pool}' is priced ${np.priceBasis}, but gpuPrices has no ${np.priceBasis} price for '${model}'` });
        }
      }
      for (const h of np.hosts) {
        if (h.length > 2 && h.startsWith('/') && h.endsWith('/')) {
          try { new RegExp(h.slice(1, -1)); } catch (err) {
            ctx.addIssue({ code: 'custom', path: ['nodePools', pool, 'hosts'], message: `bad regex ${h}: ${(err as Error).message}` });
          }
        }
      }
    }
    for (const [model, p] of Object.entries(cfg.gpuPrices)) {
      const basis = p.basis ?? cfg.priceBasis;
      const hasAny = p.onDemand !== undefined || p.reserved !== undefined || p.spot !== undefined;
      if (hasAny && p[basis] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['gpuPrices', model, basis], message: `no ${basis} price for '${model}' although ${basis} applies` });
      }
    }
  });

export type EnergyConfig = z.output<typeof EnergyConfigSchema>;
export type EnergyConfigInput = z.input<typeof EnergyConfigSchema>;

/** Validate a config; throws an Error naming each bad field (`gpuPrices.X.spot: ...`). */
export function parseEnergyConfig(input: unknown): EnergyConfig {
  const r = EnergyConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new Error(`energy config: ${problems.join('; ')}`);
  }
  return r.data;
}

/** Look a GPU model up in a table keyed by model name, ignoring case and a leading "NVIDIA ". */
export function byGpuModel<T>(table: Record<string, T>, gpuModel: string): T | undefined {
  if (table[gpuModel] !== undefined) return table[gpuModel];
  const norm = (s: string) => s.trim().toLowerCase().replace(/^nvidia\s+/, '');
  const want = norm(gpuModel);
  for (const [key, value] of Object.entries(table)) if (norm(key) === want) return value;
  return undefined;
}
