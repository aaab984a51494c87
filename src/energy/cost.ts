// Money and carbon from joules and time (domain notes §8):
//   capacity cost  = GPU price per hour × weight × hours        (weight 1 for a whole GPU)
//   energy cost    = kWh × PUE × price per kWh
//   CO2e (g)       = kWh × PUE × grid intensity (gCO2e/kWh)
import { byGpuModel } from './config.ts';
import type { EnergyConfig } from './config.ts';

export const JOULES_PER_KWH = 3.6e6;

/** Whether a host name matches a node pool's `hosts` entry: the exact name, or `/regex/` matched whole. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')) return new RegExp(`^(?:${pattern.slice(1, -1)})$`).test(host);
  return pattern === host;
}

/** The node pool a host belongs to (the first that lists it), if any. */
export function nodePoolOf(config: EnergyConfig, host: string): { pool: string; priceBasis: EnergyConfig['priceBasis'] } | undefined {
  for (const [pool, np] of Object.entries(config.nodePools)) {
    if (np.hosts.some((h) => hostMatches(h, host))) return { pool, priceBasis: np.priceBasis };
  }
  return undefined;
}

/**
 * Price per GPU-hour that applies to a GPU model on a host, or 0 when the config has none (energy-only
 * costing). The host's node pool decides the basis (spot, on-demand, reserved); else the GPU model's
 * `basis`, else `priceBasis`.
 */
export function gpuPricePerHour(config: EnergyConfig, gpuModel: string, host?: string): number {
  const p = byGpuModel(config.gpuPrices, gpuModel);
  if (!p) return 0;
  const pool = host === undefined ? undefined : nodePoolOf(config, host);
  return p[pool?.priceBasis ?? p.basis ?? config.priceBasis] ?? 0;
}

export function capacityCost(pricePerHour: number, weight: number, seconds: number): number {
  return (pricePerHour * weight * seconds) / 3600;
}

export function energyCost(config: EnergyConfig, joules: number): number {
  return (joules / JOULES_PER_KWH) * config.pue * config.electricityPricePerKwh;
}

export function co2eGrams(config: EnergyConfig, joules: number, gramsPerKwh: number): number {
  return (joules / JOULES_PER_KWH) * config.pue * gramsPerKwh;
}
