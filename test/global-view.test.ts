// The scale-out outputs of the build (src/build/prometheus/global-view.ts): the cluster external
// label, remote_write only when asked for, and the recorded series kept out of it (vmalert records
// them on the global store), checked by promtool and `vmalert -dryRun`. The end-to-end proof with two
// clusters is test/victoriametrics-e2e.test.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { build, generate } from '../src/build/index.ts';
import { evaluatorSeries } from '../src/build/prometheus/global-view.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import type { MixinConfig } from '../src/config/mixin.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { tool } from './support/promtool.ts';

const VMALERT = '/usr/bin/vmalert';
const east: MixinConfig = {
  ...defaultConfig,
  prometheus: { ...defaultConfig.prometheus, cluster: 'east' },
  globalView: { url: 'http://vm.example:8428', remoteWrite: true, alertmanagers: ['http://am-1.example:9093', 'http://am-2.example:9093'] },
};
const file = (files: { path: string; content: string }[], path: string) => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`build wrote no ${path}`);
  return f.content;
};

describe('global view outputs', () => {
  it('labels everything a Prometheus sends with its cluster; remote_write only when globalView.remoteWrite is on', async () => {
    const off = parse(file(await generate(defaultConfig), 'prometheus/prometheus.yml'));
    expect(off.global.external_labels).toEqual({ cluster: 'default' });
    expect(off.remote_write).toBeUndefined();
    const on = parse(file(await generate(east), 'prometheus/prometheus.yml'));
    expect(on.global.external_labels).toEqual({ cluster: 'east' });
    expect(on.remote_write).toHaveLength(1);
    expect(on.remote_write[0].url).toBe('http://vm.example:8428/api/v1/write');
  });

  it('keeps every recorded series and ALERTS out of remote_write, and nothing else', async () => {
    const files = await generate(east);
    const rw = parse(file(files, 'prometheus/prometheus.yml')).remote_write[0];
    const drop = rw.write_relabel_configs.find((r: { action: string }) => r.action === 'drop');
    const re = new RegExp(`^(?:${drop.regex})$`);
    const records = compileGroups(east).flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : [])));
    expect(records.length).toBeGreaterThan(10);
    for (const r of [...records, 'ALERTS', 'ALERTS_FOR_STATE']) expect(re.test(r), r).toBe(true);
    for (const raw of ['vllm:num_requests_running', 'vllm:generation_tokens_total', 'DCGM_FI_DEV_POWER_USAGE', 'tokenwatt_model_energy_joules_total', 'up', 'ALERTS_x']) expect(re.test(raw), raw).toBe(false);
    // The snippet says the same as the built prometheus.yml.
    const snippet = parse(file(files, 'victoriametrics/remote-write.yaml'));
    expect(snippet.remote_write).toEqual([rw]);
    expect(snippet.global.external_labels).toEqual({ cluster: 'east' });
    expect(evaluatorSeries(east)).toContain('ALERTS');
  });

  it('writes vmalert and vmagent flags for the global store and its Alertmanagers', async () => {
    const files = await generate(east);
    const flags = (f: string) => file(files, `victoriametrics/${f}`).split('\n').filter((l) => l.startsWith('-'));
    expect(flags('vmalert.flags')).toEqual([
      '-rule=prometheus/rules/*.yaml', '-datasource.url=http://vm.example:8428', '-remoteWrite.url=http://vm.example:8428',
      '-remoteRead.url=http://vm.example:8428', '-notifier.url=http://am-1.example:9093', '-notifier.url=http://am-2.example:9093', '-evaluationInterval=30s',
    ]);
    expect(flags('vmagent.flags')).toContain('-remoteWrite.url=http://vm.example:8428/api/v1/write');
    // A VictoriaMetrics cluster: vminsert and vmselect URLs apart.
    const cl = await generate({ ...east, globalView: { ...east.globalView, writeUrl: 'http://vminsert:8480/insert/0/prometheus/api/v1/write', queryUrl: 'http://vmselect:8481/select/0/prometheus' } });
    expect(file(cl, 'victoriametrics/vmalert.flags')).toContain('-remoteWrite.url=http://vminsert:8480/insert/0/prometheus\n');
    expect(file(cl, 'victoriametrics/vmalert.flags')).toContain('-datasource.url=http://vmselect:8481/select/0/prometheus\n');
  });

  it('is accepted by promtool check config and by vmalert -dryRun', async () => {
    if (!existsSync(VMALERT)) throw new Error(`${VMALERT} not found: install it with 'sudo bash scripts/debian-deps.sh' (Debian package victoria-metrics)`);
    const d = await mkdtemp(join(tmpdir(), 'tokenwatt-global-view-'));
    try {
      await build(d, east);
      const c = await tool('promtool', ['check', 'config', 'prometheus.yml'], join(d, 'prometheus'));
      expect(c.code, c.out).toBe(0);
      const args = file(await generate(east), 'victoriametrics/vmalert.flags').split('\n').filter((l) => l.startsWith('-rule='));
      const r = await promisify(execFile)(VMALERT, [...args, '-dryRun', '-loggerLevel=ERROR'], { cwd: d }).then(() => 0, (e: { code?: number }) => e.code ?? 1);
      expect(r).toBe(0);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
