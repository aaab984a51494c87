// Runs the real CLI (`node bin/tokenwatt.js check-metrics`) as a user would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tokenwatt-check-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result { code: number; stdout: string; stderr: string }

function cli(args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/tokenwatt.js', 'check-metrics', ...args], { cwd: repo }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('tokenwatt check-metrics', () => {
  it('exits 0 with a summary for a real dcgm-exporter scrape', async () => {
    const r = await cli(['test/fixtures/thirdparty/dcgm/sample1_l4_kops_full_scrape.prom']);
    // 23 TYPE lines, one sample each (grep -c '^# TYPE' / grep -vc '^#').
    expect(r).toEqual({ code: 0, stdout: 'valid text 0.0.4: 23 families, 23 samples\n', stderr: '' });
  });

  it('detects OpenMetrics by its # EOF line, and reads standard input with -', async () => {
    const r = await cli(['-'], '# TYPE a counter\na_total 1\na_created 1700000000\n# EOF\n');
    expect(r).toEqual({ code: 0, stdout: 'valid OpenMetrics 1.0: 1 families, 2 samples\n', stderr: '' });
  });

  it('decompresses a gzip file', async () => {
    const r = await cli([file('m.prom.gz', gzipSync('a{b="c"} 1\nd 2\n'))]);
    expect(r.stdout).toBe('valid text 0.0.4: 2 families, 2 samples\n');
  });

  it('exits 1 with line:column: reason for an invalid exposition', async () => {
    // Line 3 column 8 is the `1` after `x{a="b"` where a ',' or '}' belongs (`x{a="b"` is 7 characters).
    const r = await cli([file('bad.prom', '# TYPE x gauge\nx{a="b"} 1\nx{a="b"1} 2\n')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^3:8: .+\n$/);
  });

  it('checks every label of a wide series without keeping it: counts, and its duplicate (issue 12)', async () => {
    const wide = (dup: boolean) => `m{${Array.from({ length: 20_000 }, (_, i) => `l${dup && i === 15_000 ? 7 : i}="v"`).join(',')}} 1\nn 2\n`;
    expect(await cli([file('wide.prom', wide(false))])).toEqual({ code: 0, stdout: 'valid text 0.0.4: 2 families, 2 samples\n', stderr: '' });
    const bad = await cli([file('wide-dup.prom', wide(true))]);
    expect([bad.code, bad.stderr]).toEqual([1, `1:${wide(true).lastIndexOf('l7="v"') + 1}: duplicate label name 'l7'\n`]);
  });

  it('--format openmetrics makes a text exposition without # EOF invalid', async () => {
    const path = file('text.prom', 'a 1\n');
    expect((await cli([path])).code).toBe(0);
    const r = await cli(['--format', 'openmetrics', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\d+:\d+: missing "# EOF"/);
  });

  it('reports invalid UTF-8 with its position', async () => {
    const r = await cli([file('utf8.prom', Buffer.concat([Buffer.from('a{b="'), Buffer.from([0xff]), Buffer.from('"} 1\n')]))]);
    expect([r.code, r.stderr]).toEqual([1, '1:6: invalid UTF-8\n']);
  });

  it.each([
    [['--nope', 'x.prom'], /Unknown option '--nope'/],
    [[], /missing FILE argument/],
    [['a.prom', 'b.prom'], /expected one FILE argument/],
    [['--format', 'json', 'x.prom'], /--format must be 'text' or 'openmetrics'/],
    [['/nonexistent/metrics.prom'], /cannot read \/nonexistent\/metrics.prom/],
  ])('exits 2 on usage errors: %j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Usage: tokenwatt check-metrics');
  });
});

describe('issue 12 item 9: strict where inspect and the exporter are lenient; one exit code for a URL that is down', () => {
  it('a missing final newline stays invalid, and the message says which rule', async () => {
    const r = await cli([file('no-newline.prom', '# TYPE a gauge\na 1')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^2:4: unexpected end of input: the last line has no newline \(text format 0\.0\.4 ends every line, the last too, with \\n, as prometheus\/common expfmt requires; Prometheus's scrape and `tokenwatt inspect` tolerate its absence\)\n$/);
  });
  it('a URL that is down exits 1 (was 2, while inspect said 1)', async () => {
    const r = await cli(['http://127.0.0.1:1/metrics']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^GET http:\/\/127\.0\.0\.1:1\/metrics: /);
    expect(r.stderr).not.toContain('Usage:');
  });
});
