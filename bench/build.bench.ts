// Time of a full `tokenwatt build`: every emitter, every check (PromQL syntax and types,
// catalog, MIG, dashboard lint, schema) and the writes. Measured two ways: in process (first
// run, then the median of 5), and as a user runs it, `node bin/tokenwatt.js build` in a fresh
// process (tsx compile and module loading included). Goal: the CLI run <= 5 s.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from '../src/build/index.ts';

const GOAL_S = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export default async function bench() {
  const dir = await mkdtemp(join(tmpdir(), 'tokenwatt-build-bench-'));
  try {
    let files = 0;
    const firstS = await timed(async () => { files = (await build(join(dir, 'a'))).length; });
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await timed(() => build(join(dir, 'a'))));
    const cliRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      cliRuns.push(await timed(() => promisify(execFile)(process.execPath, ['bin/tokenwatt.js', 'build', '--out', join(dir, 'cli')])));
    }
    const cliS = median(cliRuns);
    return {
      cores: availableParallelism(),
      files,
      inProcess: { firstS: Number(firstS.toFixed(3)), medianS: Number(median(runs).toFixed(3)), runsS: runs.map((s) => Number(s.toFixed(3))) },
      cli: { medianS: Number(cliS.toFixed(3)), runsS: cliRuns.map((s) => Number(s.toFixed(3))) },
      goals: { cliS: GOAL_S },
      met: cliS <= GOAL_S,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
