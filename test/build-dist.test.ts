// `npx tokenwatt build` and `npm run build` leave one result (issue 12 item 9): the build replaces what it
// generates and leaves dist/bin/, the CLI bundle scripts/bundle.mjs writes and the systemd unit runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/build/index.ts';

describe('build output folder', () => {
  it('keeps bin/ (the bundle) and removes everything else it did not generate (was: bin/ deleted)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tokenwatt-build-'));
    mkdirSync(join(out, 'bin'));
    writeFileSync(join(out, 'bin', 'tokenwatt.mjs'), '// bundle\n');
    mkdirSync(join(out, 'grafana'));
    writeFileSync(join(out, 'grafana', 'stale.json'), '{}\n');
    writeFileSync(join(out, 'stale.txt'), 'x\n');
    const artifacts = await build(out);
    expect(readFileSync(join(out, 'bin', 'tokenwatt.mjs'), 'utf8')).toBe('// bundle\n');
    expect(existsSync(join(out, 'grafana', 'stale.json'))).toBe(false);
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect(artifacts.length).toBeGreaterThan(10);
    for (const a of artifacts.slice(0, 5)) expect(readFileSync(join(out, a.path), 'utf8')).toBe(a.content);
  }, 120_000);
});
