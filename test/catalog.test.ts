import { describe, expect, it } from 'vitest';
import { allMetrics, catalog, isBoardScoped, lookupSeries, metric, olderNames } from '../src/catalog/index.ts';
import { anyName, boardWattsFromEnergy, histogramQuantile, rateOf, sel } from '../src/promql/helpers.ts';
import { promqlTest } from './support/promtool.ts';

describe('metric catalog', () => {
  it('declares each name once and resolves histogram and _created series to their entry', () => {
    expect(catalog.size).toBe(allMetrics.length);
    expect(lookupSeries('vllm:time_to_first_token_seconds_bucket')?.name).toBe('vllm:time_to_first_token_seconds');
    expect(lookupSeries('vllm:generation_tokens_created')?.name).toBe('vllm:generation_tokens_total');
    expect(lookupSeries('vllm:generation_tokens_bucket')).toBeUndefined();
    expect(lookupSeries('no_such_metric')).toBeUndefined();
    expect(() => metric('no_such_metric')).toThrow(/not in the catalog/);
  });

  it('follows Prometheus naming for tokenwatt series: prefix, base units, _total only on counters', () => {
    for (const def of allMetrics.filter((d) => d.source === 'tokenwatt')) {
      expect(def.name).toMatch(/^tokenwatt_[a-z0-9_]+$/);
      expect(def.name.endsWith('_total'), def.name).toBe(def.type === 'counter');
      expect(def.help.length, def.name).toBeGreaterThan(10);
    }
  });

  it('links every renamed vLLM series to a replacement in the catalog', () => {
    expect(olderNames('vllm:kv_cache_usage_perc')).toEqual(['vllm:gpu_cache_usage_perc']);
    expect(olderNames('vllm:inter_token_latency_seconds')).toEqual(['vllm:time_per_output_token_seconds']);
    for (const def of allMetrics.filter((d) => d.replacedBy)) expect(catalog.has(def.replacedBy!), def.name).toBe(true);
  });

  it('marks dcgm whole-GPU series as board-scoped and profiling ratios as per-instance', () => {
    expect(isBoardScoped('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toBe(true);
    expect(isBoardScoped('DCGM_FI_DEV_POWER_USAGE')).toBe(true);
    expect(isBoardScoped('DCGM_FI_PROF_GR_ENGINE_ACTIVE')).toBe(false);
    expect(() => sel('DCGM_FI_DEV_POWER_USAGEX')).toThrow(/not in the catalog/);
  });
});

// These run the helpers' PromQL in Prometheus's own engine (promtool test rules).
describe('query helpers in real Prometheus', () => {
  it('finds a renamed vLLM gauge under either name, and the new one when both are served', async () => {
    const r = await promqlTest({
      series: [
        { series: 'vllm:gpu_cache_usage_perc{model_name="old-only"}', values: '0.25x10' },
        { series: 'vllm:kv_cache_usage_perc{model_name="new-only"}', values: '0.5x10' },
        // vLLM 0.9.2-0.10 serve both names with the same value.
        { series: 'vllm:gpu_cache_usage_perc{model_name="both"}', values: '0.75x10' },
        { series: 'vllm:kv_cache_usage_perc{model_name="both"}', values: '0.75x10' },
      ],
      tests: [{
        expr: `max by (model_name) (${anyName('vllm:kv_cache_usage_perc')})`,
        eval_time: '5m',
        exp_samples: [
          { labels: '{model_name="old-only"}', value: 0.25 },
          { labels: '{model_name="new-only"}', value: 0.5 },
          { labels: '{model_name="both"}', value: 0.75 },
        ],
      }, {
        // Counted once, not twice, when both names are present.
        expr: `count(${anyName('vllm:kv_cache_usage_perc')})`,
        eval_time: '5m',
        exp_samples: [{ labels: '{}', value: 3 }],
      }],
    });
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('computes ITL quantiles across the time_per_output_token -> inter_token_latency rename', async () => {
    // Each minute: 60 observations, all in the 0.05 s bucket (bounds as floats, as vLLM prints them).
    const b = (name: string, model: string, le: string, v: string) => ({ series: `${name}_bucket{model_name="${model}",le="${le}"}`, values: v });
    const r = await promqlTest({
      series: [
        b('vllm:time_per_output_token_seconds', 'old', '0.025', '0x10'),
        b('vllm:time_per_output_token_seconds', 'old', '0.05', '0+60x10'),
        b('vllm:time_per_output_token_seconds', 'old', '+Inf', '0+60x10'),
        b('vllm:inter_token_latency_seconds', 'new', '0.025', '0x10'),
        b('vllm:inter_token_latency_seconds', 'new', '0.05', '0+60x10'),
        b('vllm:inter_token_latency_seconds', 'new', '+Inf', '0+60x10'),
      ],
      tests: [{
        // promtool 2.42 compares exactly: round away the interpolation's last-bit error.
        expr: `round(${histogramQuantile(0.5, 'vllm:inter_token_latency_seconds', ['model_name'], undefined, '5m')}, 0.0001)`,
        eval_time: '10m',
        // Linear interpolation inside (0.025, 0.05]: median at 0.0375.
        exp_samples: [{ labels: '{model_name="old"}', value: 0.0375 }, { labels: '{model_name="new"}', value: 0.0375 }],
      }],
    });
    expect(r.out).toContain('SUCCESS');
  });

  it('never double counts a MIG GPU: board watts from the energy counter, once per physical GPU', async () => {
    // One A100 with three MIG instances: dcgm-exporter repeats the board counter on each
    // (+60,000,000 mJ per minute = 1000 J/s = 1000 W). A second, non-MIG GPU on another host at
    // 400 W (24,000,000 mJ/min), with the `hostname` spelling of dcgm-exporter main. `host` as
    // Prometheus stores it: metric_relabel_configs copy either spelling into it at ingest.
    const mig = (id: string) => ({
      series: `DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{Hostname="a",host="a",gpu="1",UUID="GPU-x",GPU_I_ID="${id}",GPU_I_PROFILE="2g.10gb"}`,
      values: '1000000+60000000x20',
    });
    const r = await promqlTest({
      series: [
        mig('3'), mig('5'), mig('9'),
        { series: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{hostname="b",host="b",gpu="0",UUID="GPU-y"}', values: '5+24000000x20' },
      ],
      tests: [{
        expr: `round(sum(${boardWattsFromEnergy(undefined, '5m')}), 0.001)`,
        eval_time: '10m',
        exp_samples: [{ labels: '{}', value: 1400 }],
      }, {
        expr: `round(sum by (host) (${boardWattsFromEnergy(undefined, '5m')}), 0.001)`,
        eval_time: '10m',
        exp_samples: [{ labels: '{host="a"}', value: 1000 }, { labels: '{host="b"}', value: 400 }],
      }, {
        // The trap the helper avoids: a plain sum counts the MIG GPU three times.
        expr: 'round(sum(rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[5m])) / 1000, 0.001)',
        eval_time: '10m',
        exp_samples: [{ labels: '{}', value: 3400 }],
      }],
    });
    expect(r.out).toContain('SUCCESS');
  });

  it('builds version-tolerant rates that survive a counter reset', async () => {
    const r = await promqlTest({
      series: [
        { series: 'vllm:gpu_prefix_cache_hits_total{model_name="m"}', values: '0+100x5 0+100x5' },
      ],
      // The 5m window at 10m holds the samples at 5m..10m: 500, 0 (reset), 100, ..., 400.
      // Reset-corrected increase: 400 - 500 + 500 = 400 (a naive difference would give -100).
      tests: [{ expr: `sum(${rateOf('vllm:prefix_cache_hits_total', undefined, '5m', 'increase')})`, eval_time: '10m', exp_samples: [{ labels: '{}', value: 400 }] }],
    });
    expect(r.out).toContain('SUCCESS');
  });
});
