import type { MixinConfig } from '../config/mixin.ts';

/** One generated file, its path relative to the output folder. */
export interface Artifact {
  path: string;
  content: string;
}

/**
 * A part of the build (Grafana, Prometheus, Alertmanager, Kubernetes). It returns its files, or
 * throws BuildError listing every problem found, each naming the dashboard/panel or rule at fault.
 */
export interface Emitter {
  name: string;
  emit(config: MixinConfig): Artifact[] | Promise<Artifact[]>;
}

export class BuildError extends Error {
  constructor(readonly problems: string[]) {
    super(`build failed with ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
