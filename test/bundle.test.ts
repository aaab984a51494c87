// The bundle `npm run build` writes for plain node (scripts/bundle.mjs → dist/bin/tokenwatt.mjs), which
// the deployment guide runs the exporter from: it must be the same program without tsx — same version,
// same commands, an exporter that serves joules from a replayed NVML trace and stops cleanly.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/alertmanager.ts';
import { waitForJoules } from './support/exporter-ready.ts';

const root = join(import.meta.dirname, '..');
// Two levels below the checkout, as dist/bin is: paths resolved from import.meta.url must stay right.
mkdirSync(join(root, '.bundle-test'), { recursive: true });
const out = mkdtempSync(join(root, '.bundle-test', 'out-'));
const entry = join(out, 'tokenwatt.mjs');
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bundle', () => {
  it('builds a plain-node entry point with the commands in their own chunks', () => {
    const printed = execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--outdir', out], { encoding: 'utf8' });
    expect(printed).toMatch(/^bundle: wrote .*tokenwatt\.mjs and \d+ chunks/);
    const files = readdirSync(out);
    expect(files).toContain('tokenwatt.mjs');
    // Lazy command loading survives bundling: the entry does not carry the dashboards or the exporter.
    const main = readFileSync(entry, 'utf8');
    expect(main).not.toContain('tokenwatt_collector_up');
    expect(files.some((f) => f.startsWith('exporter-'))).toBe(true);
  });

  it('reports the package version and the same command list', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [entry, '--version'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
    const help = execFileSync(process.execPath, [entry, '--help'], { encoding: 'utf8' });
    for (const c of ['build', 'exporter', 'check-metrics', 'inspect', 'record', 'analyze', 'simulate', 'demo']) expect(help).toContain(`  ${c} `);
  });

  it('runs the exporter: ready, joules from the replayed counter, exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const config = join(out, 'tokenwatt.yaml');
    writeFileSync(config, [
      `listen: 127.0.0.1:${port}`,
      'interval: 1s',
      `nvml: replay:${join(root, 'test', 'fixtures', 'nvidia-h100', 'trace.csv')}`,
      'targets: []',
    ].join('\n') + '\n');
    const proc = spawn(process.execPath, [entry, 'exporter', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    try {
      const body = await waitForJoules(port);
      expect(body, stderr).toMatch(/tokenwatt_gpu_energy_joules_total\{[^}]*gpu_model="NVIDIA H100 80GB HBM3"[^}]*\} [1-9]/);
      expect(body).toContain('tokenwatt_nvml_up{backend="replay"} 1');
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
