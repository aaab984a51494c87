// promtool cases for alerts/energy-cost.ts (default config: tokens/J 1h average below 0.7 x its 1d
// average while > 1 token/s, for 30m; idle cost > 0.1/h with no token over 2h, for 30m; power >=
// 0.98 x limit for 30m; unallocated MIG cost for 6h).
import { expectAlert, series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const model = (m: string) => ({ cluster: 'c1', namespace: 'llm', model_name: m });
const slice = (gpu: string, id: string, profile: string) => ({ cluster: 'c1', host: 'h1', gpu, gpu_instance_id: id, gpu_profile: profile });
const tw = { job: 'tokenwatt', instance: 'tw:9464' };
const dcgm = (gpu: string, extra: Record<string, string> = {}) => ({
  job: 'dcgm-exporter', cluster: 'c1', Hostname: 'h1', host: 'h1', gpu, UUID: `GPU-${gpu}`, modelName: 'NVIDIA A100-SXM4-40GB', ...extra,
});

export const energyCostCases: TestGroup[] = [
  {
    // The recorded tokens/J and token rate are given directly (5-minute samples over 26 h).
    // llama-7b: 2 tokens/J until 24h, then 1. At 26h the 1h average is 1; the 1d window
    // [2h, 26h] holds 265 samples of 2 and 24 of 1: (530 + 24) / 289 = 1.917, x 0.7 = 1.342 > 1.
    // The 1h average falls under 1.342 once two thirds of its samples are 1 (~24h45m): firing
    // from ~25h15m. llama-13b: steady 2. mistral: the same drop, but at 0.5 tokens/s (idle).
    coarse: true,
    interval: '5m',
    input_series: [
      { series: series('model_name:tokenwatt_tokens_per_joule:ratio_rate5m', model('llama-7b')), values: '2x288 1x24' },
      { series: series('model_name:tokenwatt_generation_tokens:rate5m', model('llama-7b')), values: '100x312' },
      { series: series('model_name:tokenwatt_tokens_per_joule:ratio_rate5m', model('llama-13b')), values: '2x312' },
      { series: series('model_name:tokenwatt_generation_tokens:rate5m', model('llama-13b')), values: '100x312' },
      { series: series('model_name:tokenwatt_tokens_per_joule:ratio_rate5m', model('mistral')), values: '2x288 1x24' },
      { series: series('model_name:tokenwatt_generation_tokens:rate5m', model('mistral')), values: '0.5x312' },
    ],
    alert_rule_test: [
      { eval_time: '24h', alertname: 'TokensPerJouleDropped', exp_alerts: [] },
      { eval_time: '26h', alertname: 'TokensPerJouleDropped', exp_alerts: [
        expectAlert('TokensPerJouleDropped', 'warning', model('llama-7b'), 'llama-7b now makes 1.00 tokens/J over 1h, more than 30% below its 1d average.'),
      ] },
    ],
  },
  {
    // From the raw counters, through the recorded ratio: qwen makes 100 tokens/s from its first
    // minute, but its energy counter first moves at 2m (a board counter stepping slower than it is
    // read), then 100 W: 1 token/J. At 1m the 5m token rate is above 0 and the energy rate is 0:
    // the ratio has no sample (it was +Inf, which held the 1d baseline average at +Inf, so from
    // 61m, when +Inf left the 1h window, 1 < 0.7 x Inf paged after 30m). From 2m it is 12000/6000
    // = 2, then 1.5, 1.33, 1.25, then 1: the 1d average at 100m is ~1.03, x 0.7 = 0.72 < 1.
    // idle: energy, no token: no J per token (was +Inf) and 0 tokens/J.
    input_series: [
      { series: series('tokenwatt_model_generation_tokens_total', { ...tw, ...model('qwen'), ...slice('0', '', 'whole') }), values: '0+6000x110' },
      { series: series('tokenwatt_model_energy_joules_total', { ...tw, ...model('qwen'), ...slice('0', '', 'whole') }), values: '0 0+6000x109' },
      { series: series('tokenwatt_model_generation_tokens_total', { ...tw, ...model('idle'), ...slice('1', '', 'whole') }), values: '0x110' },
      { series: series('tokenwatt_model_energy_joules_total', { ...tw, ...model('idle'), ...slice('1', '', 'whole') }), values: '0+6000x110' },
    ],
    promql_expr_test: [
      { expr: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m{model_name="qwen"}', eval_time: '1m', exp_samples: [] },
      { expr: 'model_name:tokenwatt_tokens_per_joule:ratio_rate5m', eval_time: '2m', exp_samples: [
        { labels: `model_name:tokenwatt_tokens_per_joule:ratio_rate5m${'{cluster="c1", model_name="idle", namespace="llm"}'}`, value: 0 },
        { labels: `model_name:tokenwatt_tokens_per_joule:ratio_rate5m${'{cluster="c1", model_name="qwen", namespace="llm"}'}`, value: 2 },
      ] },
      { expr: 'model_name:tokenwatt_joules_per_generated_token:ratio_rate5m{model_name="idle"}', eval_time: '10m', exp_samples: [] },
    ],
    alert_rule_test: [
      { eval_time: '100m', alertname: 'TokensPerJouleDropped', exp_alerts: [] },
    ],
  },
  {
    // Idle cost 0.01 per minute = 0.6 USD/h on two slices; slice 1 (2g.10gb) generates nothing,
    // slice 2 (3g.20gb) generates 600 tokens per minute. rate over 2h from t1; for 30m. Checked at
    // 150m, when the 2h window is full: before that rate() divides a partial increase by 2h.
    coarse: true,
    input_series: [
      { series: series('tokenwatt_idle_cost_total', { ...tw, ...slice('1', '1', '2g.10gb'), gpu_uuid: 'GPU-1', gpu_model: 'A100', currency: 'USD' }), values: '0+0.01x160' },
      { series: series('tokenwatt_model_generation_tokens_total', { ...tw, ...slice('1', '1', '2g.10gb'), namespace: 'llm', model_name: 'llama-7b-gptq' }), values: '0x160' },
      { series: series('tokenwatt_idle_cost_total', { ...tw, ...slice('1', '2', '3g.20gb'), gpu_uuid: 'GPU-1', gpu_model: 'A100', currency: 'USD' }), values: '0+0.01x160' },
      { series: series('tokenwatt_model_generation_tokens_total', { ...tw, ...slice('1', '2', '3g.20gb'), namespace: 'llm', model_name: 'llama-13b-gptq' }), values: '0+600x160' },
    ],
    alert_rule_test: [
      { eval_time: '20m', alertname: 'GPUAllocatedButIdle', exp_alerts: [] },
      { eval_time: '150m', alertname: 'GPUAllocatedButIdle', exp_alerts: [
        expectAlert('GPUAllocatedButIdle', 'warning', { ...slice('1', '1', '2g.10gb'), currency: 'USD' }, 'Slice 2g.10gb on GPU 1 of h1 costs 0.60 USD/h idle and generated no token in 2h.'),
      ] },
    ],
  },
  {
    // Energy counters in mJ. GPU 0 (two MIG instances repeat the same counter): +24,000,000 mJ per
    // minute = 400 W, limit 400 W: ratio 1 (>= 0.98). GPU 1: 18,000,000 mJ/min = 300 W of 400: 0.75.
    input_series: [
      ...['1', '2'].map((id) => ({ series: series('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', dcgm('0', { GPU_I_ID: id })), values: '0+24000000x60' })),
      ...['1', '2'].map((id) => ({ series: series('DCGM_FI_DEV_POWER_MGMT_LIMIT', dcgm('0', { GPU_I_ID: id })), values: '400x60' })),
      { series: series('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', dcgm('1')), values: '0+18000000x60' },
      { series: series('DCGM_FI_DEV_POWER_MGMT_LIMIT', dcgm('1')), values: '400x60' },
    ],
    alert_rule_test: [
      { eval_time: '20m', alertname: 'GPUPowerAtCap', exp_alerts: [] },
      { eval_time: '45m', alertname: 'GPUPowerAtCap', exp_alerts: [
        expectAlert('GPUPowerAtCap', 'warning', { cluster: 'c1', host: 'h1', gpu: '0', UUID: 'GPU-0' }, 'GPU 0 on h1 draws 100% of its power limit.'),
      ] },
    ],
  },
  {
    // Unallocated MIG cost 0.05 per 5 minutes = 0.6 USD/h on GPU 1; for 6h.
    coarse: true,
    interval: '5m',
    input_series: [
      { series: series('tokenwatt_unallocated_cost_total', { ...tw, cluster: 'c1', host: 'h1', gpu: '1', gpu_uuid: 'GPU-1', gpu_model: 'A100', currency: 'USD' }), values: '0+0.05x100' },
    ],
    alert_rule_test: [
      { eval_time: '3h', alertname: 'MIGCapacityUnallocated', exp_alerts: [] },
      { eval_time: '7h', alertname: 'MIGCapacityUnallocated', exp_alerts: [
        expectAlert('MIGCapacityUnallocated', 'info', { cluster: 'c1', host: 'h1', gpu: '1', currency: 'USD' }, 'Unallocated MIG capacity on GPU 1 of h1 costs 0.60 USD/h.'),
      ] },
    ],
  },
];
