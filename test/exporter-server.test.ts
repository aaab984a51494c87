// The exporter's endpoints, on a real `tokenwatt exporter` process (readiness, targets, gzip, auth,
// SIGTERM) and in process for basic auth over TLS.
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../src/exporter/server.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, memoryLog, one, seriesOf, Upstreams } from './support/upstream.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'tokenwatt.js');
const TOKEN = 's3cret-token';
const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-server-'));

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, method: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    client.request(url, { method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return request(url, 'GET', headers);
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('a running exporter process', () => {
  let up: Upstreams;
  let proc: ChildProcess;
  let stderr = '';
  let base = '';
  let slowRequests = 0;

  beforeAll(async () => {
    up = await Upstreams.start();
    up.text('/dcgm', thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom'));
    // The first answer takes 2 s, so the first cycle (and readiness) waits for it.
    up.on('/vllm', (_req, res) => {
      const text = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
      if (slowRequests++ === 0) setTimeout(() => res.end(text), 2000);
      else res.end(text);
    });
    const config = join(dir, 'tokenwatt.yaml');
    writeFileSync(config, `listen: 127.0.0.1:0
host: test-host
interval: 3s
nvml: off
auth:
  bearerToken: ${TOKEN}
targets:
  - kind: dcgm
    name: dcgm-l4
    url: ${up.url('/dcgm')}
  - kind: vllm
    name: triton
    url: ${up.url('/vllm')}
    timeout: 2.5s
  - kind: kepler
    name: no-kepler
    url: http://127.0.0.1:1/metrics
placement:
  - model: vllm_model
    host: i-030791dc5a37cd257
    gpu: "0"
`);
    proc = spawn(process.execPath, [BIN, 'exporter', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.setEncoding('utf8');
    base = await new Promise<string>((resolve, reject) => {
      proc.stderr!.on('data', (d: string) => {
        stderr += d;
        const m = /"msg":"listening","address":"([^"]+)","port":(\d+)/.exec(stderr);
        if (m) resolve(`http://127.0.0.1:${m[2]}`);
      });
      proc.on('exit', (code) => reject(new Error(`exporter exited ${code}: ${stderr}`)));
    });
  });

  afterAll(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await up.close();
  });

  it('/readyz is 503 until every collector ran once, then 200; /healthz needs no credentials', async () => {
    const early = await get(`${base}/readyz`, auth);
    expect(early.status).toBe(503);
    // Before the first cycle ends (the triton target answers slowly): no derived series yet, and health
    // only for the targets whose read has ended (issue 12: published per target, not at the cycle's
    // end): the refused no-kepler may be down already, the slow triton is neither up nor down.
    const before = seriesOf((await get(`${base}/metrics`, auth)).body.toString());
    // Build info and the config file's hash and reload state (what dashboards mark config changes by).
    expect(before.filter((x) => !x.name.startsWith('tokenwatt_collector_')).map((x) => x.name).sort()).toEqual([
      'tokenwatt_build_info', 'tokenwatt_config_hash', 'tokenwatt_config_last_reload_success_timestamp_seconds', 'tokenwatt_config_last_reload_successful',
    ]);
    expect(before.filter((x) => x.labels.target === 'triton')).toEqual([]);
    expect((await get(`${base}/healthz`)).status).toBe(200);
    let ready = early;
    for (let i = 0; i < 50 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await get(`${base}/readyz`, auth);
    }
    expect(ready.status).toBe(200);
  });

  it('auth guards /metrics, /readyz and /api/targets: 401 without or with a wrong token', async () => {
    for (const path of ['/metrics', '/readyz', '/api/targets']) {
      const r = await get(base + path);
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer');
      expect((await get(base + path, { authorization: 'Bearer nope-nope-no' })).status).toBe(401);
    }
  });

  it('/api/targets: kind, name, url, up, last error and reason, last success, duration of each target', async () => {
    const r = await get(`${base}/api/targets`, auth);
    expect(r.status).toBe(200);
    const { targets } = JSON.parse(r.body.toString()) as { targets: Record<string, unknown>[] };
    expect(targets.map((t) => [t.kind, t.name, t.up, t.reason])).toEqual([
      ['dcgm', 'dcgm-l4', true, null], ['vllm', 'triton', true, null], ['kepler', 'no-kepler', false, 'connect'],
    ]);
    expect(targets[0]).toMatchObject({ url: up.url('/dcgm'), lastError: null, series: 23 });
    expect(Date.parse(targets[0]!.lastSuccess as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(targets[1]!.durationSeconds as number).toBeGreaterThan(1.5); // the slow first answer
    expect(targets[2]).toMatchObject({ url: 'http://127.0.0.1:1/metrics', lastSuccess: null });
    expect(targets[2]!.lastError).toContain('ECONNREFUSED');
  });

  it('/metrics: text 0.0.4, gzip when asked (the same body), tokenwatt series and the process runtime only', async () => {
    const plain = await get(`${base}/metrics`, auth);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await get(`${base}/metrics`, { ...auth, 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.body.length);
    const text = plain.body.toString();
    // A cycle may end between the two requests, so compare the series (name and labels), not the values.
    const unzipped = gunzipSync(zipped.body).toString();
    const ids = (t: string) => seriesOf(t).map((x) => JSON.stringify([x.name, x.labels])).sort();
    expect(ids(unzipped)).toEqual(ids(text));
    const s = seriesOf(unzipped);
    expect(s.every((x) => x.name.startsWith('tokenwatt_') || /^(process|nodejs)_/.test(x.name))).toBe(true);
    expect(s.some((x) => x.name === 'process_resident_memory_bytes')).toBe(true);
    expect(one(s, 'tokenwatt_collector_up', { collector: 'kepler', target: 'no-kepler' })).toBe(0);
    expect(one(s, 'tokenwatt_collector_errors_total', { target: 'no-kepler', reason: 'connect' })).toBeGreaterThanOrEqual(1);
    expect(one(s, 'tokenwatt_collector_up', { target: 'dcgm-l4' })).toBe(1);
    expect(one(s, 'tokenwatt_engine_info', { model_name: 'vllm_model', mapping: 'static', server: 'vllm' })).toBe(1);
    expect(one(s, 'tokenwatt_gpu_info', { gpu_model: 'NVIDIA L4', energy_source: 'dcgm' })).toBe(1);
  });

  it('SIGTERM: timers stopped, server closed, exit 0, JSON log lines throughout', async () => {
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['starting', 'listening', 'collector failed', 'shutting down', 'stopped']));
    expect(lines.find((l) => l.msg === 'collector failed')).toMatchObject({ level: 'warn', target: 'no-kepler', reason: 'connect' });
    await expect(get(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('basic auth over TLS (in process)', () => {
  it('serves https with a self-signed certificate; basic credentials required', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const { exporter } = exporterFrom({ targets: [] });
    await exporter.runCycle(1000);
    const basic = { username: 'prom', password: 'p@ss:word' };
    const server = await listen(exporter, { host: '127.0.0.1', port: 0, auth: { basic }, tls: { certFile: cert, keyFile: key }, log: memoryLog().log });
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const none = await get(`${url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Basic realm="tokenwatt"');
      const wrong = await get(`${url}/metrics`, { authorization: `Basic ${Buffer.from('prom:nope').toString('base64')}` });
      expect(wrong.status).toBe(401);
      expect((await get(`${url}/metrics`, { authorization: 'Basic' })).status).toBe(401);
      expect((await get(`${url}/metrics`, { authorization: `Bearer ${Buffer.from('prom:p@ss:word').toString('base64')}` })).status).toBe(401);
      expect((await get(`${url}/metrics`, { authorization: `basic ${Buffer.from('prom:p@ss:word').toString('base64')}` })).status).toBe(200);
      const ok = await get(`${url}/metrics`, { authorization: `Basic ${Buffer.from('prom:p@ss:word').toString('base64')}` });
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toContain('tokenwatt_build_info{version=');
      expect((await get(`${url}/readyz`, { authorization: `Basic ${Buffer.from('prom:p@ss:word').toString('base64')}` })).status).toBe(200);
      expect((await get(`${url}/healthz`)).status).toBe(200);
      const creds = { authorization: `Basic ${Buffer.from('prom:p@ss:word').toString('base64')}` };
      const withQuery = await get(`${url}/metrics?debug=1`, creds);
      expect(withQuery.body.toString()).toBe(exporter.metrics.text);
      expect(Number(withQuery.headers['content-length'])).toBe(Buffer.byteLength(exporter.metrics.text));
      const head = await request(`${url}/metrics`, 'HEAD', { ...creds, 'accept-encoding': 'gzip' });
      expect([head.status, head.headers['content-encoding'], Number(head.headers['content-length']), head.body.length]).toEqual([200, 'gzip', exporter.metrics.gzip.length, 0]);
      // The cached gzip is the cycle's text, byte for byte.
      expect(gunzipSync(exporter.metrics.gzip).toString()).toBe(exporter.metrics.text);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('shutdown while a read is in flight', () => {
  it('SIGINT cancels a read stuck on a silent upstream and exits 0 at once, not after its timeout', async () => {
    const silent = http.createServer(() => { /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const config = join(dir, 'silent.yaml');
    writeFileSync(config, `listen: 127.0.0.1:0\ninterval: 10s\nnvml: off\ntargets:\n  - kind: dcgm\n    url: http://127.0.0.1:${(silent.address() as AddressInfo).port}/metrics\n    timeout: 8s\n`);
    const proc = spawn(process.execPath, [BIN, 'exporter', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr!.setEncoding('utf8');
    await new Promise<void>((resolve) => proc.stderr!.on('data', (d: string) => { stderr += d; if (stderr.includes('"listening"')) resolve(); }));
    await new Promise((r) => setTimeout(r, 500)); // the first cycle is now waiting on the silent target
    const t0 = performance.now();
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(stderr).toContain('"signal":"SIGINT"');
    expect(stderr).not.toContain('collector failed');
    silent.closeAllConnections();
    silent.close();
  });
});

describe('scraped by a real Prometheus', () => {
  it('Prometheus 2.42 scrapes /metrics with bearer auth and gzip: target up, no scrape error, series queryable', async () => {
    const { startPrometheus } = await import('./support/prometheus.ts');
    const up = await Upstreams.start();
    let mj = 4_742_776;
    up.text('/dcgm', () => thirdpartyText('dcgm/sample1_l4_kops_full_scrape.prom').replace(/(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*\}) \d+/, `$1 ${(mj += 250_000)}`));
    const { exporter } = exporterFrom({ interval: 1, targets: [{ kind: 'dcgm', name: 'dcgm-l4', url: up.url('/dcgm') }] });
    const server = await listen(exporter, { host: '127.0.0.1', port: 0, auth: { bearerToken: TOKEN }, log: memoryLog().log });
    exporter.start();
    const port = (server.address() as AddressInfo).port;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: tokenwatt\n    honor_labels: true\n    authorization:\n      credentials: ${TOKEN}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
    const prom = await startPrometheus(config);
    try {
      type Vector = { result: { metric: Record<string, string>; value: [number, string] }[] };
      let energy: Vector = { result: [] };
      for (let i = 0; i < 60 && energy.result.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        energy = await prom.api<Vector>(`query?query=${encodeURIComponent('tokenwatt_gpu_energy_joules_total > 0')}`);
      }
      expect(energy.result).toHaveLength(1);
      expect(energy.result[0]!.metric).toMatchObject({ host: 'i-030791dc5a37cd257', gpu: '0', gpu_model: 'NVIDIA L4', job: 'tokenwatt' });
      const targets = await prom.api<{ activeTargets: { health: string; lastError: string }[] }>('targets');
      expect(targets.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
      const collector = await prom.api<Vector>(`query?query=${encodeURIComponent('tokenwatt_collector_up{collector="dcgm",target="dcgm-l4"}')}`);
      expect(collector.result.map((r) => r.value[1])).toEqual(['1']);
    } finally {
      await prom.stop();
      await exporter.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await up.close();
    }
  });
});
