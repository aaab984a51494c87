// An unplaced engine is loud (issue 12 item 3): a warning naming engine, host and instance, a
// tokenwatt_engine_placed gauge (0/1), an alert; `simulate --print-exporter-config` places every engine
// of a fleet, and the shipped exporters/tokenwatt/tokenwatt.yaml places every engine of the reference
// simulated fleet (run against it, not just parsed).
import { scrapeWorkerReady } from '../src/collectors/scrape-pool.ts';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fleetExporterConfig } from '../src/commands/simulate.ts';
import type { Collector } from '../src/collectors/collector.ts';
import { loadExporterConfig, parseExporterConfig } from '../src/exporter/config.ts';
import { Exporter } from '../src/exporter/exporter.ts';
import { scheduleCollectors } from '../src/exporter/setup.ts';
import { FLEET_DIR, loadFleet, startFleet } from '../src/simulate/index.ts';
import type { Fleet, RunningFleet } from '../src/simulate/index.ts';
import { find, memoryLog, seriesOf } from './support/upstream.ts';

const ROOT = join(import.meta.dirname, '..');

/** The config's default-port URLs pointed at the running (ephemeral-port) fleet: 8000+i, 9400+h, Kepler dropped. */
function onRunningFleet(doc: Record<string, unknown>, running: RunningFleet): Record<string, unknown> {
  const port = (url: string) => Number(new URL(url).port);
  const remap = (url: string): string => {
    const p = port(url);
    if (p >= 8000 && p < 8100) return running.servers[p - 8000]!.url;
    if (p >= 9400 && p < 9500) return running.dcgm[p - 9400]!.url;
    throw new Error(`no simulated endpoint for ${url}`);
  };
  const targets = (doc.targets as { kind: string; url: string }[]).filter((t) => t.kind !== 'kepler').map((t) => ({ ...t, url: remap(t.url) }));
  const placement = (doc.placement as { url?: string }[]).map((p) => ({ ...p, ...(p.url && { url: remap(p.url) }) }));
  return { ...doc, listen: '127.0.0.1:0', nvml: 'off', targets, placement };
}

/** Run the exporter with `doc` against the fleet for a few cycles; its series and log. */
async function runAgainst(fleet: Fleet, doc: (running: RunningFleet) => Record<string, unknown>) {
  // As `tokenwatt exporter` does: the scrape worker is up before the fleet's clock starts (its first
  // seconds are idle, when MIG idle power is learned).
  await scrapeWorkerReady();
  const running = await startFleet(fleet, { ports: 'ephemeral' });
  try {
    const config = parseExporterConfig(doc(running));
    const { log, lines } = memoryLog();
    const exporter = new Exporter(scheduleCollectors(config, log, undefined), config.energy, config.intervalMs, log);
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await exporter.runCycle(t0 + i * config.intervalMs);
    await exporter.stop();
    return { series: seriesOf(exporter.metrics.text), lines };
  } finally {
    await running.stop();
  }
}

/** Every engine of the fleet has tokenwatt_engine_placed 1 on its own GPU and instance; none 0. */
function expectAllPlaced(fleet: Fleet, series: ReturnType<typeof seriesOf>): void {
  const placed = find(series, 'tokenwatt_engine_placed');
  expect(placed.filter((s) => s.value !== 1)).toEqual([]);
  const want = fleet.servers.flatMap((s) => s.gpus.map((g) => `${s.model} ${s.host} ${g} ${s.gpuInstanceId ?? ''}`)).sort();
  expect(placed.map((s) => `${s.labels.model_name} ${s.labels.host} ${s.labels.gpu} ${s.labels.gpu_instance_id}`).sort()).toEqual(want);
}

describe('engine placement against the simulated fleets', () => {
  it('the shipped exporters/tokenwatt/tokenwatt.yaml places every engine of the reference fleet', async () => {
    const fleet = loadFleet(join(FLEET_DIR, 'reference.yaml'));
    const shipped = parse(await import('node:fs').then((fs) => fs.readFileSync(join(ROOT, 'exporters', 'tokenwatt', 'tokenwatt.yaml'), 'utf8'))) as Record<string, unknown>;
    loadExporterConfig(join(ROOT, 'exporters', 'tokenwatt', 'tokenwatt.yaml')); // valid as shipped
    const { series, lines } = await runAgainst(fleet, (r) => onRunningFleet(shipped, r));
    expectAllPlaced(fleet, series);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  for (const file of ['reference.yaml', 'dense-8xh100.yaml', 't4-llama3.2-3b.yaml']) {
    it(`simulate --print-exporter-config places every engine of ${file}`, async () => {
      const fleet = loadFleet(join(FLEET_DIR, file));
      const { series } = await runAgainst(fleet, (r) => onRunningFleet(fleetExporterConfig(fleet) as Record<string, unknown>, r));
      expectAllPlaced(fleet, series);
    });
  }

  it('a mistyped placement host is loud: tokenwatt_engine_placed 0 and one warning naming engine, host and instance', async () => {
    const fleet = loadFleet(join(FLEET_DIR, 'reference.yaml'));
    const doc = fleetExporterConfig(fleet) as { placement: { host: string }[] };
    doc.placement[2]!.host = 'gpu-node-1';
    const { series, lines } = await runAgainst(fleet, (r) => onRunningFleet(doc as unknown as Record<string, unknown>, r));
    const zero = find(series, 'tokenwatt_engine_placed').filter((s) => s.value === 0);
    expect(zero.map((s) => s.labels)).toEqual([{ model_name: fleet.servers[2]!.model, engine: '0', namespace: '', pod: '', host: 'gpu-node-1', gpu: '1', gpu_instance_id: '2' }]);
    const warned = lines.filter((l) => l.level === 'warn' && /no source reports/.test(l.msg));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.fields).toMatchObject({ model: fleet.servers[2]!.model, host: 'gpu-node-1', gpu: '1', gpuInstanceId: '2' });
  });
});

describe('NVML replay identity', () => {
  it('an NVML replay without nvmlReplayGpus warns that every GPU is labelled as the fixture H100', () => {
    const trace = join(import.meta.dirname, 'fixtures', 'nvidia-h100', 'trace.csv');
    const fake = (): Collector => ({ kind: 'nvml', name: 'nvml/local', collect: async () => ({ samples: [] }) });
    for (const withIds of [false, true]) {
      const config = parseExporterConfig({
        nvml: `replay:${trace}`, ...(withIds && { nvmlReplayGpus: { '0': { name: 'NVIDIA A100-SXM4-40GB' } } }),
      });
      const { log, lines } = memoryLog();
      scheduleCollectors(config, log, fake);
      expect(lines.filter((l) => l.level === 'warn' && /nvmlReplayGpus/.test(l.msg))).toHaveLength(withIds ? 0 : 1);
    }
  });
});
