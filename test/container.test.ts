// The Dockerfile's final stage, run as a plain process: no container engine or base image can be had on
// this machine (no Docker daemon; distroless/node images cannot be pulled), so the test lays out the
// image's /app from the Dockerfile's own COPY lines (a missing path fails), makes it and the config
// read-only, and runs its ENTRYPOINT + CMD with the same flags, as its USER (when the test runs as root),
// in its WORKDIR: the exporter must serve joules from a replayed trace and stop cleanly on SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/alertmanager.ts';
import { waitForJoules } from './support/exporter-ready.ts';

const root = join(import.meta.dirname, '..');
const rootfs = mkdtempSync(join(tmpdir(), 'tw-image-'));
afterAll(() => {
  execFileSync('chmod', ['-R', 'u+w', rootfs]);
  rmSync(rootfs, { recursive: true, force: true });
});

interface Stage { from: string; lines: string[] }

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^FROM\s/i.test(line)) out.push({ from: line.split(/\s+/)[1]!, lines: [] });
    else out[out.length - 1]!.lines.push(line);
  }
  return out;
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const final = stages(dockerfile).at(-1)!;
const instr = (name: string) => final.lines.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

/** An image path on this machine. */
const host = (p: string) => join(rootfs, p);

describe('the image entrypoint as a plain process', () => {
  it('is a non-root, multi-stage image running the bundle with a capped heap', () => {
    expect(stages(dockerfile).length).toBeGreaterThanOrEqual(2);
    expect(instr('USER')).toEqual(['65532:65532']);
    const entry = JSON.parse(instr('ENTRYPOINT')[0]!) as string[];
    expect(entry).toEqual(['/nodejs/bin/node', '--max-old-space-size=96', '--max-semi-space-size=4', '/app/dist/bin/tokenwatt.mjs']);
    // The DaemonSet passes the same arguments as the image's CMD.
    expect(JSON.parse(instr('CMD')[0]!)).toEqual(['exporter', '--config', '/etc/tokenwatt/tokenwatt.yaml']);
  });

  it('serves joules as user 65532 from a read-only /app and config, and exits 0 on SIGTERM', async () => {
    // Stage 1's product: the bundle (RUN node scripts/bundle.mjs in /src).
    const built = join(rootfs, 'build-src');
    execFileSync(process.execPath, [join(root, 'scripts/bundle.mjs'), '--outdir', join(built, 'dist/bin')]);
    for (const copy of instr('COPY')) {
      const m = /^--from=build\s+\/src\/(\S+)\s+(\S+)$/.exec(copy);
      expect(m, copy).not.toBeNull();
      const [, from, to] = m!;
      const src = from!.startsWith('dist/bin') ? join(built, from!) : join(root, from!);
      expect(existsSync(src), `${copy}: ${src} exists`).toBe(true);
      mkdirSync(dirname(host(to!)), { recursive: true });
      cpSync(src, host(to!), { recursive: true });
    }
    expect(readdirSync(host('/app/dist/bin'))).toContain('tokenwatt.mjs');
    // The ConfigMap mount: config and a replayed trace, read-only.
    const port = await freePort();
    mkdirSync(host('/etc/tokenwatt'), { recursive: true });
    cpSync(join(root, 'test/fixtures/nvidia-h100/trace.csv'), host('/etc/tokenwatt/trace.csv'));
    writeFileSync(host('/etc/tokenwatt/tokenwatt.yaml'), `listen: 127.0.0.1:${port}\ninterval: 1s\nnvml: replay:trace.csv\n`);
    mkdirSync(host('/tmp'), { mode: 0o1777 });
    chmodSync(host('/tmp'), 0o1777);
    execFileSync('chmod', ['-R', 'a-w,a+rX', host('/app'), host('/etc')]);
    chmodSync(rootfs, 0o755);
    expect(statSync(host('/app/dist/bin/tokenwatt.mjs')).mode & 0o222).toBe(0);

    const entry = JSON.parse(instr('ENTRYPOINT')[0]!) as string[];
    const cmd = JSON.parse(instr('CMD')[0]!) as string[];
    const argv = [...entry, ...cmd].map((a) => (a === '/nodejs/bin/node' ? process.execPath : a.startsWith('/app/') || a.startsWith('/etc/') ? host(a) : a));
    const asRoot = process.getuid?.() === 0;
    const [uid, gid] = instr('USER')[0]!.split(':').map(Number);
    const proc = spawn(argv[0]!, argv.slice(1), {
      cwd: host(instr('WORKDIR')[0]!),
      env: { PATH: '/usr/bin:/bin', TMPDIR: host('/tmp'), NODE_NAME: 'gpu-node-1' },
      ...(asRoot && { uid, gid }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      const body = await waitForJoules(port);
      expect(body, stderr).toMatch(/tokenwatt_gpu_energy_joules_total\{host="gpu-node-1"[^}]*\} [1-9]/);
      if (asRoot) expect(readFileSync(`/proc/${proc.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, 'm'));
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  }, 90_000);
});
