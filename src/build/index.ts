// `tokenwatt build`: run every emitter, fail on any problem, write dist/ deterministically.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { defaultConfig } from '../config/mixin.ts';
import type { MixinConfig } from '../config/mixin.ts';
import { emitters as defaultEmitters } from './emitters.ts';
import { kustomization } from './kubernetes/exporter.ts';
import { BuildError } from './types.ts';
import type { Artifact, Emitter } from './types.ts';

export { BuildError } from './types.ts';
export type { Artifact, Emitter } from './types.ts';

/** Every artifact of every emitter, sorted by path; throws BuildError with all problems found. */
export async function generate(config: MixinConfig = defaultConfig, emitters: Emitter[] = defaultEmitters): Promise<Artifact[]> {
  const problems: string[] = [];
  const out: Artifact[] = [];
  for (const e of emitters) {
    try {
      out.push(...(await e.emit(config)));
    } catch (err) {
      if (err instanceof BuildError) problems.push(...err.problems.map((p) => `${e.name}: ${p}`));
      else throw err;
    }
  }
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.path)) problems.push(`two emitters write ${a.path}`);
    seen.add(a.path);
  }
  if (problems.length > 0) throw new BuildError(problems);
  // Over every manifest, whichever emitter wrote it: `kubectl kustomize dist/kubernetes`.
  if (out.some((a) => a.path.startsWith('kubernetes/'))) out.push(kustomization(out));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The CLI bundle's folder inside dist/ (scripts/bundle.mjs), which a build leaves alone. */
const BUNDLE_DIR = 'bin';

/**
 * Generate, then replace `outDir`'s contents with exactly the generated files, except `bin/`: the CLI
 * bundle scripts/bundle.mjs writes there (`npm run build` runs both; the systemd unit runs the bundle),
 * so `npx tokenwatt build` after `npm run build` leaves the same tree.
 */
export async function build(outDir: string, config: MixinConfig = defaultConfig): Promise<Artifact[]> {
  const artifacts = await generate(config);
  const entries = await readdir(outDir).catch(() => [] as string[]);
  for (const e of entries) if (e !== BUNDLE_DIR) await rm(join(outDir, e), { recursive: true, force: true });
  for (const a of artifacts) {
    const file = join(outDir, a.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, a.content);
  }
  return artifacts;
}
