// Run real promtool (Debian's prometheus package) from tests. A missing binary fails the test
// with the install command: tests never skip silently.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';

const run = promisify(execFile);

export async function tool(bin: 'promtool' | 'amtool', args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code?: number | string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error(`${bin} not found: install it with 'apt-get install -y prometheus prometheus-alertmanager' (the README's test command does)`);
    }
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: { labels: string; value: number }[];
}

/**
 * Evaluate PromQL in Prometheus's own engine: `series` use promtool's input notation
 * ('0+10x20'), `tests` state the expected samples. Resolves to promtool's verdict and output.
 */
export async function promqlTest(opts: {
  series: { series: string; values: string }[];
  tests: ExprTest[];
  interval?: string;
  ruleFiles?: string[];
}): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenwatt-promql-'));
  const file = join(dir, 'test.yaml');
  await writeFile(file, stringify({
    rule_files: opts.ruleFiles ?? [],
    evaluation_interval: '1m',
    tests: [{ interval: opts.interval ?? '1m', input_series: opts.series, promql_expr_test: opts.tests }],
  }));
  try {
    return await tool('promtool', ['test', 'rules', file], dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
