// The exporter's config: defaults, every bad field named in one message, exit 2 before anything starts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NvmlOptions } from '../src/collectors/collector.ts';
import { ConfigError, loadExporterConfig, parseExporterConfig } from '../src/exporter/config.ts';
import { scheduleCollectors } from '../src/exporter/setup.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'tokenwatt.js');
const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-config-'));

function runWith(yaml: string, extra: string[] = []) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return spawnSync(process.execPath, [BIN, 'exporter', '--config', file, ...extra], { encoding: 'utf8', timeout: 30_000 });
}

function problems(doc: unknown): string {
  try {
    parseExporterConfig(doc, dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('defaults', () => {
  it('an empty file: 0.0.0.0:9464 (the port scrape-configs/tokenwatt.ts assumes), this host, 5 s, NVML auto', () => {
    const c = parseExporterConfig(null);
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(c.host).toBe(hostname());
    expect(c.intervalMs).toBe(5000);
    expect(c.nvml).toBe('auto');
    expect(c.limits).toEqual({ maxBodyBytes: 32 * 1024 * 1024, maxSeriesPerTarget: 200_000, maxLabelsPerSeries: 128, maxLabelLength: 4096, maxConcurrentScrapes: 8, maxConnections: 512, headerTimeout: 10_000 });
    expect(c.energy.pue).toBe(1.2);
    expect(c.targets).toEqual([]);
  });

  it('targets: name defaults to the URL, timeout to 0.8 × interval (at most 10 s), durations in any unit', () => {
    const c = parseExporterConfig({
      interval: '15s',
      nvml: 'replay:../nvidia-h100/trace.csv',
      targets: [
        { kind: 'vllm', url: 'http://10.0.0.1:8000/metrics' },
        { kind: 'dcgm', name: 'dcgm', url: 'https://10.0.0.1:9400/metrics', timeout: '1500ms', interval: '1m', auth: { bearerToken: 't' } },
        { kind: 'vllm', name: 'pod', url: 'http://10.0.0.2:8000/metrics', namespace: 'llm', pod: 'vllm-0', timeout: 2 },
      ],
    }, join(import.meta.dirname, 'fixtures', 'x'));
    expect(c.targets[0]).toEqual({ kind: 'vllm', name: 'http://10.0.0.1:8000/metrics', url: 'http://10.0.0.1:8000/metrics', timeoutMs: 10_000, intervalMs: 15_000 });
    expect(c.targets[1]).toMatchObject({ timeoutMs: 1500, intervalMs: 60_000, auth: { bearerToken: 't' } });
    expect(c.targets[2]).toMatchObject({ timeoutMs: 2000, namespace: 'llm', pod: 'vllm-0' });
    expect(c.nvml).toEqual({ replay: join(import.meta.dirname, 'fixtures', 'nvidia-h100', 'trace.csv') });
  });

  it('kepler, read for its health only, defaults to every 30 s (never more often than the cycle); its own interval wins', () => {
    const kepler = (interval: string, own?: string) =>
      parseExporterConfig({ interval, targets: [{ kind: 'kepler', url: 'http://127.0.0.1:28282/metrics', ...(own && { interval: own }) }, { kind: 'dcgm', url: 'http://127.0.0.1:9400/metrics' }] }).targets;
    expect(kepler('5s').map((t) => t.intervalMs)).toEqual([30_000, 5000]);
    expect(kepler('1m').map((t) => t.intervalMs)).toEqual([60_000, 60_000]);
    expect(kepler('5s', '10s').map((t) => t.intervalMs)).toEqual([10_000, 5000]);
  });
});

describe('the shipped example', () => {
  it('exporters/tokenwatt/tokenwatt.yaml is valid', () => {
    const c = loadExporterConfig(join(import.meta.dirname, '..', 'exporters', 'tokenwatt', 'tokenwatt.yaml'));
    expect(c.listen.port).toBe(9464);
    expect(c.targets.map((t) => t.kind)).toEqual(['dcgm', 'vllm', 'vllm', 'vllm']);
    expect(c.placement).toHaveLength(3);
  });
});

describe('NVML replay identities', () => {
  it('nvmlReplayGpus (as the demo stack writes it) reaches the NVML collector as replayGpus', () => {
    const trace = join(import.meta.dirname, 'fixtures', 'nvidia-h100', 'trace.csv');
    const c = parseExporterConfig({
      listen: '127.0.0.1:9464', host: 'gpu-a', interval: '5s', logLevel: 'warn', nvml: `replay:${trace}`,
      nvmlReplayGpus: { '0': { name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-sim-0', powerLimitWatts: 400 } },
      targets: [{ kind: 'vllm', url: 'http://127.0.0.1:8000/metrics', name: 'vllm:llama' }],
      placement: [{ url: 'http://127.0.0.1:8000/metrics', host: 'gpu-a', gpu: '0' }],
    });
    const seen: NvmlOptions[] = [];
    const scheduled = scheduleCollectors(c, () => {}, (o) => {
      seen.push(o);
      return { kind: 'nvml', name: 'nvml', collect: async () => ({ samples: [] }) };
    });
    expect(scheduled.map((x) => x.collector.kind)).toEqual(['vllm', 'nvml']);
    expect(seen[0]).toMatchObject({ mode: { replay: trace }, host: 'gpu-a', replayGpus: { '0': { name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-sim-0', powerLimitWatts: 400 } } });
  });

  it('refused without a replay, or with a key that is not a GPU index', () => {
    expect(problems({ nvml: 'auto', nvmlReplayGpus: { '0': { uuid: 'x' } } })).toContain('nvmlReplayGpus: applies only with nvml: replay:<trace.csv>');
    expect(problems({ nvmlReplayGpus: { gpu0: { uuid: 'x' } } })).toContain('nvmlReplayGpus.gpu0:');
  });
});

describe('bad fields, each named by its path', () => {
  it('shape errors: all of them in one message', () => {
    const msg = problems({
      listen: 'nope', interval: 'soon', nvml: 'sometimes', logLevel: 'loud',
      targets: [{ kind: 'vllm', url: 'http://ok:1/metrics' }, { kind: 'prometheus', url: 'ftp://x', bogus: 1 }],
      limits: { maxBodyBytes: -1 },
      auth: { bearerToken: 'a', basic: { username: 'u', password: 'p' } },
      energy: { pue: 0.5, currency: 'dollars' },
      placement: [{ host: 'h' }],
    });
    for (const path of ['listen:', 'interval:', 'nvml:', 'logLevel:', 'targets[1].kind:', 'targets[1].url:', 'targets[1].bogus: unknown field',
      'limits.maxBodyBytes:', 'auth:', 'energy.pue:', 'energy.currency:', 'placement[0].gpu:']) {
      expect(msg).toContain(path);
    }
    expect(msg).not.toContain('targets[0]');
    expect(msg).toMatch(/^invalid config \(12 problems\):/);
  });

  it('shape and consistency problems together, in one message', () => {
    const msg = problems({
      energy: { pue: 0 },
      targets: [{ kind: 'vllm', name: 'a', url: 'http://x:1/m', timeout: '9s' }, { kind: 'dcgm', name: 'a', url: 'http://y:1/m' }, { kind: 'nope', url: 'http://z:1/m' }],
    });
    expect(msg).toContain('energy.pue:');
    expect(msg).toContain('targets[2].kind:');
    expect(msg).toContain('targets[0].timeout: 9000 ms is longer than the collection interval 5000 ms');
    expect(msg).toContain("targets[1].name: 'a' is also targets[0]'s name");
    expect(msg).toMatch(/^invalid config \(4 problems\):/);
  });

  it('consistency: timeout past the interval, duplicate names, ambiguous placement, missing files', () => {
    const msg = problems({
      interval: 5,
      tls: { certFile: 'no-cert.pem', keyFile: 'no-key.pem' },
      nvml: 'replay:missing.csv',
      targets: [
        { kind: 'vllm', name: 'a', url: 'http://x:1/metrics', timeout: 6 },
        { kind: 'dcgm', name: 'a', url: 'http://y:1/metrics', interval: 1 },
        { kind: 'kepler', url: 'http://z:1/metrics', namespace: 'n', pod: 'p' },
      ],
      placement: [{ model: 'm', host: 'h', gpu: '0' }, { model: 'm', host: 'h', gpu: '1' }],
    });
    expect(msg).toContain('targets[0].timeout: 6000 ms is longer than the collection interval 5000 ms');
    expect(msg).toContain("targets[1].name: 'a' is also targets[0]'s name");
    expect(msg).toContain('targets[1].interval: 1000 ms is shorter');
    expect(msg).toContain('targets[2]: namespace/pod apply only to serving targets (vllm, sglang');
    expect(msg).toContain("placement[1].model: 'm' is also placement[0]'s model");
    expect(msg).toContain('nvml: replay trace');
    expect(msg).toContain('tls.certFile:');
    expect(msg).toContain('tls.keyFile:');
  });
});

describe('tokenwatt exporter --config (a real process)', () => {
  it('an invalid config: one error naming each bad field on stderr, exit 2, nothing started', () => {
    const r = runWith(`listen: 127.0.0.1:0
targets:
  - kind: vllm
    url: http://127.0.0.1:1/metrics
  - kind: dcgm
    url: not-a-url
    timeout: -3
energy:
  pue: 0.9
`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('tokenwatt exporter: invalid config (3 problems):');
    expect(r.stderr).toContain('targets[1].url: must be an http:// or https:// URL');
    expect(r.stderr).toContain('targets[1].timeout: must be a positive duration');
    expect(r.stderr).toContain('energy.pue: ');
    // No JSON log line: the exporter never started (no port opened, no target read).
    expect(r.stderr).not.toContain('"msg"');
  });

  it('YAML that does not parse, and a missing file: exit 2 with the reason', () => {
    const bad = runWith('targets: [\n  - kind: vllm\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('is not valid YAML');
    const dup = runWith('listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n');
    expect(dup.status).toBe(2);
    expect(dup.stderr).toContain('is not valid YAML');
    const missing = spawnSync(process.execPath, [BIN, 'exporter', '--config', join(dir, 'nope.yaml')], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read config');
  });

  it('--check validates and exits 0; --help prints usage', () => {
    const ok = runWith('nvml: off\ntargets:\n  - kind: kepler\n    url: http://127.0.0.1:28282/metrics\n', ['--check']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('is valid: 1 target(s), nvml off');
    const help = spawnSync(process.execPath, [BIN, 'exporter', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: tokenwatt exporter [--config FILE]');
    const unknown = spawnSync(process.execPath, [BIN, 'exporter', '--bogus'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
  });
});
