// promtool evaluation of the dashboards' annotation queries (src/build/grafana/annotations.ts): a
// config change marks the exporter that applied it, an engine restart the engine, each at the change
// and not before or long after.
import { tokenwattAnnotations } from '../../src/build/grafana/annotations.ts';
import { defaultConfig } from '../../src/config/mixin.ts';
import { series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const exprOf = (name: string) => tokenwattAnnotations(defaultConfig).map((a) => a.build()).find((a) => a.name === name)!.expr!;
const tw = (host: string) => ({ job: 'tokenwatt', instance: `${host}:9464`, cluster: 'c1' });

export const annotationCases: TestGroup[] = [
  {
    // h1's exporter applies a new config at 5m; h2's keeps its own all along.
    input_series: [
      { series: series('tokenwatt_config_hash', tw('h1')), values: '111x4 222x10' },
      { series: series('tokenwatt_config_hash', tw('h2')), values: '333x14' },
    ],
    promql_expr_test: [
      { expr: exprOf('tokenwatt config changes'), eval_time: '4m', exp_samples: [] },
      { expr: exprOf('tokenwatt config changes'), eval_time: '6m', exp_samples: [{ labels: '{cluster="c1", instance="h1:9464", job="tokenwatt"}', value: 1 }] },
      { expr: exprOf('tokenwatt config changes'), eval_time: '9m', exp_samples: [] },
    ],
  },
  {
    // An SGLang engine restarts at 5m: its generated-token counter starts again from 0.
    input_series: [
      { series: series('sglang:generation_tokens_total', { job: 'sglang', instance: 'h1:30000', cluster: 'c1', model_name: 'qwen', tp_rank: '0' }), values: '0+600x4 0+600x10' },
    ],
    promql_expr_test: [
      { expr: exprOf('Engine restarts'), eval_time: '4m', exp_samples: [] },
      { expr: exprOf('Engine restarts'), eval_time: '6m', exp_samples: [{ labels: '{cluster="c1", instance="h1:30000", job="sglang", model_name="qwen", tp_rank="0"}', value: 1 }] },
      { expr: exprOf('Engine restarts'), eval_time: '9m', exp_samples: [] },
    ],
  },
];
