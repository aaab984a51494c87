// promtool cases for rules/report.ts, the windows `tokenwatt report` reads over long periods (default
// config: 1h windows, evaluated on the hour here). A counter's window is the exact difference of its
// values at the window's ends (60 a minute: 3600 an hour, nothing lost between windows); after a
// counter reset it is increase() over the window; time averages and scrape counts over the window;
// each group's marker records the window at every evaluation. Every recorded name is checked: one
// input series per raw metric, carrying every label any figure groups by (the rest are summed away).
// Prometheus 2.42's ranges include a sample exactly at their start, so a window holds 61 minutely
// samples here (real scrapes rarely land on an evaluation time).
import { figureSpecs, recordedName, WINDOW_MARKERS } from '../../src/report/figures.ts';
import { series } from './harness.ts';
import type { ExprTest, TestGroup } from './harness.ts';

const ALL: Record<string, string> = {
  cluster: 'c1', host: 'h1', gpu: '0', gpu_uuid: 'GPU-0', gpu_model: 'H100', gpu_instance_id: '1', gpu_profile: '3g.40gb',
  namespace: 'llm', model_name: 'm1', state: 'active', component: 'energy', currency: 'USD', source: 'config', le: '+Inf', instance: 'h1:9464',
};
const JOBS = { tokenwatt: 'tokenwatt', vllm: 'vllm', sglang: 'sglang' } as const;
const specs = Object.values(figureSpecs('cluster'));
const inputs = new Map<string, string>();
for (const f of specs) {
  const values = f.metric === 'up' ? '1x200' : f.metric === 'tokenwatt_gpu_utilization_ratio' ? '0.5x200' : f.metric === 'tokenwatt_grid_intensity_grams_per_kwh' ? '475x200' : '0+60x200';
  inputs.set(series(`${f.metric}${f.suffix ?? ''}`, { ...ALL, job: JOBS[f.selector] }), values);
}
/** One window of each function over the inputs above (avg_over_time: the gauge's constant). */
const PER_WINDOW: Record<string, number> = { increase: 3600, count_over_time: 61, sum_over_time: 61, resets: 0 };
const at2h: ExprTest[] = specs.map((f) => {
  const value = f.fn === 'avg_over_time' ? (f.metric === 'tokenwatt_gpu_utilization_ratio' ? 0.5 : 475) : PER_WINDOW[f.fn]!;
  const labels = Object.fromEntries([...f.by, 'job'].map((k) => [k, k === 'job' ? JOBS[f.selector] : ALL[k]!]));
  return { expr: recordedName(f), eval_time: '2h', exp_samples: [{ labels: series(recordedName(f), labels), value }] };
});
const GPU = '{cluster="c1", gpu="0", gpu_model="H100", gpu_uuid="GPU-0", host="h1", job="tokenwatt"}';

export const reportCases: TestGroup[] = [
  {
    coarse: true,
    input_series: [...inputs].map(([s, values]) => ({ series: s, values })),
    promql_expr_test: [
      ...at2h,
      ...Object.values(WINDOW_MARKERS).map((m) => ({ expr: m, eval_time: '2h', exp_samples: [{ labels: `${m}{cluster="c1", job="tokenwatt"}`, value: 3600 }] })),
    ],
  },
  {
    coarse: true,
    input_series: [
      // 60 J a minute; the exporter restarts at minute 201 (its counter starts again from 0).
      { series: series('tokenwatt_gpu_energy_joules_total', { ...ALL, job: 'tokenwatt' }), values: '0+60x200 0+60x100' },
    ],
    promql_expr_test: [
      { expr: 'gpu:tokenwatt_gpu_energy_joules:increase_window', eval_time: '3h', exp_samples: [{ labels: `gpu:tokenwatt_gpu_energy_joules:increase_window${GPU}`, value: 3600 }] },
      // Window (3h, 4h]: 10800 -> 12000, reset, 0 -> 2340: x(4h) - x(3h) < 0, so increase(): 3540.
      { expr: 'gpu:tokenwatt_gpu_energy_joules:increase_window', eval_time: '4h', exp_samples: [{ labels: `gpu:tokenwatt_gpu_energy_joules:increase_window${GPU}`, value: 3540 }] },
      { expr: 'instance:tokenwatt_gpu_energy_joules:resets_window', eval_time: '4h', exp_samples: [{ labels: 'instance:tokenwatt_gpu_energy_joules:resets_window{cluster="c1", instance="h1:9464", job="tokenwatt"}', value: 1 }] },
    ],
  },
];
