// `tokenwatt build`: run every emitter, fail on any problem, write dist/ deterministically.
import { mkdir, rm, writeFile } from 'node:fs/promises';
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

/** Generate, then replace `outDir` with exactly the generated files. */
export async function build(outDir: string, config: MixinConfig = defaultConfig): Promise<Artifact[]> {
  const artifacts = await generate(config);
  await rm(outDir, { recursive: true, force: true });
  for (const a of artifacts) {
    const file = join(outDir, a.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, a.content);
  }
  return artifacts;
}
