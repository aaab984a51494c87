// `tokenwatt demo` as a user runs it: prints where to look, and Ctrl-C stops everything it started;
// without the Prometheus binaries it says exactly what to install.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBinaries, INSTALL_HINT, MissingBinaryError } from '../src/simulate/stack.ts';

describe('tokenwatt demo', () => {
  it('names what to install when Prometheus or Alertmanager is missing', () => {
    expect(() => findBinaries({ prometheus: ['/nonexistent/prometheus'], alertmanager: ['/usr/bin/prometheus-alertmanager'] })).toThrow(MissingBinaryError);
    try {
      findBinaries({ prometheus: ['/nonexistent/prometheus'], alertmanager: ['/nonexistent/alertmanager'] });
    } catch (err) {
      expect((err as Error).message).toContain('prometheus (looked in /nonexistent/prometheus)');
      expect((err as Error).message).toContain('alertmanager (looked in /nonexistent/alertmanager)');
      expect((err as Error).message).toContain('sudo bash scripts/debian-deps.sh');
      expect(INSTALL_HINT).toContain('apt-get install prometheus prometheus-alertmanager');
    }
  });

  it('prints its URLs, and Ctrl-C stops the fleet, Prometheus and Alertmanager', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokenwatt-demo-cmd-'));
    const proc = spawn(process.execPath, ['bin/tokenwatt.js', 'demo', '--ephemeral-ports', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    proc.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      for (let i = 0; i < 300 && !out.includes('Ctrl-C stops everything.'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('Ctrl-C stops everything.');
      const prom = /Prometheus +(http:\/\/\S+)/.exec(out)![1]!;
      const am = /Alertmanager +(http:\/\/\S+)/.exec(out)![1]!;
      const vllm = /vllm +(http:\/\/\S+)/.exec(out)![1]!;
      for (const u of [`${prom}/-/ready`, `${am}/-/ready`, vllm]) expect((await fetch(u)).ok, u).toBe(true);
      proc.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const u of [`${prom}/-/ready`, `${am}/-/ready`, vllm]) await expect(fetch(u), u).rejects.toThrow();
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
