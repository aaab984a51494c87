// How one board's energy over one interval divides among its MIG slices (or the whole GPU) and the
// engines on them. No hardware measures per-slice power (domain notes §5), so this is a model; see
// docs/methodology.md. Pure functions: the ledger feeds them counter deltas and readings.
//
//   idle   = min(idle power × dt, board delta)            (what the board draws doing nothing)
//   active = board delta − idle
//   slice i idle   = idle × w_i,  unallocated = idle × (1 − Σ w)      (w = slice weight, Σ w ≤ 1)
//   slice i active = active × act_i·w_i / Σ_j act_j·w_j
//
// So slices + unallocated = board delta. When no slice is active but the board drew more than its idle
// power (idle power set too low, or activity not exported), the active part is shared by weight among
// the slices present, never charged to unallocated capacity: only a slice can do work.
// Idle power is the ledger's input: configured per GPU model, or learned as the lowest board power seen
// while the GPU reported zero activity (ledger.ts; docs/methodology.md §3).

export interface SliceInput {
  /** Fraction of the GPU (0–1], from mig.ts; the whole GPU is a single slice of weight 1. */
  weight: number;
  /** Activity 0–1 of the slice's own capacity (DCGM_FI_PROF_GR_ENGINE_ACTIVE). */
  activity: number;
}

export interface SliceShare {
  idle: number;
  active: number;
}

export interface BoardSplit {
  idle: number;
  active: number;
  slices: SliceShare[];
  unallocated: number;
}

/** Split a board's energy delta (J) over dt seconds. `slices` must not be empty; weights add up to ≤ 1. */
export function splitBoardEnergy(deltaJ: number, dtS: number, idleWatts: number, slices: SliceInput[]): BoardSplit {
  if (!(deltaJ >= 0) || !Number.isFinite(deltaJ)) throw new Error(`board energy delta must be finite and >= 0, got ${deltaJ}`);
  if (!(dtS >= 0)) throw new Error(`interval must be >= 0 s, got ${dtS}`);
  if (slices.length === 0) throw new Error('a board needs at least one slice (the whole GPU counts as one)');
  const totalWeight = slices.reduce((s, x) => s + x.weight, 0);
  if (slices.some((s) => !(s.weight > 0)) || totalWeight > 1 + 1e-12) {
    throw new Error(`slice weights must be > 0 and add up to at most 1, got ${slices.map((s) => s.weight).join(', ')}`);
  }
  const idle = Math.min(Math.max(idleWatts, 0) * dtS, deltaJ);
  const active = deltaJ - idle;
  const unallocatedWeight = Math.max(0, 1 - totalWeight);

  const activeWeights = slices.map((s) => clamp01(s.activity) * s.weight);
  const activeSum = activeWeights.reduce((a, b) => a + b, 0);
  // No activity reported anywhere: share the active part by weight among the slices present.
  const activeShares = activeSum > 0 ? activeWeights.map((a) => a / activeSum) : slices.map((s) => s.weight / totalWeight);

  return {
    idle,
    active,
    slices: slices.map((s, i) => ({ idle: idle * s.weight, active: active * activeShares[i]! })),
    unallocated: idle * unallocatedWeight,
  };
}

/**
 * Share an amount (energy, cost) among the engines of one slice or whole GPU by the tokens each
 * generated in the interval. If none generated, the engines share equally: they held the capacity
 * together. Returns one share per engine, adding up to `amount`.
 */
export function splitByTokens(amount: number, generatedTokens: number[]): number[] {
  const n = generatedTokens.length;
  if (n === 0) return [];
  const sum = generatedTokens.reduce((a, b) => a + Math.max(0, b), 0);
  return generatedTokens.map((t) => (sum > 0 ? (amount * Math.max(0, t)) / sum : amount / n));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
