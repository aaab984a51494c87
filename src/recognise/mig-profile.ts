// MIG profile names (dcgm-exporter's GPU_I_PROFILE, e.g. "3g.40gb", "1g.10gb+me") to compute and
// memory slices. The compute count is in the name; the memory count depends on the GPU model
// (1g.10gb is 2 of 8 memory slices on an A100-40GB but 1 of 8 on an A100-80GB or H100), so it comes
// from per-model tables (NVIDIA MIG user guide; domain notes §6; `nvidia-smi mig -lgip` on the H100
// fixture agrees). Suffixes such as "+me" (media extensions) do not change the slices.

export interface MigGeometry {
  /** Compute slices of the whole GPU (7, or 4 on an A30). */
  computeSlices: number;
  /** Memory slices of the whole GPU (8, or 4 on an A30). */
  memorySlices: number;
}

export interface MigSlices {
  computeSlices: number;
  memorySlices: number;
}

interface ModelTable extends MigGeometry {
  name: string;
  /** Which driver model names (dcgm-exporter `modelName`) use this table. */
  matches: (modelName: string) => boolean;
  /** The board's memory in GB as the profile names count it, for names not in `profiles` ("7g.79gb"). */
  boardGb: number;
  /** Profile base name → memory slices. */
  profiles: Readonly<Record<string, number>>;
}

const has80 = (m: string) => /80\s?GB/i.test(m);
// Word boundaries keep GH200 (a 96/144 GB H100/H200 on a Grace board) out of the H100/H200 tables:
// it falls to the model-less rules below.

export const MIG_TABLES: readonly ModelTable[] = [
  {
    name: 'A30', computeSlices: 4, memorySlices: 4, boardGb: 24, matches: (m) => /\bA30\b/.test(m),
    profiles: { '1g.6gb': 1, '2g.12gb': 2, '4g.24gb': 4 },
  },
  {
    name: 'A100-40GB', computeSlices: 7, memorySlices: 8, boardGb: 40, matches: (m) => /A100/.test(m) && !has80(m),
    profiles: { '1g.5gb': 1, '1g.10gb': 2, '2g.10gb': 2, '3g.20gb': 4, '4g.20gb': 4, '7g.40gb': 8 },
  },
  {
    name: 'A100-80GB', computeSlices: 7, memorySlices: 8, boardGb: 80, matches: (m) => /A100/.test(m) && has80(m),
    profiles: { '1g.10gb': 1, '1g.20gb': 2, '2g.20gb': 2, '3g.40gb': 4, '4g.40gb': 4, '7g.80gb': 8 },
  },
  {
    name: 'H100-80GB', computeSlices: 7, memorySlices: 8, boardGb: 80, matches: (m) => /\bH100\b/.test(m),
    profiles: { '1g.10gb': 1, '1g.20gb': 2, '2g.20gb': 2, '3g.40gb': 4, '4g.40gb': 4, '7g.80gb': 8 },
  },
  {
    name: 'H200', computeSlices: 7, memorySlices: 8, boardGb: 141, matches: (m) => /\bH200\b/.test(m),
    profiles: { '1g.18gb': 1, '1g.35gb': 2, '2g.35gb': 2, '3g.71gb': 4, '4g.71gb': 4, '7g.141gb': 8 },
  },
];

const PROFILE = /^(\d+)g\.(\d+)gb/;

/** Memory slices of the base profile with g compute slices, on every MIG GPU (the "1g.<2×>gb" variants aside). */
const BASE_MEMORY: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 4, 4: 4, 7: 8 };

/** The table for a driver model name, or undefined for a model the tables do not know. */
export function migTableFor(modelName: string): ModelTable | undefined {
  return MIG_TABLES.find((t) => t.matches(modelName));
}

/** Whole-GPU slice counts for a model, when known. */
export function migGeometry(modelName: string): MigGeometry | undefined {
  const t = migTableFor(modelName);
  return t && { computeSlices: t.computeSlices, memorySlices: t.memorySlices };
}

/**
 * Slices of one profile. Returns undefined when the name does not match `^(\d+)g\.(\d+)gb`.
 * Memory slices: the model's table; for a name the table lacks (drivers print "7g.79gb" on some H100s),
 * the proportional share of the board's memory snapped to the nearest power of two (1, 2, 4, 8); for an unknown model (dcgm-exporter without
 * `modelName`), the tables that list the exact name if they agree, else the base profile of that size.
 */
export function parseMigProfile(profile: string, modelName = ''): MigSlices | undefined {
  const m = PROFILE.exec(profile);
  if (!m) return undefined;
  const computeSlices = Number(m[1]);
  const gb = Number(m[2]);
  const base = `${m[1]}g.${m[2]}gb`;
  const table = migTableFor(modelName);
  if (table) {
    const known = table.profiles[base];
    if (known !== undefined) return { computeSlices, memorySlices: known };
    // Memory slices come in powers of two (1, 2, 4, 8): snap the proportional share to the nearest.
    const share = gb / (table.boardGb / table.memorySlices);
    let memorySlices = 1;
    for (let s = 2; s <= table.memorySlices; s *= 2) if (Math.abs(s - share) < Math.abs(memorySlices - share)) memorySlices = s;
    return { computeSlices, memorySlices };
  }
  const candidates = new Set(MIG_TABLES.map((t) => t.profiles[base]).filter((v) => v !== undefined));
  if (candidates.size === 1) return { computeSlices, memorySlices: [...candidates][0]! };
  return { computeSlices, memorySlices: BASE_MEMORY[computeSlices] ?? computeSlices };
}
