// Checks a whole tick before the ledger changes any state, so a bad reading is refused with the field
// named (`boards[1].slices[0].computeSlices: ...`) instead of leaving half a tick applied.
import { migGeometry } from './mig.ts';
import type { Tick } from './tick.ts';

export class TickError extends Error {}

/** Throws TickError naming the first bad field of the tick. */
export function validateTick(tick: Tick, previousTimestampS: number | undefined): void {
  const fail = (path: string, why: string): never => {
    throw new TickError(`tick ${path}: ${why}`);
  };
  const count = (path: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, `must be a finite number >= 0, got ${String(v)}`);
  };
  if (typeof tick.timestampS !== 'number' || !Number.isFinite(tick.timestampS)) fail('timestampS', `must be a finite number, got ${String(tick.timestampS)}`);
  if (previousTimestampS !== undefined && tick.timestampS < previousTimestampS) fail('timestampS', `went backwards: ${tick.timestampS} < ${previousTimestampS}`);
  if (tick.gridIntensityGramsPerKwh !== undefined) count('gridIntensityGramsPerKwh', tick.gridIntensityGramsPerKwh);

  tick.boards.forEach((b, i) => {
    const at = `boards[${i}] (host ${b.host} gpu ${b.gpu})`;
    count(`${at}.energyJoules`, b.energyJoules);
    if (b.powerWatts !== undefined) count(`${at}.powerWatts`, b.powerWatts);
    if (b.activity !== undefined) count(`${at}.activity`, b.activity);
    const geometry = migGeometry(b.model) ?? { computeTotal: 7, memoryTotal: 8 };
    const ids = new Set<string>();
    let g = 0;
    let m = 0;
    b.slices.forEach((s, j) => {
      const sp = `${at}.slices[${j}]`;
      if (ids.has(s.gpuInstanceId)) fail(`${sp}.gpuInstanceId`, `'${s.gpuInstanceId}' appears twice on this GPU`);
      ids.add(s.gpuInstanceId);
      for (const k of ['computeSlices', 'memorySlices'] as const) {
        if (!Number.isInteger(s[k]) || s[k] < 1) fail(`${sp}.${k}`, `must be an integer >= 1, got ${s[k]}`);
      }
      count(`${sp}.activity`, s.activity);
      g += s.computeSlices;
      m += s.memorySlices;
    });
    if (g > geometry.computeTotal || m > geometry.memoryTotal) {
      fail(`${at}.slices`, `hold ${g} compute and ${m} memory slices, more than the GPU's ${geometry.computeTotal} and ${geometry.memoryTotal}`);
    }
  });
  tick.engines.forEach((e, i) => {
    const at = `engines[${i}] (${e.model_name} engine ${e.engine})`;
    count(`${at}.generationTokens`, e.generationTokens);
    count(`${at}.promptTokens`, e.promptTokens);
  });
}
