// `tokenwatt inspect` end to end: files, gzip, OpenMetrics, standard input, a local HTTP server, and
// the exit codes. Expected figures are read off the inputs by hand (quoted next to them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.ts';
import { thirdpartyText } from './support/thirdparty.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-inspect-'));
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs `tokenwatt ...args` in this process; returns exit code, stdout and stderr. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  try {
    const code = await main(['inspect', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const A30_ENERGY = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');

describe('tokenwatt inspect on files', () => {
  it('dcgm: prints the documented shape, board energy once per GPU', async () => {
    const r = await run('--kind', 'dcgm', file('a30.prom', A30_ENERGY));
    expect(r.code).toBe(0);
    const view = JSON.parse(r.out);
    // gpu 0 max over its 4 instances: 126272106318 mJ (GPU_I_ID="5"); gpu 1: 134473486744 mJ
    expect(view.gpus.map((g: { gpu: string; energyJoules: number }) => [g.gpu, g.energyJoules]))
      .toEqual([['0', 126272106.318], ['1', 134473486.744]]);
    expect(Object.keys(view.gpus[0]).slice(0, 5)).toEqual(['host', 'gpu', 'uuid', 'model', 'energyJoules']);
    expect(view.gpus[0].migInstances[0]).toEqual({ gpuInstanceId: '3', profile: '1g.6gb', computeSlices: 1, memorySlices: 1 });
    expect(view.gpus[0]).not.toHaveProperty('powerWatts'); // the excerpt has no DCGM_FI_DEV_POWER_USAGE
  });

  it('sglang from a gzip file', async () => {
    const r = await run('--kind', 'sglang', file('sglang.prom.gz', gzipSync(thirdpartyText('sglang/sglang_docs_production_metrics_example.prom'))));
    expect(r.code).toBe(0);
    // sglang:generation_tokens_total{model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.557572e+06
    expect(JSON.parse(r.out).engines[0]).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', engine: '0', generation: 'v1', generationTokens: 7557572 });
  });

  it('vllm OpenMetrics, detected by its # EOF line', async () => {
    const om = [
      '# TYPE vllm:generation_tokens counter',
      'vllm:generation_tokens_total{engine="0",model_name="m"} 42.0',
      '# TYPE vllm:prompt_tokens counter',
      'vllm:prompt_tokens_total{engine="0",model_name="m"} 8.0',
      '# EOF',
      '',
    ].join('\n');
    const r = await run('--kind', 'vllm', file('om.txt', om));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ engines: [{ model: 'm', engine: '0', generation: 'v1', promptTokens: 8, generationTokens: 42 }] });
  });

  it('kepler legacy', async () => {
    const r = await run('--kind', 'kepler', file('k.prom', thirdpartyText('kepler/sample_legacy_issue707_container_joules_total.prom')));
    expect(r.code).toBe(0);
    const view = JSON.parse(r.out);
    expect(view.generation).toBe('legacy');
    // three pods in the four kepler_container_joules_total lines (aws-node-qrj7v has two containers)
    expect(view.pods.map((p: { pod: string }) => p.pod)).toEqual(['kepler-bb5n2', 'aws-node-qrj7v', 'coredns-8fd4db68f-6r666']);
  });

  it('standard input (-), in a real process', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'tokenwatt.js'), 'inspect', '--kind', 'vllm', '-'], {
      input: thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom'),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    // vllm:prompt_tokens_total{model="vllm_model",version="1"} 10; vllm:generation_tokens_total{...} 16
    expect(JSON.parse(r.stdout).engines).toEqual([{ model: 'vllm_model', engine: '0', generation: 'v0', promptTokens: 10, generationTokens: 16 }]);
  });
});

