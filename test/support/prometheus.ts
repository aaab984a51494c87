// Start the real Prometheus 2.42 (Debian's /usr/bin/prometheus) on a free 127.0.0.1 port for
// tests; always stopped by the caller via stop().
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './alertmanager.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/<path> and return `data`, throwing on an API error. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
  log(): string;
}

/** `storageDir`: an existing TSDB (e.g. backfilled blocks) to serve; it is kept on stop. */
export async function startPrometheus(configFile: string, extraArgs: string[] = [], storageDir?: string): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} not found: install it with 'apt-get install -y prometheus'`);
  const storage = storageDir ?? await mkdtemp(join(tmpdir(), 'tokenwatt-prom-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const proc = spawn(PROMETHEUS_BIN, [
    `--config.file=${configFile}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (b: Buffer) => { output += b.toString(); });
  proc.stderr.on('data', (b: Buffer) => { output += b.toString(); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
    if (storageDir === undefined) await rm(storage, { recursive: true, force: true });
  };
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, api, stop, log: () => output };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}:\n${output}`);
}
