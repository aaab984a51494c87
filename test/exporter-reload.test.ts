// Config reload: targets added and removed in a running exporter (SIGHUP, the file changing) with no
// counter going backwards and no joule lost; a bad file is refused and the running config stays.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configHash } from '../src/exporter/config-state.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';
import { Exporter } from '../src/exporter/exporter.ts';
import { LiveTargets, watchConfig } from '../src/exporter/reload.ts';
import { scheduleCollectors } from '../src/exporter/setup.ts';
import { freePort } from './support/alertmanager.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { find, memoryLog, one, seriesOf, Upstreams } from './support/upstream.ts';
import type { Series } from './support/upstream.ts';

const A30 = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');
const A30_HOST = 'yg-data-k8s-gpu-a30-node-test-test0003.mt';
const TRITON = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
const root = join(import.meta.dirname, '..');

let up: Upstreams;
const dir = mkdtempSync(join(tmpdir(), 'tw-reload-'));
beforeAll(async () => {
  up = await Upstreams.start();
});
afterAll(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every counter present in both scrapes is at least what it was. */
function expectMonotonic(before: Series[], after: Series[]): void {
  const key = (s: Series) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
  const was = new Map(before.filter((s) => s.name.endsWith('_total')).map((s) => [key(s), s.value]));
  for (const s of after) {
    const v = was.get(key(s));
    if (v !== undefined) expect(s.value, key(s)).toBeGreaterThanOrEqual(v);
  }
}

describe('LiveTargets in a running exporter', () => {
  it('adds and removes targets between cycles; energy and tokens carry on, a removed and returning GPU exporter loses no joule', async () => {
    let mj = 0;
    const served: number[] = [];
    up.on('/r/dcgm', (_req, res) => {
      const text = A30.replace(/^(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="0"[^}]*\}) (\d+)$/gm, (_m, head: string, v: string) => `${head} ${Number(v) + mj}`);
      served.push(Number(/^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*gpu="0"[^}]*\} (\d+)$/m.exec(text)![1]));
      res.end(text);
    });
    let tokens = 16;
    up.text('/r/vllm', () => TRITON.replace(/(vllm:generation_tokens_total\{[^}]*\}) 16/, `$1 ${(tokens += 100)}`));
    const dcgm = { kind: 'dcgm', name: 'a30', url: up.url('/r/dcgm') };
    const vllm = { kind: 'vllm', name: 'triton', url: up.url('/r/vllm') };
    const placement = [{ model: 'vllm_model', host: A30_HOST, gpu: '0', gpuInstanceId: '3' }];
    const first = parseExporterConfig({ nvml: 'off', targets: [dcgm] });
    const { log, lines } = memoryLog();
    const exporter = new Exporter([], first.energy, first.intervalMs, log);
    const live = new LiveTargets(exporter, first, log);
    exporter.replaceTargets(scheduleCollectors(first, log, undefined, live.shared));

    let t = 1_000_000;
    let prev: Series[] = [];
    const cycle = async () => {
      mj += 1_000_000; // 1 kJ per 5 s on GPU 0: 200 W
      t += 5000;
      await exporter.runCycle(t);
      const s = seriesOf(exporter.metrics.text);
      expectMonotonic(prev, s);
      prev = s;
      return s;
    };
    await cycle();
    await cycle();
    expect(exporter.targets.map((x) => x.name)).toEqual(['a30']);

    // Reload adds the engine and its placement: it is read from the next cycle on; dcgm keeps running.
    live.setConfig(parseExporterConfig({ nvml: 'off', targets: [dcgm, vllm], placement }));
    expect(exporter.targets.map((x) => x.name)).toEqual(['a30', 'triton']);
    expect(exporter.targets[0]!.up).toBe(true); // the same collector, not a new one waiting for its first run
    expect(exporter.ready).toBe(true);
    for (let i = 0; i < 3; i++) await cycle();
    let s = prev;
    expect(one(s, 'tokenwatt_model_generation_tokens_total', { model_name: 'vllm_model' })).toBe(200);

    // Reload without dcgm-exporter: its series of collector health end, the GPU's counters stay.
    live.setConfig(parseExporterConfig({ nvml: 'off', targets: [vllm], placement }));
    expect(exporter.targets.map((x) => x.name)).toEqual(['triton']);
    await cycle();
    await cycle();
    s = prev;
    expect(find(s, 'tokenwatt_collector_up', { target: 'a30' })).toHaveLength(0);
    expect(find(s, 'tokenwatt_gpu_energy_joules_total', { gpu: '0' })).toHaveLength(1);

    // Back again: the joules drawn while it was not read are counted from the last reading on.
    live.setConfig(parseExporterConfig({ nvml: 'off', targets: [dcgm, vllm], placement }));
    await cycle();
    await cycle();
    s = prev;
    const drawn = (served[served.length - 1]! - served[0]!) / 1000;
    expect(one(s, 'tokenwatt_gpu_energy_joules_total', { gpu: '0' })).toBeCloseTo(drawn, 6);
    expect(drawn).toBeGreaterThan(5000);
    expect(lines.filter((l) => l.msg.startsWith('targets changed'))).toHaveLength(3);
  });

  it('fields that need a restart are named and keep their running values', () => {
    const first = parseExporterConfig({ nvml: 'off', listen: '127.0.0.1:9464' });
    const { log, lines } = memoryLog();
    const exporter = new Exporter([], first.energy, first.intervalMs, log);
    const live = new LiveTargets(exporter, first, log);
    live.setConfig(parseExporterConfig({ nvml: 'off', listen: '127.0.0.1:9999', energy: { pue: 1.5 }, targets: [{ kind: 'vllm', url: 'http://127.0.0.1:1/metrics' }] }));
    const warn = lines.find((l) => l.msg.startsWith('config reload: these fields'));
    expect(warn?.fields?.fields).toEqual(['listen', 'energy']);
    expect(live.current.listen.port).toBe(9464);
    expect(live.current.targets).toHaveLength(1);
  });
});