describe('tokenwatt inspect errors', () => {
  it('a parse error exits 1 with line:column: reason', async () => {
    // the raw docs file keeps its '...' elision: line 5 of sample2 is "..." → not a metric name
    const r = await run('--kind', 'vllm', join(import.meta.dirname, 'fixtures', 'thirdparty', 'vllm', 'sample2_vllm_docs_design_metrics_example.prom'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^5:1: /);
  });

  it('a scrape that is not the named kind exits 1 saying so', async () => {
    const r = await run('--kind', 'kepler', file('dcgm.prom', A30_ENERGY));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no Kepler series found/);
  });

  it('usage errors exit 2', async () => {
    expect((await run('x.prom')).code).toBe(2); // no --kind
    expect((await run('--kind', 'tgi', 'x.prom')).code).toBe(2);
    expect((await run('--kind', 'dcgm')).code).toBe(2); // no input
    expect((await run('--kind', 'dcgm', '--format', 'json', 'x')).code).toBe(2);
    expect((await run('--kind', 'dcgm', '--timeout', '0', 'x')).code).toBe(2);
    const missing = await run('--kind', 'dcgm', join(dir, 'does-not-exist.prom'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*does-not-exist\.prom/);
  });
});

describe('tokenwatt inspect on a URL', () => {
  let server: Server;
  let base: string;
  const hung: import('node:http').ServerResponse[] = [];
  let acceptEncoding: string | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/dcgm') {
        acceptEncoding = req.headers['accept-encoding'];
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-encoding': 'gzip' });
        res.end(gzipSync(A30_ENERGY));
      } else if (req.url === '/om') {
        // OpenMetrics by Content-Type (no # EOF detection on URLs)
        res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
        res.end('# TYPE sglang:prompt_tokens counter\nsglang:prompt_tokens_total{model_name="s"} 3\n# EOF\n');
      } else if (req.url === '/slow') {
        hung.push(res); // never answers: the timeout must end the request
      } else {
        res.writeHead(503).end('down');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => { for (const r of hung.splice(0)) r.destroy(); });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gzip body decoded, text format from Content-Type', async () => {
    const r = await run('--kind', 'dcgm', `${base}/dcgm`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).gpus).toHaveLength(2);
    // inspect asks for gzip, as Prometheus does (and the server above sends gzip regardless)
    expect(acceptEncoding).toMatch(/gzip/);
  });

  it('OpenMetrics from Content-Type', async () => {
    const r = await run('--kind', 'sglang', `${base}/om`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).engines[0]).toMatchObject({ model: 's', promptTokens: 3 });
  });

  it('HTTP errors and timeouts exit 1 naming the URL', async () => {
    const down = await run('--kind', 'dcgm', `${base}/nothing`);
    expect(down.code).toBe(1);
    expect(down.err).toBe(`GET ${base}/nothing: HTTP 503 Service Unavailable`);
    const slow = await run('--kind', 'dcgm', '--timeout', '0.2', `${base}/slow`);
    expect(slow.code).toBe(1);
    expect(slow.err).toBe(`GET ${base}/slow: no complete answer within 200 ms`);
  });
});

describe('issue 12 item 9: a new user\'s mistakes', () => {
  it('--kind vllm on a dcgm-exporter scrape: exit 1, saying what the input looks like (was: {"engines": []}, exit 0)', async () => {
    const r = await run('--kind', 'vllm', join(import.meta.dirname, 'fixtures', 'thirdparty', 'dcgm', 'sample1_l4_kops_full_scrape.prom'));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^no vllm data in this exposition: it looks like a dcgm scrape \(23 families, mostly DCGM_\* \(23\)\); try --kind dcgm$/);
  });
  it('a real vLLM capture saved without its final newline is read (was: "the last line has no newline")', async () => {
    const text = thirdpartyText('vllm/sample2_vllm_docs_design_metrics_example.prom').replace(/\n+$/, '');
    const r = await run('--kind', 'vllm', file('no-newline.prom', text));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).engines.length).toBeGreaterThan(0);
  });
  it('a URL that is down: exit 1, as check-metrics and report', async () => {
    const r = await run('--kind', 'vllm', '--timeout', '2', 'http://127.0.0.1:1/metrics');
    expect(r.code).toBe(1);
    expect(r.err).toContain('GET http://127.0.0.1:1/metrics');
  });
});
