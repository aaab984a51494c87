import { describe, expect, it } from 'vitest';
import { checkQuery, counterProblems, metricNames, migProblems, substituteGrafanaVariables } from '../src/promql/check.ts';
import { boardMax, boardWattsFromEnergy, sel } from '../src/promql/helpers.ts';

describe('PromQL build checks', () => {
  it('substitutes Grafana variables before parsing', () => {
    expect(substituteGrafanaVariables('rate(x{model_name=~"$model"}[$__rate_interval]) / ${__range_s}'))
      .toBe('rate(x{model_name=~"model"}[5m]) / 3600');
    expect(checkQuery('sum(rate(vllm:generation_tokens_total{model_name=~"$model"}[$__rate_interval]))')).toEqual([]);
  });

  it('reports a syntax error with its position', () => {
    const [p] = checkQuery('sum(rate(vllm:generation_tokens_total[5m])');
    expect(p?.rule).toBe('syntax');
    expect(p?.message).toMatch(/syntax error at character \d+/);
  });

  it('rejects metric names the catalog does not hold, by selector or __name__', () => {
    expect(checkQuery('vllm:num_requests_runing').map((p) => p.message)).toEqual(['metric vllm:num_requests_runing is not in the catalog (src/catalog/)']);
    expect(metricNames('{__name__="DCGM_FI_DEV_GPU_TEMP"}').map((m) => m.name)).toEqual(['DCGM_FI_DEV_GPU_TEMP']);
    expect(checkQuery('{__name__="nope_total"}')[0]?.rule).toBe('unknown-metric');
  });

  it('rejects a sum over MIG-repeated board series and accepts it after boardMax', () => {
    expect(migProblems('sum(DCGM_FI_DEV_POWER_USAGE)')[0]?.rule).toBe('mig-sum');
    expect(migProblems('sum by (Hostname) (rate(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION[5m]))')).toHaveLength(1);
    expect(migProblems('sum by (host) (max by (host, gpu) (DCGM_FI_DEV_POWER_USAGE))')).toHaveLength(1); // no UUID: not enough
    expect(migProblems(`sum(${boardMax(sel('DCGM_FI_DEV_POWER_USAGE'))})`)).toEqual([]);
    expect(migProblems(`sum(${boardWattsFromEnergy()})`)).toEqual([]);
    expect(migProblems('sum(DCGM_FI_DEV_POWER_USAGE{GPU_I_ID=""})')).toEqual([]); // non-MIG series only
    expect(migProblems('sum(DCGM_FI_PROF_GR_ENGINE_ACTIVE)')).toEqual([]); // per-instance: summing is fine
  });

  it('applies the dashboard-linter counter rules', () => {
    expect(counterProblems('vllm:generation_tokens_total', { requireRateInterval: true })[0]?.rule).toBe('total-outside-rate');
    expect(counterProblems('rate(vllm:generation_tokens_total[5m])', { requireRateInterval: true })[0]?.rule).toBe('rate-interval');
    expect(counterProblems('rate(vllm:generation_tokens_total[$__rate_interval])', { requireRateInterval: true })).toEqual([]);
    // A histogram whose name ends in _total is not a counter.
    expect(counterProblems('histogram_quantile(0.5, rate(vllm:iteration_tokens_total_bucket[$__rate_interval]))', { requireRateInterval: true })).toEqual([]);
  });

  it('type-checks: function arguments and aggregation operands', () => {
    expect(checkQuery('rate(vllm:generation_tokens_total)')).toEqual([
      // at 5: the offending argument, just after `rate(`.
      { rule: 'type', at: 5, message: 'type error: expected type matrix in call to function "rate", got vector' },
    ]);
    expect(checkQuery('sum(vllm:num_requests_running[$__rate_interval])').map((p) => p.rule)).toEqual(['type']);
    expect(checkQuery('histogram_quantile(0.9, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[$__rate_interval])))')).toEqual([]);
  });
});
