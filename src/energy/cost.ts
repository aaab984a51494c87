// Money and carbon from joules and time (domain notes §8):
//   capacity cost  = GPU price per hour × weight × hours        (weight 1 for a whole GPU)
//   energy cost    = kWh × PUE × price per kWh
//   CO2e (g)       = kWh × PUE × grid intensity (gCO2e/kWh)
import { byGpuModel } from './config.ts';
import type { EnergyConfig } from './config.ts';

export const JOULES_PER_KWH = 3.6e6;

/** Price per GPU-hour that applies to a GPU model, or 0 when the config has none (energy-only costing). */
export function gpuPricePerHour(config: EnergyConfig, gpuModel: string): number {
  const p = byGpuModel(config.gpuPrices, gpuModel);
  if (!p) return 0;
  return p[p.basis ?? config.priceBasis] ?? 0;
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
