// Price per node pool: a host of a spot pool is charged the spot price, its cost per 1M tokens is its
// own series in Prometheus, and a pool whose basis has no price is refused naming the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { resolveBuildConfig } from '../src/config/build-config.ts';
import { gpuPricePerHour, nodePoolOf } from '../src/energy/cost.ts';
import { parseEnergyConfig } from '../src/energy/config.ts';
import { EnergyLedger } from '../src/energy/ledger.ts';
import type { LedgerSample } from '../src/energy/tick.ts';
import { compileGroups } from '../src/rules/collect.ts';
import { promqlTest } from './support/promtool.ts';

const A100 = 'NVIDIA A100-SXM4-40GB';
const energy = {
  gpuPrices: { [A100]: { onDemand: 4.1, spot: 1.6, reserved: 2.5 } },
  nodePools: { 'a100-spot': { priceBasis: 'spot' as const, hosts: ['/gpu-spot-.*/'] }, reserved: { priceBasis: 'reserved' as const, hosts: ['gpu-r1'] } },
};

const capacity = (s: LedgerSample[], host: string) => s.filter((x) => x.name === 'tokenwatt_gpu_cost_total' && x.labels.component === 'capacity' && x.labels.host === host).reduce((a, x) => a + x.value, 0);

describe('node pools in the price model', () => {
  it('a host takes its pool\'s basis; hosts of no pool keep priceBasis', () => {
    const c = parseEnergyConfig(energy);
    expect(nodePoolOf(c, 'gpu-spot-7')).toEqual({ pool: 'a100-spot', priceBasis: 'spot' });
    expect(nodePoolOf(c, 'gpu-spot')).toBeUndefined();
    expect(gpuPricePerHour(c, A100, 'gpu-spot-7')).toBe(1.6);
    expect(gpuPricePerHour(c, A100, 'gpu-r1')).toBe(2.5);
    expect(gpuPricePerHour(c, A100, 'gpu-od-1')).toBe(4.1);
  });

  it('the ledger charges each board its pool\'s price per GPU-hour', () => {
    const ledger = new EnergyLedger({ ...energy, idlePowerWatts: { [A100]: 60 } });
    const boards = (e: number) => ['gpu-spot-1', 'gpu-od-1'].map((host) => ({ host, gpu: '0', uuid: `GPU-${host}`, model: A100, energyJoules: e, slices: [] }));
    ledger.observe({ timestampS: 1000, boards: boards(1000), engines: [] });
    ledger.observe({ timestampS: 1360, boards: boards(2000), engines: [] });
    const s = ledger.samples();
    // 360 s = 0.1 h: spot 0.16, on-demand 0.41.
    expect(capacity(s, 'gpu-spot-1')).toBeCloseTo(0.16, 9);
    expect(capacity(s, 'gpu-od-1')).toBeCloseTo(0.41, 9);
  });

  it('refuses a pool whose basis has no price, and a bad regex, naming the field', () => {
    expect(() => parseEnergyConfig({ gpuPrices: { [A100]: { onDemand: 4.1 } }, nodePools: { spot: { priceBasis: 'spot', hosts: ['n1'] } } }))
      .toThrow(/nodePools\.spot\.priceBasis: node pool 'spot' is priced spot, but gpuPrices has no spot price for 'NVIDIA A100-SXM4-40GB'/);
    expect(() => parseEnergyConfig({ nodePools: { spot: { priceBasis: 'onDemand', hosts: ['/gpu-(/'] } } })).toThrow(/nodePools\.spot\.hosts: bad regex/);
  });

  it('in Prometheus, a spot pool\'s $ per 1M tokens is its own series (rules built from the build config)', async () => {
    const config = resolveBuildConfig({ exporter: { energy } });
    const group = compileGroups(config).find((g) => g.name === 'tokenwatt-node-pools')!;
    const dir = await mkdtemp(join(tmpdir(), 'tokenwatt-pools-'));
    try {
      const file = join(dir, 'rules.yaml');
      await writeFile(file, stringify({ groups: [group] }));
      const lbl = (host: string, extra: Record<string, string> = {}) => Object.entries({ job: 'tokenwatt', cluster: 'c1', host, gpu: '0', ...extra }).map(([k, v]) => `${k}="${v}"`).join(', ');
      const model = (host: string) => lbl(host, { namespace: 'llm', model_name: 'llama', engine: '0', pod: `p-${host}`, gpu_uuid: `G-${host}`, gpu_model: 'A100', gpu_instance_id: '', gpu_profile: 'whole' });
      const series = ['gpu-spot-1', 'gpu-od-1', 'gpu-r1'].flatMap((h, i) => [
        { series: `tokenwatt_gpu_info{${lbl(h)}}`, values: '1x20' },
        // Cost per minute: spot 0.6, on-demand 1.2, reserved 0.9 $; tokens 600 a minute each.
        { series: `tokenwatt_model_cost_total{${model(h)}, currency="USD"}`, values: `0+${[0.6, 1.2, 0.9][i]}x20` },
        { series: `tokenwatt_model_generation_tokens_total{${model(h)}}`, values: '0+600x20' },
      ]);
      const r = await promqlTest({
        series, ruleFiles: [file],
        tests: [
          { expr: 'host:tokenwatt_node_pool:info', eval_time: '10m', exp_samples: [
            { labels: 'host:tokenwatt_node_pool:info{cluster="c1", host="gpu-spot-1", node_pool="a100-spot", price_basis="spot"}', value: 1 },
            { labels: 'host:tokenwatt_node_pool:info{cluster="c1", host="gpu-od-1", node_pool="default", price_basis="onDemand"}', value: 1 },
            { labels: 'host:tokenwatt_node_pool:info{cluster="c1", host="gpu-r1", node_pool="reserved", price_basis="reserved"}', value: 1 },
          ] },
          { expr: 'round(node_pool:tokenwatt_cost_per_million_tokens:ratio_rate5m, 0.001)', eval_time: '10m', exp_samples: [
            { labels: '{cluster="c1", currency="USD", model_name="llama", namespace="llm", node_pool="a100-spot", price_basis="spot"}', value: 1000 },
            { labels: '{cluster="c1", currency="USD", model_name="llama", namespace="llm", node_pool="default", price_basis="onDemand"}', value: 2000 },
            { labels: '{cluster="c1", currency="USD", model_name="llama", namespace="llm", node_pool="reserved", price_basis="reserved"}', value: 1500 },
          ] },
        ],
      });
      expect(r.code, r.out).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
