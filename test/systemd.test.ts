// The bare-metal unit and its sysusers.d file (exporters/tokenwatt/systemd/): systemd's own checker accepts the unit,
// systemd-sysusers creates the user from the file, every NVIDIA device group passes DeviceAllow, and
// the unit's ExecStart/ExecReload, run as plain processes, serve and reload without a restart.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/alertmanager.ts';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const unitText = readFileSync(join(root, 'exporters/tokenwatt/systemd/tokenwatt.service'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'tw-systemd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `Key=value` lines of the [Service] section, in order (keys repeat). */
function service(): [string, string][] {
  const body = unitText.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
  return body.split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const values = (key: string) => service().filter(([k]) => k === key).map(([, v]) => v);

/** fnmatch for the `char-<glob>` device groups systemd matches against /proc/devices. */
const glob = (pattern: string, name: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name);

describe('exporters/tokenwatt/systemd', () => {
  it('systemd-analyze verify accepts the unit', async () => {
    const r = await exec('systemd-analyze', ['verify', join(root, 'exporters/tokenwatt/systemd/tokenwatt.service')]).catch((e) => e);
    expect(r.stderr ?? '', String(r.stderr)).toBe('');
  });

  it('systemd-sysusers creates the tokenwatt system user with no login shell', async () => {
    const fake = join(dir, 'root');
    await exec('mkdir', ['-p', join(fake, 'etc')]);
    await exec('systemd-sysusers', [`--root=${fake}`, join(root, 'exporters/tokenwatt/systemd/tokenwatt.sysusers')]);
    const passwd = readFileSync(join(fake, 'etc/passwd'), 'utf8');
    const line = passwd.split('\n').find((l) => l.startsWith('tokenwatt:'));
    expect(line).toMatch(/^tokenwatt:x:\d+:\d+:tokenwatt exporter:\/var\/lib\/tokenwatt:\/usr\/sbin\/nologin$/);
    expect(Number(line!.split(':')[2])).toBeLessThan(1000); // a system user
    expect(readFileSync(join(fake, 'etc/group'), 'utf8')).toMatch(/^tokenwatt:x:\d+:/m);
    expect(values('User')).toEqual(['tokenwatt']);
  });

  it('allows every NVIDIA device: GPUs 0-7, nvidiactl, UVM and MIG capabilities, under closed device policy', () => {
    expect(values('DevicePolicy')).toEqual(['closed']);
    const allowed = values('DeviceAllow').map((v) => v.split(/\s+/)[0]!);
    // Device groups of /proc/devices on a driver 535-570 host with MIG (nvidia-frontend was renamed nvidia).
    for (const group of ['nvidia-frontend', 'nvidia', 'nvidia-uvm', 'nvidia-caps', 'nvidia-nvlink', 'nvidia-nvswitch']) {
      expect(allowed.some((a) => a.startsWith('char-') && glob(a.slice(5), group)), group).toBe(true);
    }
    expect(allowed.some((a) => a.startsWith('char-') && glob(a.slice(5), 'pts'))).toBe(false);
    expect(values('PrivateDevices')).toEqual([]); // it would hide /dev/nvidia*
  });

  it('ExecStart serves; ExecReload re-reads the config without a restart', async () => {
    const port = await freePort();
    const config = join(dir, 'tokenwatt.yaml');
    writeFileSync(config, `listen: 127.0.0.1:${port}\ninterval: 1s\nnvml: replay:${join(root, 'test/fixtures/nvidia-h100/trace.csv')}\n`);
    const bundle = join(dir, 'pkg', 'dist', 'bin');
    await exec(process.execPath, [join(root, 'scripts/bundle.mjs'), '--outdir', bundle]);
    const env = Object.fromEntries(values('Environment').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    expect(env.TOKENWATT_MAIN).toBe('/opt/tokenwatt/node_modules/tokenwatt/dist/bin/tokenwatt.mjs');
    const argv = values('ExecStart')[0]!.split(/\s+/).map((a) => (a === '${TOKENWATT_MAIN}' ? join(bundle, 'tokenwatt.mjs') : a === '/etc/tokenwatt/tokenwatt.yaml' ? config : a));
    expect(argv[0]).toBe('/usr/bin/node');
    const proc = spawn(process.execPath, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      const until = async (what: () => Promise<boolean>) => {
        for (let i = 0; i < 150; i++) {
          if (await what().catch(() => false)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`timed out: ${stderr}`);
      };
      await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
      const reload = values('ExecReload')[0]!.split(/\s+/).map((a) => (a === '$MAINPID' ? String(proc.pid) : a));
      expect(reload).toEqual(['/bin/kill', '-HUP', String(proc.pid)]);
      await exec(reload[0]!, reload.slice(1));
      await until(async () => stderr.includes('"msg":"config reloaded"'));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
