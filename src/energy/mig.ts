// MIG geometry: how big a slice (GPU instance) is relative to its GPU, from the profile name
// (`3g.20gb`, `1g.10gb+me`, dcgm-exporter's `7g.79gb`). Sources: NVIDIA MIG user guide, the
// `nvidia-smi mig -lgip` listing of an H100 in test/fixtures/nvidia-h100/smi.txt, domain notes §6.

/** A GPU family's MIG geometry: compute slices (g) and memory slices (m) of the whole GPU. */
export interface MigGeometry {
  family: string;
  computeTotal: number;
  memoryTotal: number;
  /** Whole-GPU memory in GB as profile names spell it (7g.40gb → 40), to turn `Ngb` into memory slices. */
  memoryGb: number;
}

// Order matters: the first pattern that matches the driver's model name wins (80GB before 40GB).
const GEOMETRIES: { match: RegExp; geometry: MigGeometry }[] = [
  { match: /A30\b/i, geometry: { family: 'A30-24GB', computeTotal: 4, memoryTotal: 4, memoryGb: 24 } },
  { match: /A100.*80\s*GB/i, geometry: { family: 'A100-80GB', computeTotal: 7, memoryTotal: 8, memoryGb: 80 } },
  { match: /A100/i, geometry: { family: 'A100-40GB', computeTotal: 7, memoryTotal: 8, memoryGb: 40 } },
  { match: /H100.*(NVL|94\s*GB)/i, geometry: { family: 'H100-94GB', computeTotal: 7, memoryTotal: 8, memoryGb: 94 } },
  { match: /(H100|GH200).*96\s*GB/i, geometry: { family: 'H100-96GB', computeTotal: 7, memoryTotal: 8, memoryGb: 96 } },
  { match: /H100/i, geometry: { family: 'H100-80GB', computeTotal: 7, memoryTotal: 8, memoryGb: 80 } },
  { match: /H200/i, geometry: { family: 'H200-141GB', computeTotal: 7, memoryTotal: 8, memoryGb: 141 } },
];

/** The MIG geometry of a GPU model name as the driver reports it; undefined for GPUs without MIG. */
export function migGeometry(gpuModel: string): MigGeometry | undefined {
  return GEOMETRIES.find((g) => g.match.test(gpuModel))?.geometry;
}

export interface SliceSize {
  computeSlices: number;
  memorySlices: number;
}

const PROFILE = /^(\d+)g\.(\d+)gb/;

/**
 * Compute and memory slices of a profile on a GPU model. Memory slices come from the GB figure:
 * round(GB / (whole-GPU GB / memoryTotal)), which maps 1g.5gb→1 … 7g.40gb→8 on A100-40GB,
 * 1g.18gb→1, 3g.71gb→4, 7g.141gb→8 on H200 and 7g.79gb→8 on H100. Throws naming the profile.
 */
export function parseProfile(profile: string, gpuModel: string): SliceSize {
  const m = PROFILE.exec(profile);
  if (!m) throw new Error(`MIG profile '${profile}' does not match <g>g.<gb>gb`);
  const geometry = migGeometry(gpuModel);
  if (!geometry) throw new Error(`GPU model '${gpuModel}' has no known MIG geometry (profile '${profile}')`);
  const computeSlices = Number(m[1]);
  const gb = Number(m[2]);
  const memorySlices = Math.round(gb / (geometry.memoryGb / geometry.memoryTotal));
  if (computeSlices < 1 || computeSlices > geometry.computeTotal || memorySlices < 1 || memorySlices > geometry.memoryTotal) {
    throw new Error(`MIG profile '${profile}' does not fit a ${geometry.family} (${geometry.computeTotal}g, ${geometry.memoryTotal} memory slices)`);
  }
  return { computeSlices, memorySlices };
}

/** How a slice's share of its GPU is measured: compute g/7, memory m/8, or the larger (stranded capacity). */
export type WeightBasis = 'compute' | 'memory' | 'max';

/** A slice's fraction of its GPU (0–1) on the given basis. */
export function sliceWeight(size: SliceSize, geometry: Pick<MigGeometry, 'computeTotal' | 'memoryTotal'>, basis: WeightBasis): number {
  const compute = size.computeSlices / geometry.computeTotal;
  const memory = size.memorySlices / geometry.memoryTotal;
  if (basis === 'compute') return compute;
  if (basis === 'memory') return memory;
  return Math.max(compute, memory);
}

/**
 * Weights of the slices present on one GPU. Under `max` the weights can add up to more than 1
 * (3g.20gb + 4g.20gb on an A100: 4/8 + 4/7); they are then scaled down to add up to exactly the whole
 * GPU, since the slices together cannot hold more than all of it.
 */
export function sliceWeights(sizes: SliceSize[], geometry: Pick<MigGeometry, 'computeTotal' | 'memoryTotal'>, basis: WeightBasis): number[] {
  const raw = sizes.map((s) => sliceWeight(s, geometry, basis));
  const sum = raw.reduce((a, b) => a + b, 0);
  return sum > 1 ? raw.map((w) => w / sum) : raw;
}
