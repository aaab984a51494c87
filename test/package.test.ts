// The installable package: `npm pack` (its prepack bundles the CLI), installed into an empty folder
// with npm offline (nothing fetched: the tarball carries its code, koffi comes from the npm cache `npm ci`
// filled or is skipped as optional), and every command run there on plain node: no tsx, no src/.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from './support/alertmanager.ts';
import { waitForJoules } from './support/exporter-ready.ts';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tw-package-'));
const app = join(work, 'app');
const offline = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
/** `npx tokenwatt …` in the install folder, as a user types it. */
const tokenwatt = (args: string[]) => exec('npx', ['tokenwatt', ...args], { cwd: app, env: offline, encoding: 'utf8' });
let tarball: string;

beforeAll(async () => {
  const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, env: offline, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  writeFileSync(join(work, 'files.json'), JSON.stringify(info[0]!.files.map((f) => f.path)));
  rmSync(app, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "consumer", "private": true }\n');
  await exec('npm', ['install', '--ignore-scripts', '--no-package-lock', tarball], { cwd: app, env: offline, encoding: 'utf8' });
}, 240_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack → install into an empty folder → run', () => {
  it('ships the bundle and the files it reads, not the TypeScript sources', () => {
    const files = JSON.parse(readFileSync(join(work, 'files.json'), 'utf8')) as string[];
    expect(files).toContain('dist/bin/tokenwatt.mjs');
    expect(files).toContain('bin/tokenwatt.js');
    expect(files).toContain('tokenwatt.build.example.yaml');
    expect(files.some((f) => f.startsWith('docs/runbooks/'))).toBe(true);
    expect(files.some((f) => f.startsWith('src/'))).toBe(false);
    // Nothing but the package (and optional koffi) was installed: no tsx, esbuild or express to load.
    const installed = readdirSync(join(app, 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed.filter((d) => d !== 'koffi')).toEqual(['tokenwatt']);
  });

  it('npx tokenwatt --version and --help', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect((await tokenwatt(['--version'])).stdout.trim()).toBe(pkg.version);
    const help = (await tokenwatt(['--help'])).stdout;
    for (const c of ['build', 'exporter', 'check-metrics', 'inspect', 'record', 'analyze', 'simulate', 'demo']) expect(help).toContain(`  ${c} `);
  }, 60_000);

  it('npx tokenwatt build --config: the shipped example builds, and its settings are in the output', async () => {
    const config = join(app, 'tokenwatt.build.yaml');
    writeFileSync(config, readFileSync(join(app, 'node_modules/tokenwatt/tokenwatt.build.example.yaml'), 'utf8').replace('cluster: default', 'cluster: pkg-test'));
    const r = await tokenwatt(['build', '--config', config, '--out', join(app, 'dist')]);
    expect(r.stdout).toMatch(/built \d+ files/);
    const targets = parse(readFileSync(join(app, 'dist/prometheus/targets/vllm.yaml'), 'utf8'));
    expect(targets[0].labels.cluster).toBe('pkg-test');
    // The build checks runbooks from the package's docs/runbooks (resolved next to the bundle).
    expect(readFileSync(join(app, 'dist/prometheus/rules/llm-serving.yaml'), 'utf8')).toContain('runbook_url');
  }, 120_000);

  it('npx tokenwatt check-metrics and exporter --check', async () => {
    const scrape = join(app, 'ok.prom');
    writeFileSync(scrape, '# TYPE x counter\nx_total 1\n');
    expect((await tokenwatt(['check-metrics', scrape])).stdout).toBeDefined();
    const cfg = join(app, 'tokenwatt.yaml');
    writeFileSync(cfg, 'listen: 127.0.0.1:9464\ntargets:\n  - { kind: vllm, url: http://127.0.0.1:8000/metrics }\n');
    await tokenwatt(['exporter', '--config', cfg, '--check']);
    writeFileSync(cfg, 'listen: 127.0.0.1:9464\ntargets:\n  - { kind: vllm, url: nope }\n');
    const bad = await tokenwatt(['exporter', '--config', cfg, '--check']).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('targets[0].url');
  }, 60_000);

  it('npx tokenwatt exporter serves joules from a replayed NVML trace and stops on SIGTERM', async () => {
    const port = await freePort();
    const cfg = join(app, 'replay.yaml');
    writeFileSync(cfg, `listen: 127.0.0.1:${port}\ninterval: 1s\nnvml: replay:${join(root, 'test/fixtures/nvidia-h100/trace.csv')}\n`);
    // The installed bin directly (npx would add a process between us and the exporter).
    const proc = spawn(process.execPath, [join(app, 'node_modules/.bin/tokenwatt'), 'exporter', '--config', cfg], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      const body = await waitForJoules(port);
      expect(body, stderr).toMatch(/tokenwatt_gpu_energy_joules_total\{[^}]*\} [1-9]/);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);
  }, 60_000);
});
