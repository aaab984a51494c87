// Issue 12 "Found" items about the exporter's own trust boundary: credentials in target URLs, slow or
// piled-up connections, interval bounds, TLS file mistakes. Each test here failed before its fix.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../src/collectors/redact.ts';
import { handler } from '../src/exporter/server.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { exporterFrom, find, seriesOf, Upstreams } from './support/upstream.ts';

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
    ]);
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
