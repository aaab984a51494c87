// Issue 12 "Found" items about the exporter's own trust boundary: credentials in target URLs, slow or
// piled-up connections, interval bounds, TLS file mistakes. Each test here failed before its fix.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../src/collectors/redact.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';
import { parseExposition } from '../src/exposition/parse.ts';
import { handler, listen } from '../src/exporter/server.ts';
import { Slots } from '../src/exporter/exporter.ts';
import { deflateHead, gzipStitched } from '../src/exporter/stitch.ts';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, seriesOf, Upstreams } from './support/upstream.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'tokenwatt.js');
let up: Upstreams;
beforeAll(async () => {
  up = await Upstreams.start();
});
afterAll(async () => {
  await up.close();
});

describe('credentials in a target URL (issue 12 item 4)', () => {
  it('redactUrl keeps scheme, host, path and plain parameters and hides userinfo and secret-named parameters', () => {
    expect(redactUrl('http://user:pa55@10.0.0.1:8000/metrics?token=abc&format=text')).toBe('http://REDACTED@10.0.0.1:8000/metrics?token=REDACTED&format=text');
    expect(redactUrl('https://h/metrics?api_key=1&X-Amz-Signature=2')).toBe('https://h/metrics?api_key=REDACTED&X-Amz-Signature=REDACTED');
    expect(redactUrl('http://h:9400/metrics')).toBe('http://h:9400/metrics');
  });

  it('never reach the target label, the logs or /api/targets', async () => {
    const good = up.text('/trust-vllm', thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom')).replace('http://', 'http://alice:pa55word@') + '?token=t0psecret';
    const { port } = await new Promise<AddressInfo>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => { const a = s.address() as AddressInfo; s.close(() => resolve(a)); });
    });
    const gone = `http://bob:hunter2@127.0.0.1:${port}/metrics?access_token=t0psecret2`;
    const { exporter, lines } = exporterFrom({ logLevel: 'debug', targets: [{ kind: 'vllm', url: good }, { kind: 'kepler', url: gone }] });
    await exporter.runCycle(1_000_000);
    await exporter.runCycle(1_005_000);
    const text = exporter.metrics.text;
    const series = seriesOf(text);
    expect(find(series, 'tokenwatt_collector_up').map((s) => s.labels.target).sort()).toEqual([
      `http://REDACTED@127.0.0.1:${port}/metrics?access_token=REDACTED`,
      `${up.base.replace('http://', 'http://REDACTED@')}/trust-vllm?token=REDACTED`,
    ].sort());
    const server = http.createServer(handler(exporter, undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const api = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/targets`).then((r) => r.text());
    server.close();
    const logs = JSON.stringify(lines);
    expect(logs).toContain('collector failed');
    for (const where of [text, api, logs]) {
      for (const secret of ['pa55word', 't0psecret', 'hunter2', 'alice', 'bob']) expect(where).not.toContain(secret);
    }
  });
});

describe('interval bounds (issue 12 item 6)', () => {
  it('refuses an interval under 1 s or over 1 h, naming the field; accepts the ends', () => {
    for (const [doc, field] of [
      [{ interval: 0.0001 }, 'interval'], [{ interval: '999h' }, 'interval'], [{ interval: '500ms' }, 'interval'],
      [{ targets: [{ kind: 'dcgm', url: 'http://127.0.0.1:9400/metrics', interval: '2h' }] }, 'targets[0].interval'],
    ] as const) {
      expect(() => parseExporterConfig({ nvml: 'off', ...doc })).toThrow(new RegExp(`\\n  ${field.replace(/[[\]]/g, '\\$&')}: must be between 1s and 1h`));
    }
    expect(parseExporterConfig({ nvml: 'off', interval: '1s' }).intervalMs).toBe(1000);
    expect(parseExporterConfig({ nvml: 'off', interval: '1h' }).intervalMs).toBe(3_600_000);
  });
});

describe('TLS file mistakes (issue 12 item 7): exit 2 naming tls.certFile / tls.keyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-tls-'));
  const pair = (name: string) => {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { key, cert };
  };
  const a = pair('a');
  const b = pair('b');
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a pem file\n');
  const check = (certFile: string, keyFile: string) => {
    const config = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(config, `listen: 127.0.0.1:0\nnvml: off\ntls:\n  certFile: ${certFile}\n  keyFile: ${keyFile}\n`);
    const r = spawnSync(process.execPath, [BIN, 'exporter', '--config', config, '--check'], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  it.each([
    ['a directory', () => check(dir, a.key), /tls\.certFile: .* is a directory, not a PEM file/],
    ['garbage as the key', () => check(a.cert, garbage), /tls\.keyFile: .*garbage\.pem is not a PEM private key/],
    ['garbage as the certificate', () => check(garbage, a.key), /tls\.certFile: .*garbage\.pem is not a PEM certificate/],
    ['the files swapped', () => check(a.key, a.cert), /tls\.certFile: .* is not a PEM certificate \(it holds a private key: are certFile and keyFile swapped\?\)/],
    ['the key of another certificate', () => check(a.cert, b.key), /tls\.keyFile: .*b\.key does not match the certificate in tls\.certFile/],
  ])('%s', (_what, run, message) => {
    const { status, stderr } = run();
    expect(stderr).toMatch(message);
    expect(status).toBe(2);
  }, 30_000);
  it('a good pair passes --check', () => {
    expect(check(a.cert, a.key).status).toBe(0);
  }, 30_000);
});

describe('bounded targets in flight (issue 11 item 4)', () => {
  it('never more than limits.maxConcurrentScrapes targets read at once; all of them read each cycle', async () => {
    let now = 0;
    let most = 0;
    let served = 0;
    const text = thirdpartyText('kepler/sample_rewrite_pr2037_node_energy_zone.prom');
    const targets = Array.from({ length: 20 }, (_, i) => ({
      kind: 'kepler', name: `k${i}`,
      url: up.on(`/inflight/${i}`, (_req, res) => {
        now++;
        most = Math.max(most, now);
        setTimeout(() => { now--; served++; res.end(text); }, 30);
      }),
    }));
    const { exporter } = exporterFrom({ limits: { maxConcurrentScrapes: 3 }, targets });
    await exporter.runCycle(1_000_000);
    expect(served).toBe(20);
    expect(most).toBe(3);
    expect(find(seriesOf(exporter.metrics.text), 'tokenwatt_collector_up').every((s) => s.value === 1)).toBe(true);
  });
});

describe('down-detection within one cycle (issue 12 soak: a hung target delayed it to ~16 s)', () => {
  it('a target that fails is published down when its read ends, while hung targets still hold the cycle and outnumber the slots', async () => {
    const hung: http.ServerResponse[] = [];
    // Read every cycle (Kepler's default is every 30 s), so they hang in the second cycle too.
    const hang = (i: number) => ({ kind: 'kepler', name: `hang${i}`, timeout: '1500ms', interval: '5s', url: up.on(`/down/hang${i}`, (_req, res) => { hung.push(res); }) });
    let failing = false;
    const vllm = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
    const flappy = { kind: 'vllm', name: 'flappy', url: up.on('/down/flappy', (_req, res) => { if (failing) { res.statusCode = 503; res.end('down\n'); } else res.end(vllm); }) };
    // Two slots, three hung targets listed first: before, flappy queued behind them for a whole timeout.
    const { exporter } = exporterFrom({ interval: '5s', limits: { maxConcurrentScrapes: 2 }, targets: [hang(0), hang(1), hang(2), flappy] });
    const upOf = () => find(seriesOf(exporter.metrics.text), 'tokenwatt_collector_up', { target: 'flappy' })[0]?.value;
    await exporter.runCycle(1_000_000);
    expect(upOf()).toBe(1);
    failing = true;
    let cycleDone = false;
    const cycle = exporter.runCycle(1_005_000).then(() => { cycleDone = true; });
    while (upOf() !== 0 && !cycleDone) await new Promise((r) => setTimeout(r, 10));
    // Published down by itself, before the hung targets' timeouts ended the cycle.
    expect(cycleDone).toBe(false);
    expect(upOf()).toBe(0);
    // The body stays one valid exposition while health is re-published (both formats, gzip too).
    const m = exporter.metrics;
    expect(gunzipSync(m.gzip).equals(m.body)).toBe(true);
    expect(gunzipSync(m.omGzip).equals(m.om)).toBe(true);
    parseExposition(m.om.toString(), { format: 'openmetrics' });
    await cycle;
    for (const res of hung) res.destroy();
    expect(find(seriesOf(exporter.metrics.text), 'tokenwatt_collector_up').filter((x) => x.labels.target?.startsWith('hang')).map((x) => x.value)).toEqual([0, 0, 0]);
  }, 20_000);

  it('slots: targets whose last read timed out wait behind the others and hold at most half the slots', async () => {
    const slots = new Slots(4);
    const order: string[] = [];
    const take = (name: string, suspect: boolean) => slots.acquire(suspect).then(() => { order.push(name); });
    const all = [take('s1', true), take('s2', true), take('s3', true), take('h1', false), take('h2', false), take('h3', false)];
    await new Promise((r) => setTimeout(r, 0));
    // Four slots: two suspects at most, the healthy ones take the other two even though they asked later.
    expect(order).toEqual(['s1', 's2', 'h1', 'h2']);
    slots.release(true); // a suspect's slot goes to the waiting healthy target first
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['s1', 's2', 'h1', 'h2', 'h3']);
    slots.release(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual(['s1', 's2', 'h1', 'h2', 'h3', 's3']);
    await Promise.all(all);
    const one = new Slots(1);
    await one.acquire(true); // a single slot still serves suspects
  });

  it('the stitched gzip is one member: a large head deflated once, then any tail', async () => {
    const head = Buffer.from('a_series{x="1"} 1\n'.repeat(5000));
    const h = deflateHead(head);
    for (const tail of ['', 'tail 1\n', '# EOF\n'.repeat(100)]) {
      const gz = gzipStitched(h, Buffer.from(tail));
      expect(gunzipSync(gz).toString()).toBe(head.toString() + tail);
      // One DEFLATE stream from the header to the 8-byte trailer (not concatenated gzip members).
      expect(inflateRawSync(gz.subarray(10, gz.length - 8)).toString()).toBe(head.toString() + tail);
    }
  });
});

describe('connection cap and header timeout (issue 12 item 5)', () => {
  it('sockets past maxConnections are closed on arrival, slow-header ones after the header timeout, and /metrics answers again', async () => {
    const { exporter } = exporterFrom({ targets: [] });
    await exporter.runCycle(1_000_000);
    const server = await listen(exporter, { host: '127.0.0.1', port: 0, maxConnections: 10, headerTimeoutMs: 500, log: () => {} });
    const { port } = server.address() as AddressInfo;
    const closedAt: number[] = [];
    const t0 = performance.now();
    const sockets = Array.from({ length: 30 }, () => {
      const s = net.connect(port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
      s.on('error', () => {});
      s.resume(); // read the server's 408 and its end, or 'close' never comes
      s.on('close', () => closedAt.push(performance.now() - t0));
      return s;
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(closedAt.length).toBeGreaterThanOrEqual(20);
      await new Promise((r) => setTimeout(r, 2700));
      expect(closedAt).toHaveLength(30);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('tokenwatt_build_info');
    } finally {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('prom-client runtime metrics and OpenMetrics (issue 12, also)', () => {
  it('serves process and Node runtime metrics beside the derived series, as text 0.0.4 or OpenMetrics as the scraper asks', async () => {
    const { exporter } = exporterFrom({ targets: [{ kind: 'kepler', name: 'k', url: up.text('/om-kepler', thirdpartyText('kepler/sample_rewrite_pr2037_node_energy_zone.prom')) }] });
    await exporter.runCycle(1_000_000);
    const server = http.createServer(handler(exporter, undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      const text = await fetch(url);
      expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const names = new Set(parseExposition(await text.text(), { format: 'text' }).map((f) => f.name));
      for (const n of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'tokenwatt_collector_up', 'tokenwatt_build_info']) expect(names).toContain(n);
      // Prometheus's own Accept header: OpenMetrics preferred.
      const om = await fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'accept-encoding': 'gzip' } });
      expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      const body = await om.text();
      expect(body.endsWith('# EOF\n')).toBe(true);
      // Valid by the OpenMetrics rules (the strict parser follows the conformance suite).
      const fams = parseExposition(body, { format: 'openmetrics' });
      const byName = new Map(fams.map((f) => [f.name, f]));
      expect(byName.get('process_cpu_seconds')!.type).toBe('counter');
      expect(byName.get('process_cpu_seconds')!.samples[0]!.name).toBe('process_cpu_seconds_total');
      expect(byName.get('tokenwatt_build')!.type).toBe('info');
      expect(byName.get('tokenwatt_build')!.samples[0]!.name).toBe('tokenwatt_build_info');
      // text/plain preferred, or no OpenMetrics at all: text 0.0.4.
      for (const accept of ['text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5', '*/*']) {
        expect((await fetch(url, { headers: { accept } })).headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      }
    } finally {
      server.close();
    }
  });
});

describe('a scrape without its final newline (issue 12 item 9)', () => {
  it('is read by the exporter, as Prometheus reads it (was: target down, reason parse)', async () => {
    const url = up.text('/no-final-newline', thirdpartyText('kepler/sample_rewrite_pr2037_node_energy_zone.prom').replace(/\n+$/, ''));
    const { exporter } = exporterFrom({ targets: [{ kind: 'kepler', name: 'k', url }] });
    await exporter.runCycle(1_000_000);
    expect(find(seriesOf(exporter.metrics.text), 'tokenwatt_collector_up', { target: 'k' }).map((s) => s.value)).toEqual([1]);
  });
});

describe('config messages with a hint (issue 12 item 9)', () => {
  const problems = (doc: Record<string, unknown>) => {
    try {
      parseExporterConfig({ nvml: 'off', ...doc });
    } catch (err) {
      return (err as Error).message.split('\n').slice(1).map((l) => l.trim());
    }
    throw new Error('expected a ConfigError');
  };
  it('gpu: 0 says to quote it; listen: 9464 says host:port (was: "Invalid input")', () => {
    expect(problems({ placement: [{ model: 'm', host: 'h', gpu: 0 }] })).toEqual(['placement[0].gpu: Invalid input (YAML read 0 as a number: quote it, gpu: "0")']);
    expect(problems({ listen: 9464 })).toEqual(['listen: Invalid input: expected string, received number (listen is host:port, e.g. listen: "0.0.0.0:9464")']);
  });
  it('an unknown field suggests the one meant', () => {
    expect(problems({ intervall: 5, limits: { maxBodyByte: 1 }, targets: [{ kind: 'dcgm', url: 'http://127.0.0.1:9400/metrics', timout: 1 }], zzz: 1 }).sort()).toEqual([
      "intervall: unknown field (did you mean 'interval'?)",
      "limits.maxBodyByte: unknown field (did you mean 'maxBodyBytes'?)",
      "targets[0].timout: unknown field (did you mean 'timeout'?)",
      'zzz: unknown field',
    ]);
  });
});