describe('a ConfigMap update', () => {
  it('is seen when the kubelet swaps the ..data symlink (the file itself is never written)', async () => {
    // The layout of a ConfigMap volume: tokenwatt.yaml -> ..data/tokenwatt.yaml, ..data -> ..<timestamp>/.
    const vol = join(dir, 'configmap');
    const version = (name: string, targets: string) => {
      mkdirSync(join(vol, name), { recursive: true });
      writeFileSync(join(vol, name, 'tokenwatt.yaml'), `nvml: off\ntargets: ${targets}\n`);
    };
    version('..2026_12_03_10_00_00.1', '[]');
    symlinkSync('..2026_12_03_10_00_00.1', join(vol, '..data'));
    symlinkSync('..data/tokenwatt.yaml', join(vol, 'tokenwatt.yaml'));
    const file = join(vol, 'tokenwatt.yaml');
    const first = parseExporterConfig({ nvml: 'off' });
    const { log, lines } = memoryLog();
    const exporter = new Exporter([], first.energy, first.intervalMs, log);
    const live = new LiveTargets(exporter, first, log);
    const stop = watchConfig(file, live, log);
    try {
      await new Promise((r) => setTimeout(r, 200));
      version('..2026_12_03_10_05_00.2', `[{ kind: vllm, name: new, url: "${up.url('/cm/vllm')}" }]`);
      symlinkSync('..2026_12_03_10_05_00.2', join(vol, '..data_tmp'));
      renameSync(join(vol, '..data_tmp'), join(vol, '..data'));
      for (let i = 0; i < 100 && exporter.targets.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(exporter.targets.map((t) => t.name)).toEqual(['new']);
      expect(lines.some((l) => l.msg === 'config reloaded' && l.fields?.why === 'file changed')).toBe(true);
    } finally {
      stop();
    }
  });
});

describe('tokenwatt exporter reloads its config file', () => {
  it('on a file change and on SIGHUP; a bad file is refused; NVML joules never go backwards', async () => {
    const port = await freePort();
    const file = join(dir, 'tokenwatt.yaml');
    const base = [`listen: 127.0.0.1:${port}`, 'interval: 1s', `nvml: replay:${join(root, 'test/fixtures/nvidia-h100/trace.csv')}`];
    const write = (targets: string[]) => writeFileSync(file, [...base, 'targets:', ...targets.map((t) => `  - ${t}`), ''].join('\n').replace('targets:\n\n', 'targets: []\n'));
    up.text('/c/a', TRITON);
    up.text('/c/b', TRITON);
    write([`{ kind: vllm, name: a, url: "${up.url('/c/a')}" }`]);
    const proc = spawn(process.execPath, [join(root, 'bin/tokenwatt.js'), 'exporter', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text());
    const targets = async () => (JSON.parse(await get("/api/targets")) as { targets: { name: string }[] }).targets.map((x) => x.name).filter((n) => n !== 'local').sort();
    const until = async (what: () => Promise<boolean>, ms = 15_000) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (await what().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out; stderr:\n${stderr}`);
    };
    const energy = async () => find(seriesOf(await get('/metrics')), 'tokenwatt_gpu_energy_joules_total').reduce((a, x) => a + x.value, 0);
    /** tokenwatt_config_* as served: what dashboards mark config changes by. */
    const configState = async () => {
      const s = seriesOf(await get('/metrics'));
      const v = (name: string) => find(s, name)[0]?.value;
      return { hash: v('tokenwatt_config_hash'), ok: v('tokenwatt_config_last_reload_successful'), at: v('tokenwatt_config_last_reload_success_timestamp_seconds') };
    };
    const fileHash = () => configHash(readFileSync(file, 'utf8'));
    try {
      await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 && (await energy()) > 0);
      expect(await targets()).toEqual(['a']);
      const e0 = await energy();
      const c0 = await configState();
      expect(c0).toMatchObject({ hash: fileHash(), ok: 1 });
      expect(c0.at).toBeGreaterThan(Date.now() / 1000 - 60);

      write([`{ kind: vllm, name: a, url: "${up.url('/c/a')}" }`, `{ kind: vllm, name: b, url: "${up.url('/c/b')}" }`]);
      await until(async () => (await targets()).join() === 'a,b');
      const e1 = await energy();
      expect(e1).toBeGreaterThanOrEqual(e0);
      const applied = fileHash();
      await until(async () => (await configState()).hash === applied);
      expect(applied).not.toBe(c0.hash);

      writeFileSync(file, [...base, 'targets:', '  - { kind: vllm, url: not-a-url }', ''].join('\n'));
      await until(async () => stderr.includes('config reload refused'));
      expect(await targets()).toEqual(['a', 'b']);
      // Refused: the running config's hash stays, and the failure is a series, not only a log line.
      await until(async () => (await configState()).ok === 0);
      expect((await configState()).hash).toBe(applied);

      // SIGHUP reloads even when the watcher has nothing new to say.
      write([`{ kind: vllm, name: b, url: "${up.url('/c/b')}" }`]);
      proc.kill('SIGHUP');
      await until(async () => (await targets()).join() === 'b');
      await until(async () => stderr.includes('"why":"SIGHUP"'));
      await until(async () => (await configState()).ok === 1 && (await configState()).hash === fileHash());
      const e2 = await energy();
      expect(e2).toBeGreaterThanOrEqual(e1);
      // The trace's counter moves in steps (the driver updates it every few hundred ms): it keeps counting.
      await until(async () => (await energy()) > e2);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
